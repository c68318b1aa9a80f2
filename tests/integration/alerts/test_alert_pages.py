"""Issue 17 pages through real HTTP (Flask test client): the city issues an alert from its page, the enterprise sees
the order in its inbox and on "今日须执行" in Chinese and acknowledges it, the official sees the receipt, filters the
unacknowledged, re-sends and prints; the level change and the lift go through the page too."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.alerts.models import AlertOrder, Receipt
from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from tests.builders.http import csrf_from, login

pytestmark = pytest.mark.demo_city(per_city=6)


def _token(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def test_city_issues_enterprise_acknowledges_official_sees_receipt(demo_city, client):
    login(client, "langfang", DEMO_PASSWORD)
    page = client.get("/alerts/")
    assert page.status_code == 200 and "issue-form" in page.get_data(as_text=True)
    resp = client.post("/alerts/episodes", data={
        "csrf_token": _token(client, "/alerts/"), "scope": "city", "level": "orange",
        "starts_at": "2026-12-05T08:00", "expected_end_at": "2026-12-08T08:00",
        "doc_number": "廊重污染〔2026〕7号", "issuing_body": "廊坊市重污染天气应急指挥部办公室", "reason": "预测重度污染"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    ep_url = resp.headers["Location"]
    html = client.get(ep_url).get_data(as_text=True)
    assert "橙色预警" in html and "廊重污染〔2026〕7号" in html
    order = db.session.scalars(select(AlertOrder).order_by(AlertOrder.id)).first()
    owner = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id))
    client.post("/logout", data={"csrf_token": _token(client, ep_url)})

    login(client, owner.username, DEMO_PASSWORD)
    inbox = client.get("/alerts/inbox").get_data(as_text=True)
    assert "橙色预警" in inbox
    today = client.get("/alerts/today").get_data(as_text=True)
    assert f"today-order-{order.id}" in today and "今日须执行" in today or "What I must do today" in today
    page = client.get(f"/alerts/orders/{order.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "ack-form" in text
    resp = client.post(f"/alerts/orders/{order.id}/ack", data={"csrf_token": csrf_from(text), "note": "已落实"})
    assert resp.status_code == 302
    assert db.session.scalar(select(Receipt).where(Receipt.order_id == order.id)).note == "已落实"
    other = db.session.scalar(select(AlertOrder).where(AlertOrder.enterprise_id != order.enterprise_id))
    assert client.get(f"/alerts/orders/{other.id}").status_code == 404  # another enterprise's order
    assert client.get(ep_url).status_code == 404  # an enterprise does not see the episode page
    client.post("/logout", data={"csrf_token": _token(client, "/alerts/today")})

    login(client, "langfang", DEMO_PASSWORD)
    html = client.get(ep_url).get_data(as_text=True)
    assert "已落实" in html
    unack = client.get(ep_url + "?filter=unacknowledged").get_data(as_text=True)
    assert f'id="ent-{order.enterprise_id}"' not in unack
    resp = client.post(ep_url + "/resend", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 302
    assert client.get(ep_url + "/print").status_code == 200
    # the order as a PDF to hand over (registry/notices): the enterprise's name and the level in its text
    pdf = client.get(f"{ep_url}/print?format=pdf&enterprise_id={order.enterprise_id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert order.content["name"] in text and "橙色预警" in text
    ep_id = int(ep_url.rstrip("/").split("/")[-1])
    resp = client.post(f"{ep_url}/level", data={"csrf_token": csrf_from(html), "level": "red", "version": "",
                                                 "doc_number": "升级"})
    assert resp.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(AlertOrder).where(
        AlertOrder.episode_id == ep_id, AlertOrder.level == "red", AlertOrder.window_end.is_(None))) > 0
    resp = client.post(f"{ep_url}/lift", data={"csrf_token": csrf_from(html), "clear_hours": "40", "version": ""})
    assert resp.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(AlertOrder).where(
        AlertOrder.episode_id == ep_id, AlertOrder.window_end.is_(None))) == 0
    assert "已解除" in client.get(ep_url).get_data(as_text=True) or "Lifted" in client.get(ep_url).get_data(as_text=True)


def test_county_official_reads_but_does_not_issue(demo_city, client):
    county = db.session.scalar(select(User).where(User.role == "county", User.region_code.startswith("1310")))
    if county is None:
        pytest.skip("no Langfang county official in the demo")
    login(client, county.username, DEMO_PASSWORD)
    assert "issue-form" not in client.get("/alerts/").get_data(as_text=True)
