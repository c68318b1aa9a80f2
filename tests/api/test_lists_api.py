"""Scoped lists with filters and pagination, and the public reference data (vocabularies, regions)."""
from __future__ import annotations

from tests.builders import ANCI, GUANGYANG, ZHENGDING


def _world(make_user, make_enterprise):
    """Five submitted enterprises: three in 安次区 (two steel, one cement), one in 广阳区, one in 正定县."""
    made = [
        make_enterprise(ANCI, submitted=True, name="廊坊甲钢铁有限公司"),
        make_enterprise(ANCI, submitted=True, name="廊坊乙钢铁有限公司"),
        make_enterprise(ANCI, submitted=True, name="廊坊丙水泥有限公司", sector="cement"),
        make_enterprise(GUANGYANG, submitted=True, name="广阳丁钢铁有限公司"),
        make_enterprise(ZHENGDING, submitted=True, name="正定戊钢铁有限公司"),
    ]
    make_enterprise(ANCI, name="廊坊己草稿有限公司")  # a draft: no official sees it
    return made


def test_each_official_lists_their_subtree_only(api_client, make_user, make_enterprise, token_for):
    made = _world(make_user, make_enterprise)
    totals = {
        ("county", ANCI): 3,
        ("city", "131000"): 4,
        ("province", "130000"): 5,
        ("province", "120000"): 0,
    }
    for (role, region), total in totals.items():
        r = api_client.get("/api/v1/enterprises", headers=token_for(make_user(role, region)))
        assert r.status_code == 200
        assert r.get_json()["meta"]["total"] == total, (role, region)
        assert r.headers["X-Total-Count"] == str(total)
    owner = made[0][1]
    mine = api_client.get("/api/v1/enterprises", headers=token_for(owner)).get_json()["items"]
    assert [e["name"] for e in mine] == ["廊坊甲钢铁有限公司"]
    # the system administrator manages accounts, not enterprises (issue 13 M9, 三员分立)
    assert api_client.get("/api/v1/enterprises", headers=token_for(make_user("admin"))).get_json()["meta"]["total"] == 0


def test_filters_and_pagination(api_client, make_user, make_enterprise, token_for):
    _world(make_user, make_enterprise)
    city = token_for(make_user("city", "131000"))

    def listing(query: str) -> dict:
        r = api_client.get(f"/api/v1/enterprises?{query}", headers=city)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    assert [e["name"] for e in listing("sector=cement")["items"]] == ["廊坊丙水泥有限公司"]
    assert listing(f"region_code={GUANGYANG}")["meta"]["total"] == 1
    assert listing(f"region_code={ANCI}&sector=steel")["meta"]["total"] == 2
    assert listing("q=乙钢铁")["meta"]["total"] == 1
    assert listing("status=approved")["meta"]["total"] == 0
    assert listing("status=submitted&sector=")["meta"]["total"] == 4

    first = listing("per_page=3&page=1")
    second = listing("per_page=3&page=2")
    assert first["meta"] == {"page": 1, "per_page": 3, "total": 4, "pages": 2}
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    assert set(first["items"][0]) >= {"id", "version", "uscc", "name", "region_code", "sector", "status"}


def test_unknown_filter_values_are_422_naming_the_parameter(api_client, make_user, token_for):
    headers = {**token_for(make_user("county", ANCI)), "Accept-Language": "en"}
    r = api_client.get("/api/v1/enterprises?status=lost&sector=spaceship&page=x", headers=headers)
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert set(errors) == {"status", "sector", "page"}
    assert errors["status"][0] == "Unknown value “lost”. Allowed: draft, submitted, returned, approved"


def test_vocabularies_are_public_with_codes_and_chinese_labels(api_client):
    r = api_client.get("/api/v1/vocabularies")
    assert r.status_code == 200
    vocabularies = {v["name"]: v for v in r.get_json()["items"]}
    assert {"sector", "sub_type", "line_kind", "fuel", "emission_status", "pollutant", "alert_level",
            "permit_kind", "permit_status"} <= set(vocabularies)
    sector = {v["code"]: v["label_zh"] for v in vocabularies["sector"]["values"]}
    assert sector["steel"] == "钢铁" and sector["cement"] == "水泥"
    from grading import vocab

    assert vocabularies["line_kind"]["title"] == "LineKind"
    assert [v["code"] for v in vocabularies["fuel"]["values"]] == vocab.Fuel.codes()


def test_regions_are_public_and_browsable_from_the_provinces_down(api_client):
    provinces = api_client.get("/api/v1/regions").get_json()
    assert provinces["parent"] is None
    names = {r["code"]: r["name"] for r in provinces["items"]}
    assert names["130000"] == "河北省" and all(r["level"] == "province" for r in provinces["items"])

    langfang = api_client.get("/api/v1/regions?parent=131000").get_json()
    assert langfang["parent"]["code"] == "131000"
    counties = {r["code"]: r for r in langfang["items"]}
    assert counties[ANCI]["name"] == "安次区" and counties[ANCI]["parent_code"] == "131000"

    r = api_client.get("/api/v1/regions?parent=999999")
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
