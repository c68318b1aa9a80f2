"""Heavy-pollution emergency notices posted at the gate (issue 16 item 4), on the demo city of Shijiazhuang: the
filed list's letterhead, each line's measure in words, the transport limits in words, the 依据 by document and
clause; one PDF page per enterprise, a ZIP of per-enterprise PDFs; an enterprise reads only its own notice."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.demo import DEMO_PASSWORD
from registry.emergency import operations as ops
from registry.emergency import queries
from registry.emergency.orders import alert_orders
from registry.extensions import db
from tests.builders import login
from tests.integration.notices.support import RULE_ID, SNAKE, body_without_basis, flat, pdf_text

pytestmark = pytest.mark.demo_city(per_city=8)

ON, LEVEL = date(2019, 1, 10), "yellow"
QUERY = f"date={ON.isoformat()}&level={LEVEL}"


def _owner(enterprise_id: int) -> User:
    return db.session.scalar(select(User).where(User.enterprise_id == enterprise_id))


@pytest.fixture()
def filed(demo_city):
    city = db.session.scalar(select(User).where(User.username == "shijiazhuang"))
    for ent in queries.covered_enterprises("130100"):
        owner = _owner(ent.id)
        plan = ops.save_plan(owner, ent.id, {"pack_id": "shijiazhuang-2018-20",
                                             "entries": ops.prefill(owner, ent.id, "shijiazhuang-2018-20")})
        ops.file_plan(owner, plan.id)
    lst = ops.compile_list(city, {"region_code": "130100", "pack_id": "shijiazhuang-2018-20"})
    ops.file_list(city, lst.id, {"document_number": "石环字〔2018〕30号", "issued_on": "2018-11-01"})
    db.session.commit()
    orders = alert_orders(lst, ON, LEVEL)
    assert len(orders) >= 2 and any(o["lines"] for o in orders) and any(o["transport"] for o in orders)
    return lst, orders


def test_filing_records_the_letterhead(filed):
    """Item 2: the authority defaults to the city's 生态环境局; number and date as given."""
    lst, _orders = filed
    assert (lst.issuing_authority, lst.document_number, lst.issued_on) == ("石家庄市生态环境局", "石环字〔2018〕30号", date(2018, 11, 1))


def test_emergency_notice_html_has_no_codes_and_rule_ids_only_in_the_basis(client, filed):
    """Item 3: measures and transport limits in words (no `no_heavy_goods_vehicles_in_or_out`, no `china_5`), rule
    ids only in the 依据 detail; the letterhead and the seal block."""
    lst, orders = filed
    login(client, "shijiazhuang", DEMO_PASSWORD)
    html = client.get(f"/emergency/lists/{lst.id}/orders?{QUERY}").get_data(as_text=True)
    assert html.count('<article class="notice"') == len(orders)
    assert "石家庄市生态环境局" in html and "石环字〔2018〕30号" in html and "二〇一八年十一月一日" in html
    assert "盖章" in html and "签收人" in html and "依据" in html
    body = body_without_basis(html)
    assert not RULE_ID.search(body), RULE_ID.findall(body)
    assert not SNAKE.findall(body), SNAKE.findall(body)
    assert "《" in html  # a document title in the 依据


def test_emergency_notice_pdf_text_and_one_page_per_enterprise(client, filed):
    """Item 5: the single notice's PDF names the authority, the number, the enterprise, a measure in words, the
    依据 document; the whole list's PDF has N pages for N enterprises; the ZIP one PDF per enterprise."""
    lst, orders = filed
    login(client, "shijiazhuang", DEMO_PASSWORD)
    order = next(o for o in orders if o["lines"])
    response = client.get(f"/emergency/lists/{lst.id}/orders?{QUERY}&enterprise_id={order['enterprise_id']}&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = pdf_text(response.data)
    joined = flat(text)
    assert pages == 1
    measures = {"stop": "停产", "curtail": "限产"}
    for expected in ("石家庄市生态环境局", "石环字〔2018〕30号", order["name"], measures[order["lines"][0]["measure"]],
                     "石家庄市打赢蓝天保卫战三年行动计划"):
        assert expected in joined, expected
    pages, text = pdf_text(client.get(f"/emergency/lists/{lst.id}/orders?{QUERY}&format=pdf").data)
    assert pages == len(orders) and all(o["name"] in flat(text) for o in orders)
    response = client.get(f"/emergency/lists/{lst.id}/orders.zip?{QUERY}")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len(archive.namelist()) == len(orders)
    assert all(pdf_text(archive.read(n))[0] == 1 for n in archive.namelist())


def test_enterprise_reads_only_its_own_notice_of_a_filed_list(client, filed, demo_city):
    """An enterprise user: its own notice 200 (HTML and PDF, also without naming itself); another enterprise's and the
    ZIP 404; never the whole list's."""
    lst, orders = filed
    mine, other = orders[0], orders[1]
    login(client, _owner(mine["enterprise_id"]).username, DEMO_PASSWORD)
    base = f"/emergency/lists/{lst.id}/orders?{QUERY}"
    own = client.get(f"{base}&enterprise_id={mine['enterprise_id']}")
    assert own.status_code == 200 and mine["name"] in own.get_data(as_text=True)
    assert client.get(f"{base}&enterprise_id={mine['enterprise_id']}&format=pdf").status_code == 200
    assert client.get(f"{base}&enterprise_id={other['enterprise_id']}").status_code == 404
    whole = client.get(base)  # not the whole list's: without naming itself an enterprise gets its own notice (issue 16)
    assert whole.status_code == 200 and mine["name"] in whole.get_data(as_text=True)
    assert other["name"] not in whole.get_data(as_text=True)
    assert client.get(f"/emergency/lists/{lst.id}/orders.zip?{QUERY}").status_code == 404


def test_enterprise_sees_no_notice_of_a_draft_list(client, demo_city):
    """A draft list is not an order: the enterprise gets 404 for its notice."""
    city = db.session.scalar(select(User).where(User.username == "shijiazhuang"))
    lst = ops.compile_list(city, {"region_code": "130100", "pack_id": "shijiazhuang-2018-20"})
    db.session.commit()
    ent = queries.covered_enterprises("130100")[0]
    login(client, _owner(ent.id).username, DEMO_PASSWORD)
    assert client.get(f"/emergency/lists/{lst.id}/orders?{QUERY}&enterprise_id={ent.id}").status_code == 404


def test_enterprise_finds_its_notice_from_its_plan_page(client, filed):
    """No dead end: the plan page offers the filed list's notice (day and level to choose), and the form opens it."""
    lst, orders = filed
    mine = orders[0]
    login(client, _owner(mine["enterprise_id"]).username, DEMO_PASSWORD)
    page = client.get(f"/emergency/enterprises/{mine['enterprise_id']}/plan?pack=shijiazhuang-2018-20").get_data(as_text=True)
    assert f'id="notice-form-{lst.id}"' in page and f"/emergency/lists/{lst.id}/orders" in page
    assert "石环字〔2018〕30号" in page
    notice = client.get(f"/emergency/lists/{lst.id}/orders?enterprise_id={mine['enterprise_id']}&{QUERY}")
    assert notice.status_code == 200 and mine["name"] in notice.get_data(as_text=True)
