"""Who may import what (issue 8 §4; decided in registry/exchange/plan.py).

Officials import within their region only: rows outside it are reported, not written.
Enterprise accounts import only their own enterprise's records, while the registration is a
draft or returned — as on the pages — and cannot create enterprises by import.
"""
from __future__ import annotations

from tests.builders import ANCI, GUANGYANG, ZHENGDING
from tests.builders.files import enterprise_row, equipment_row, line_row, permit_row, workbook
from tests.integration.exchange.conftest import counts, problems


def test_county_official_rows_outside_the_county_are_reported_not_written(do_import, make_user):
    county = make_user("county", ANCI)
    data = workbook({"enterprises": [enterprise_row(1, ANCI), enterprise_row(2, GUANGYANG)],
                     "lines": [line_row(1, region=ANCI), line_row(2, region=GUANGYANG)]})
    report = do_import(county, data)
    assert not report.written
    errs = problems(report)
    assert [(s, r, c) for s, r, c, _m in errs] == [("enterprises", 3, "所在县（区）代码")]
    assert counts()["enterprise"] == 0


def test_official_import_in_scope_is_approved_and_visible_to_them(do_import, make_user):
    city = make_user("city", "131000")
    report = do_import(city, workbook({"enterprises": [enterprise_row(1, ANCI), enterprise_row(2, GUANGYANG)],
                                       "permits": [permit_row(1, region=ANCI)]}))
    assert report.written, problems(report)
    from registry.enterprises.models import Enterprise
    from registry.enterprises.queries import visible_enterprises
    from registry.extensions import db

    seen = db.session.scalars(visible_enterprises(city)).all()
    assert len(seen) == 2 and {e.status for e in seen} == {"approved"}
    county_out = make_user("county", ZHENGDING)
    assert db.session.scalars(visible_enterprises(county_out)).all() == []
    assert all(e.created_by_id == city.id for e in db.session.query(Enterprise).all())


def test_official_cannot_change_enterprises_outside_scope_or_unsubmitted_drafts(do_import, make_user, make_enterprise):
    draft, _owner = make_enterprise(ANCI)                      # never submitted: private to its enterprise
    other, _o2 = make_enterprise(GUANGYANG, submitted=True)    # submitted, but in another county
    county = make_user("county", ANCI)
    before = counts()
    data = workbook({
        "enterprises": [enterprise_row(1, ANCI, name="官员改名"), enterprise_row(2, GUANGYANG, name="越权改名")],
        "lines": [line_row(1, "L9", region=ANCI)],
    })
    report = do_import(county, data)
    assert not report.written
    wrong = {(s, r, c) for s, r, c, _m in problems(report)}
    assert ("enterprises", 2, "统一社会信用代码") in wrong
    assert ("enterprises", 3, "统一社会信用代码") in wrong or ("enterprises", 3, "所在县（区）代码") in wrong
    assert counts() == before


def test_official_can_update_a_submitted_enterprise_in_scope(do_import, make_user, make_enterprise):
    ent, _owner = make_enterprise(ANCI, submitted=True)
    county = make_user("county", ANCI)
    report = do_import(county, workbook({"lines": [line_row(1, "L2", region=ANCI)]}))
    assert report.written and report.sheets[0].create == 1, problems(report)


def test_enterprise_user_imports_own_lines_and_permits_while_draft(do_import, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    data = workbook({"lines": [line_row(1, "L2")], "equipment": [equipment_row(1, "L2", "2#炉")],
                     "permits": [permit_row(1, number="P-NEW-1")]})
    report = do_import(owner, data)
    assert report.written, problems(report)
    assert [(s.key, s.create) for s in report.sheets] == [("lines", 1), ("equipment", 1), ("permits", 1)]


def test_enterprise_user_is_refused_once_submitted(do_import, make_enterprise):
    ent, owner = make_enterprise(ANCI, submitted=True)
    report = do_import(owner, workbook({"lines": [line_row(1, "L2")]}))
    assert not report.written
    assert [(s, r, c) for s, r, c, _m in problems(report)] == [("lines", 2, "企业统一社会信用代码")]


def test_enterprise_user_cannot_touch_another_enterprise_or_create_one(do_import, make_enterprise):
    mine, owner = make_enterprise(ANCI)
    theirs, _other = make_enterprise(ANCI)
    before = counts()
    data = workbook({
        "enterprises": [enterprise_row(2), enterprise_row(50)],   # someone else's, and a new one
        "lines": [line_row(2, "L7")],
        "permits": [permit_row(2, number="P-X")],
    })
    report = do_import(owner, data)
    assert not report.written
    wrong = {(s, r) for s, r, _c, _m in problems(report)}
    # the enterprise rows carry the refusal; their lines and permits are not reported twice
    assert wrong == {("enterprises", 2), ("enterprises", 3)}
    assert counts() == before
    # without the enterprise row, the other enterprise's lines and permits are refused themselves
    report = do_import(owner, workbook({"lines": [line_row(2, "L7")], "permits": [permit_row(2, number="P-X")]}))
    assert {(s, r) for s, r, _c, _m in problems(report)} == {("lines", 2), ("permits", 2)}
    assert counts() == before


def test_anonymous_is_refused(db_app):
    import pytest

    from registry.core.errors import Unauthenticated
    from registry.exchange import operations as ops

    class Anonymous:
        is_authenticated = False

    with pytest.raises(Unauthenticated):
        ops.import_workbook(Anonymous(), b"", "x.xlsx", dry_run=True)
    with pytest.raises(Unauthenticated):
        ops.export(Anonymous(), "all")


def test_exports_are_scoped_like_the_lists(do_import, admin, make_user, make_enterprise):
    assert do_import(admin, workbook({"enterprises": [enterprise_row(1, ANCI), enterprise_row(2, GUANGYANG)]})).written
    from registry.exchange import exporter

    county = make_user("county", ANCI)
    assert exporter.export_frames(county)["enterprises"]["region_code"].tolist() == [ANCI]
    ent, owner = make_enterprise(ZHENGDING)
    mine = exporter.export_frames(owner)
    assert mine["enterprises"]["uscc"].tolist() == [ent.uscc] and len(mine["lines"]) == 1 and len(mine["permits"]) == 1
