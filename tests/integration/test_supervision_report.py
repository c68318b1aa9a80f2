"""R-V-05 (000:71, issue 14 point 7): the county supervision listing (挂牌督办) is a report officials run from a page
(their region only, labels not codes, CSV and Excel exports with neutralised cells) and through the API (in the
OpenAPI), over real HTTP on both databases."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from registry.enterprises import operations as ops
from registry.extensions import db
from tests.builders import ANCI, GUANGYANG, ZHENGDING, line_payload, login

PACK = "langfang-2017-18"


@pytest.fixture()
def counties(db_app, make_enterprise, make_user):
    """安次: one enterprise whose boiler transmits 85 % (listed); 广阳: 98 % (not listed); 正定 (Shijiazhuang):
    85 % but outside Langfang."""
    made = {}
    for region, rate in ((ANCI, "85"), (GUANGYANG, "98"), (ZHENGDING, "85")):
        ent, owner = make_enterprise(region)
        ops.add_line(owner, ent.id, line_payload("B1", kind="boiler", fuel="coal", has_cems=True, cems_transmission_rate=rate))
        ops.submit_registration(owner, ent.id, {"version": ent.version})
        made[region] = ent
    db.session.commit()
    return made


def test_city_official_runs_the_listing_page_for_their_region_only(counties, client, make_user):
    city = make_user("city", "131000")
    login(client, city.username)
    r = client.get(f"/supervision/?pack={PACK}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f'data-county="{ANCI}" data-listed="yes"' in page and f'data-county="{GUANGYANG}" data-listed="no"' in page
    assert ZHENGDING not in page  # another city: not in scope
    assert "安次区" in page and counties[ANCI].name in page  # labels and names, not codes only
    # the declared readings cited: the clause in words (issue 16), the rule id on hover; one title, not "(挂牌督办)" twice
    assert "《廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案》" in page and 'title="R-V-05"' in page
    assert "county_rate_reading" not in page and "(挂牌督办)" not in page

    csv = client.get(f"/supervision/export.csv?pack={PACK}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "安次区" in text and "正定" not in text
    xlsx = client.get(f"/supervision/export.xlsx?pack={PACK}")
    assert xlsx.status_code == 200
    sheet = pd.read_excel(io.BytesIO(xlsx.data), sheet_name="挂牌督办", header=1, engine="calamine")
    listed = sheet[sheet["是否挂牌督办 (listed)"] == "是 (yes)"]
    assert len(listed) == 1 and "安次区" in listed.iloc[0]["区县 (county)"]


def test_county_official_sees_their_county_and_enterprises_are_refused(counties, client, make_user, make_enterprise):
    county = make_user("county", GUANGYANG)
    login(client, county.username)
    page = client.get(f"/supervision/?pack={PACK}").get_data(as_text=True)
    assert f'data-county="{GUANGYANG}"' in page and f'data-county="{ANCI}"' not in page
    client.post("/logout")
    member = make_user("enterprise")
    login(client, member.username)
    assert client.get(f"/supervision/?pack={PACK}").status_code == 403
    assert client.get(f"/supervision/export.csv?pack={PACK}").status_code == 403


def test_export_cells_are_neutralised(db_app, client, make_enterprise, make_user):
    """An enterprise name starting with '=' comes out as text in the CSV, not a formula (OWASP CSV injection)."""
    from registry.enterprises.models import Enterprise

    ent, owner = make_enterprise(ANCI)
    ops.add_line(owner, ent.id, line_payload("B1", kind="boiler", fuel="coal", has_cems=True, cems_transmission_rate="80"))
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    db.session.get(Enterprise, ent.id).name = "=HYPERLINK(\"x\")"
    db.session.commit()
    city = make_user("city", "131000")
    login(client, city.username)
    text = client.get(f"/supervision/export.csv?pack={PACK}").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_api_listing_scoped_and_in_openapi(counties, client, make_user):
    from registry.accounts.operations import create_token

    city = make_user("city", "131000")
    _t, secret = create_token(city, {"name": "t"})
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    r = client.get(f"/api/v1/supervision-listing?pack={PACK}", headers=headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["pack"] == PACK and body["on"]
    rows = {row["county"]: row for row in body["items"]}
    assert set(rows) == {ANCI, GUANGYANG}
    assert rows[ANCI]["listed"] and rows[ANCI]["low_transmission"] == [counties[ANCI].name]
    assert rows[ANCI]["county_label"].endswith("安次区")
    assert any(x["source"] == "000:71" for x in rows[ANCI]["reasons"])
    assert client.get(f"/api/v1/supervision-listing?pack={PACK}").status_code == 401
    assert client.get("/api/v1/supervision-listing?pack=jjj-2019-20", headers=headers).status_code == 422
    assert client.get("/api/v1/supervision-listing?pack=nope", headers=headers).status_code == 404
    member = make_user("enterprise")
    _t, secret2 = create_token(member, {"name": "t"})
    db.session.commit()
    assert client.get(f"/api/v1/supervision-listing?pack={PACK}",
                      headers={"Authorization": f"Bearer {secret2}"}).status_code == 403
    spec = client.get("/api/openapi.json")
    if spec.status_code == 404:
        spec = client.get("/api/v1/openapi.json")
    assert "/api/v1/supervision-listing" in spec.get_json()["paths"]


def test_a_large_region_chooses_a_county_first(counties, client, make_user, monkeypatch):
    """Issue 18 item 4 (pages at province scale): a region of more enterprises than the page runs the engine for
    (a city of thousands, the province) first chooses a county (选择区县), then gets that county's listing; the
    exports still list every county; a county outside the region is not found."""
    from registry.policy import supervision

    monkeypatch.setattr(supervision, "PAGE_LIMIT", 1)
    city = make_user("city", "131000")
    login(client, city.username)
    page = client.get(f"/supervision/?pack={PACK}").get_data(as_text=True)
    assert 'id="supervision-choose"' in page and 'id="supervision-listing"' not in page
    assert f'<tr data-county="{ANCI}">' in page and f'<tr data-county="{GUANGYANG}">' in page and ZHENGDING not in page
    assert "安次区" in page and counties[ANCI].name not in page  # counties by name, no engine run yet
    one = client.get(f"/supervision/?pack={PACK}&county={ANCI}")
    assert one.status_code == 200
    page = one.get_data(as_text=True)
    assert f'data-county="{ANCI}" data-listed="yes"' in page and f'data-county="{GUANGYANG}" data-listed=' not in page
    assert counties[ANCI].name in page
    text = client.get(f"/supervision/export.csv?pack={PACK}").get_data(as_text=True)
    assert "安次区" in text and "广阳区" in text
    assert client.get(f"/supervision/?pack={PACK}&county={ZHENGDING}").status_code == 404
    assert client.get(f"/supervision/?pack={PACK}&county=13'--").status_code == 400


def test_a_remembered_county_listing_follows_the_records(counties, client, make_user):
    """Issue 18 item 4: a county's listing is remembered while its records stay the same — a line's transmission
    rate raised to 98 % (R-V-05, 000:71) unlists the county at once; another city's official gets no remembered
    rows of a county outside their region, not even through the exports."""
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.enterprises.models import ProductionLine

    county = make_user("county", ANCI)
    login(client, county.username)
    assert f'data-county="{ANCI}" data-listed="yes"' in client.get(f"/supervision/?pack={PACK}").get_data(as_text=True)
    ent = counties[ANCI]
    db.session.refresh(ent)
    owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
    line = db.session.scalar(select(ProductionLine).where(ProductionLine.enterprise_id == ent.id, ProductionLine.code == "B1"))
    ops.return_registration(county, ent.id, {"version": ent.version, "reason": "传输率复核"})
    ops.update_line(owner, line.id, line_payload("B1", kind="boiler", fuel="coal", has_cems=True,
                                                           cems_transmission_rate="98"), expected_version=line.version)
    db.session.commit()
    assert f'data-county="{ANCI}" data-listed="no"' in client.get(f"/supervision/?pack={PACK}").get_data(as_text=True)
    client.post("/logout")
    other = make_user("city", "130100")
    login(client, other.username)
    assert client.get(f"/supervision/export.csv?pack={PACK}&county={ANCI}").status_code == 404
    assert client.get(f"/supervision/?pack={PACK}&county={ANCI}").status_code == 404
