"""Cities without a county level (不设区的地级市) hold their enterprises directly.

Which cities these are comes from the bundled GB/T 2260 table (registry/core/data/regions.csv, rebuilt by
scripts/update_regions.py, which drops the package's repetition of such a city as its own county): 东莞 441900,
中山 442000 and 儋州 460400 have no county child. 嘉峪关 620200 does have one in this table (620201, repeating the
city's name), so its enterprises register in 620201 like any county's. A city that has counties is refused with a
message naming it; scope rules are unchanged: the city's and the province's officials see the enterprise, and
no county official can exist there (a county official needs a county-level region).
"""
from __future__ import annotations

import pytest

from tests.builders import enterprise_payload, line_payload, login, permit_payload

DONGGUAN, ZHONGSHAN, DANZHOU, JIAYUGUAN, JIAYUGUAN_COUNTY = "441900", "442000", "460400", "620200", "620201"
SHENZHEN = "440300"  # a city with districts


def test_the_table_says_which_cities_have_no_county():
    from registry.core.regions import cities_without_counties, enterprise_region_codes

    assert cities_without_counties() == {DONGGUAN, ZHONGSHAN, DANZHOU}
    assert JIAYUGUAN not in enterprise_region_codes() and JIAYUGUAN_COUNTY in enterprise_region_codes()
    assert SHENZHEN not in enterprise_region_codes() and "440000" not in enterprise_region_codes()


@pytest.mark.parametrize("code", [DONGGUAN, ZHONGSHAN, DANZHOU, JIAYUGUAN_COUNTY])
def test_an_enterprise_registers_in_a_city_without_counties(db_app, make_user, code):
    from registry.enterprises import operations as ops
    from registry.extensions import db

    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(1, code))
    db.session.commit()
    assert ent.region_code == code


@pytest.mark.parametrize("code,words", [
    (SHENZHEN, ["深圳市", SHENZHEN, "县"]),
    (JIAYUGUAN, ["嘉峪关市", JIAYUGUAN, "县"]),
    ("440000", ["不设区的市"]),
])
def test_a_city_with_counties_is_refused_in_chinese_naming_the_field(db_app, make_user, code, words):
    from registry.core.errors import ValidationFailed
    from registry.enterprises import operations as ops

    with pytest.raises(ValidationFailed) as exc:
        ops.register_enterprise(make_user("enterprise"), enterprise_payload(2, code))
    (message,) = exc.value.errors["region_code"]
    assert all(w in message for w in words), message


def _submitted(make_user, code: str):
    from registry.enterprises import operations as ops
    from registry.extensions import db

    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(3, code))
    ops.add_line(owner, ent.id, line_payload())
    ops.add_permit(owner, ent.id, permit_payload(f"P-{code}-3"))
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    db.session.commit()
    return ent, owner


def test_city_and_province_officials_of_that_city_see_and_review_it_others_do_not(db_app, make_user):
    from registry.core.errors import NotFound, ValidationFailed
    from registry.enterprises import operations as ops
    from registry.enterprises.queries import visible_enterprises
    from registry.extensions import db

    ent, _owner = _submitted(make_user, DONGGUAN)
    city, province = make_user("city", DONGGUAN), make_user("province", "440000")
    other_city = make_user("city", ZHONGSHAN)
    for official in (city, province):
        assert ops.get_enterprise(official, ent.id).id == ent.id
        assert ent.id in {e.id for e in db.session.scalars(visible_enterprises(official))}
    with pytest.raises(NotFound):
        ops.get_enterprise(other_city, ent.id)
    assert ent.id not in {e.id for e in db.session.scalars(visible_enterprises(other_city))}
    with pytest.raises(ValidationFailed) as exc:  # a "county" official cannot exist in a city without counties
        make_user("county", DONGGUAN)
    assert "region_code" in exc.value.errors
    ops.approve_registration(city, ent.id, {"version": ent.version})
    db.session.commit()
    assert ent.status == "approved"


