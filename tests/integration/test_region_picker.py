"""Issue 16 — region pickers: a cascading province → city → county picker backed by a server search, limited
to the user's region, degrading to a text box that takes a name or a code; the enterprise form under 100 KB.

The JSON endpoints read the bundled GB/T 2260 table (public data); each consumer resolves what its box
received and names the field when the text names no region, or several."""
from __future__ import annotations

import re

from registry.enterprises.models import Enterprise
from registry.extensions import db
from tests.builders import ANCI, PASSWORD, csrf_from, enterprise_payload, login

LANGFANG, GUANGYANG = "131000", "131003"


def _page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def _errors_for(html: str, field_name: str) -> list[str]:
    m = re.search(rf'<ul class="field-errors"[^>]*data-field="{re.escape(field_name)}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", m.group(1), re.S) if m else []


def test_children_walk_province_city_county_and_stay_inside_within(client):
    """Issue 16: province → city → county, each level from the server; `within` keeps the user's subtree."""
    provinces = client.get("/regions/children").get_json()["items"]
    assert {"110000", "130000", "650000"} <= {p["code"] for p in provinces}
    cities = client.get("/regions/children?parent=130000").get_json()["items"]
    assert LANGFANG in {c["code"] for c in cities} and all(c["level"] == "city" for c in cities)
    counties = {c["code"]: c for c in client.get(f"/regions/children?parent={LANGFANG}").get_json()["items"]}
    assert counties[ANCI]["name"] == "安次区" and counties[ANCI]["holds_enterprises"]
    assert counties[ANCI]["path"] == ["130000", LANGFANG, ANCI]
    # a Langfang official's picker: only Hebei, only Langfang, all of Langfang's counties
    assert [p["code"] for p in client.get(f"/regions/children?within={LANGFANG}").get_json()["items"]] == ["130000"]
    assert [c["code"] for c in client.get(f"/regions/children?parent=130000&within={LANGFANG}").get_json()["items"]] == [LANGFANG]
    assert ANCI in {c["code"] for c in client.get(f"/regions/children?parent={LANGFANG}&within={LANGFANG}").get_json()["items"]}
    assert client.get("/regions/children?parent=130000&within=131002").get_json()["items"][0]["code"] == LANGFANG


def test_search_finds_by_name_full_name_and_code_and_respects_level_and_within(client):
    by_name = client.get("/regions/search", query_string={"q": "安次"}).get_json()["items"]
    assert [r["code"] for r in by_name] == [ANCI] and by_name[0]["label"] == "河北省 廊坊市 安次区"
    assert client.get("/regions/search", query_string={"q": "廊坊市广阳"}).get_json()["items"][0]["code"] == GUANGYANG
    assert client.get("/regions/search", query_string={"q": "1310", "level": "county"}).get_json()["items"][0]["code"].startswith("1310")
    several = client.get("/regions/search", query_string={"q": "和平区"}).get_json()["items"]
    assert len(several) >= 2
    assert client.get("/regions/search", query_string={"q": "和平区", "within": "120000"}).get_json()["items"][0]["code"] == "120101"
    in_langfang = [r["code"] for r in client.get("/regions/search", query_string={"q": "廊坊市", "level": "enterprise"}).get_json()["items"]]
    assert ANCI in in_langfang and LANGFANG not in in_langfang  # its counties, not the city itself
    assert len(client.get("/regions/search", query_string={"q": "区"}).get_json()["items"]) == 20  # at most 20


def test_resolve_takes_a_code_a_name_or_a_full_name_and_refuses_an_ambiguous_name(app):
    from registry.core.regions import resolve

    with app.test_request_context():
        assert resolve("131002") == (ANCI, None)
        assert resolve("安次区 (131002)") == (ANCI, None)
        assert resolve("安次区") == (ANCI, None)
        assert resolve("河北省 廊坊市 安次区") == (ANCI, None)
        assert resolve("东莞", level="enterprise") == ("441900", None)
        text, problem = resolve("和平区")
        assert text == "和平区" and "120101" in problem and "210102" in problem
        assert resolve("和平区", within="12")[0] == "120101"
        assert resolve("不存在的地方")[1]
        assert resolve("  ") == ("", None)


def test_enterprise_form_is_small_and_takes_a_typed_name_without_javascript(client, make_user):
    """Issue 16 / speed: the registration form was a 186 KB select of 2,979 counties; now a picker (< 100 KB).
    Without JavaScript the box takes the county's name."""
    owner = make_user("enterprise")
    login(client, owner.username)
    html = _page(client, "/enterprises/new")
    assert len(html.encode()) < 100_000
    assert "data-region-picker" in html and html.count("<option") < 300
    data = enterprise_payload(7, ANCI)
    data.update(csrf_token=csrf_from(html), conforms_to_industrial_policy="y", region_code="廊坊市安次区")
    resp = client.post("/enterprises/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    ent = db.session.get(Enterprise, int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert ent.region_code == ANCI
    edit = _page(client, f"/enterprises/{ent.id}/edit")
    assert 'data-path="130000,131000,131002"' in edit and len(edit.encode()) < 100_000


def test_an_ambiguous_or_unknown_region_name_is_refused_beside_the_field_with_the_input_kept(client, make_user):
    owner = make_user("enterprise")
    login(client, owner.username)
    html = _page(client, "/enterprises/new")
    for typed, expected in (("和平区", "120101"), ("廊坊市", "廊坊市"), ("火星市", "火星市")):
        data = enterprise_payload(8, ANCI)
        data.update(csrf_token=csrf_from(html), region_code=typed)
        resp = client.post("/enterprises/new", data=data, headers={"Accept-Language": "zh"})
        assert resp.status_code == 422
        page = resp.get_data(as_text=True)
        errors = _errors_for(page, "region_code")
        assert errors and expected in errors[0], (typed, errors)
        assert f'value="{typed}"' in page  # what was typed comes back


def test_schedule_generation_takes_a_region_name_and_names_the_field_when_refused(client, make_user):
    """The official's box starts at their own region; a text that names no region comes back beside the box."""
    city = make_user("city", LANGFANG)
    login(client, city.username)
    html = _page(client, "/schedules/")
    assert f'data-root="{LANGFANG}"' in html and "data-region-picker" in html
    resp = client.post("/schedules/", data={"csrf_token": csrf_from(html), "region_code": "火星市", "pack_id": "langfang-2017-18",
                                            "season_year": "2017", "title": "我的标题"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert _errors_for(page, "region_code") and 'value="我的标题"' in page and 'value="火星市"' in page
    resp = client.post("/schedules/", data={"csrf_token": csrf_from(html), "region_code": "河北省廊坊市", "pack_id": "langfang-2017-18",
                                            "season_year": "1999"})
    assert resp.status_code == 422 and _errors_for(resp.get_data(as_text=True), "season_year")


def test_admin_user_form_takes_a_region_name(client, make_user):
    admin = make_user("admin")
    login(client, admin.username)
    html = _page(client, "/admin/users/new")
    assert "data-region-picker" in html
    resp = client.post("/admin/users/new", data={"csrf_token": csrf_from(html), "username": "guangyang-officer", "role": "county",
                                                 "region_code": "广阳区", "password": PASSWORD, "active": "y"})
    assert resp.status_code == 302
    from registry.accounts.models import User

    assert db.session.scalar(db.select(User.region_code).where(User.username == "guangyang-officer")) == GUANGYANG
    resp = client.post("/admin/users/new", data={"csrf_token": csrf_from(html), "username": "nowhere-officer", "role": "county",
                                                 "region_code": "和平区", "password": PASSWORD, "active": "y"})
    assert resp.status_code == 422 and "120101" in _errors_for(resp.get_data(as_text=True), "region_code")[0]


def test_public_filters_take_a_region_name(client):
    assert "data-region-picker" in _page(client, "/public/grades?region=安次区")
    page = _page(client, "/public/grades?region=和平区")
    assert _errors_for(page, "region")
    assert "data-region-picker" in _page(client, "/public/schedules/?region=廊坊市")
    assert _errors_for(_page(client, "/public/schedules/?region=火星市"), "region")


def test_the_officials_enterprise_list_filters_by_a_region_inside_their_own(client, make_user, make_enterprise):
    in_anci, _o = make_enterprise(ANCI, submitted=True)
    in_guangyang, _o2 = make_enterprise(GUANGYANG, submitted=True)
    city = make_user("city", LANGFANG)
    login(client, city.username)
    html = _page(client, "/enterprises/")
    assert f'data-root="{LANGFANG}"' in html and "data-region-picker" in html
    filtered = _page(client, "/enterprises/?region_code=安次区")
    assert in_anci.name in filtered and in_guangyang.name not in filtered
    assert in_guangyang.name in _page(client, f"/enterprises/?region_code={GUANGYANG}")
    nowhere = _page(client, "/enterprises/?region_code=和平区")  # Tianjin's and Shenyang's, neither in Langfang
    assert _errors_for(nowhere, "region_code") and in_anci.name not in nowhere