def test_the_city_acts_for_the_county_level_in_grading_there(db_app, make_user):
    """The packs' review step names the county; where no county exists the city official acts for it."""
    from registry.extensions import db
    from registry.grades import auth
    from registry.grades import operations as ops
    from tests.builders.grades import build_application, use_temp_evidence_dir

    db_app.config["GRADE_EVIDENCE_DIR"] = str(__import__("tempfile").mkdtemp())
    use_temp_evidence_dir()
    ent, owner = _submitted(make_user, DONGGUAN)
    city = make_user("city", DONGGUAN)
    from registry.enterprises import operations as eops

    eops.approve_registration(city, ent.id, {"version": ent.version})
    app = build_application(owner, ent, "submitted")
    db.session.commit()
    assert auth.can_review_documents(city, app)
    assert not auth.can_review_documents(make_user("city", ZHONGSHAN), app)
    ops.review_documents(city, app.id, {"version": app.version})
    # four eyes (issue 13 L11): another official of the city approves what this one reviewed
    ops.approve(make_user("city", DONGGUAN), app.id, {"version": app.version})
    db.session.commit()
    assert app.status == "publicity"
    db_app.config.pop("GRADE_EVIDENCE_DIR", None)


def test_the_api_accepts_the_city_and_refuses_a_city_with_counties(db_app, client, make_user):
    from registry.accounts.operations import create_token
    from registry.extensions import db

    owner = make_user("enterprise")
    _token, secret = create_token(owner, {"name": "regions"})
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "zh"}
    bad = client.post("/api/v1/enterprises", json=enterprise_payload(4, SHENZHEN), headers=headers)
    assert bad.status_code == 422, bad.get_json()
    assert "深圳市" in bad.get_json()["errors"]["region_code"][0]
    ok = client.post("/api/v1/enterprises", json=enterprise_payload(4, ZHONGSHAN), headers=headers)
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["region_code"] == ZHONGSHAN


def test_the_registration_form_offers_the_city_and_not_a_city_with_counties(db_app, client, make_user):
    make_user("enterprise", username="form.regions")
    login(client, "form.regions")
    assert client.get("/enterprises/new").status_code == 200
    # the picker (issue 16) asks the server for each level: a city without counties holds enterprises itself
    hainan = {r["code"]: r for r in client.get("/regions/children?parent=460000").get_json()["items"]}
    assert hainan[DANZHOU]["holds_enterprises"] and not hainan[DANZHOU]["has_children"]
    gansu = {r["code"]: r for r in client.get("/regions/children?parent=620000").get_json()["items"]}
    assert not gansu[JIAYUGUAN]["holds_enterprises"]
    found = client.get(f"/regions/search?q={JIAYUGUAN_COUNTY}&level=enterprise").get_json()["items"]
    assert [r["code"] for r in found] == [JIAYUGUAN_COUNTY]
    shenzhen = {r["code"]: r for r in client.get("/regions/children?parent=440000").get_json()["items"]}[SHENZHEN]
    assert not shenzhen["holds_enterprises"] and shenzhen["has_children"]


def test_the_importer_accepts_the_city_and_reports_a_city_with_counties(db_app):
    from flask_babel import force_locale

    from registry.accounts.auth import SYSTEM
    from registry.exchange import operations as xops
    from registry.extensions import db
    from tests.builders.files import enterprise_row, workbook

    rows = [enterprise_row(11, DONGGUAN), enterprise_row(12, SHENZHEN), enterprise_row(13, "440000")]
    with force_locale("zh"):
        report = xops.import_workbook(SYSTEM, workbook({"enterprises": rows}), "register.xlsx", dry_run=True).report
    db.session.rollback()
    errors = {p.row: p.reason for p in report.problems if p.severity == "error"}
    assert 2 not in errors, errors
    assert "县" in errors[3] and "市" in errors[3]
    assert "不设区的市" in errors[4]
