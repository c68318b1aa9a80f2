"""Grade systems kept apart (R-G-13), immutable decisions with their criteria, findings and downgrades."""
from __future__ import annotations

import pytest

from tests.builders import ANCI
from tests.builders.grades import build_application


@pytest.fixture()
def effective(db_app, make_user, make_enterprise):
    from registry.extensions import db

    county = make_user("county", ANCI)
    city = make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "effective", county=county, city=city)
    db.session.commit()
    return ent, owner, county, city, app


def _current(ent, system):
    from registry.grades import operations as ops

    return {d.industry: d.grade for d in ops.current_decisions(ent.id, system)}


def test_voc_class_c_never_changes_the_emergency_grade(effective):
    """R-G-13 (004:350): the VOC health-check class is a remediation order, not the emergency grade."""
    from registry.extensions import db
    from registry.grades import operations as ops

    ent, _owner, _county, city, _app = effective
    assert _current(ent, "emergency") == {"steel": "B"}
    ops.record_grade(city, ent.id, {"system": "voc_class", "industry": "steel", "grade": "C", "reason": "VOCs体检C类"})
    ops.record_grade(city, ent.id, {"system": "staggering", "industry": "steel", "grade": "low", "reason": "错峰50%-60%"})
    db.session.commit()
    assert _current(ent, "emergency") == {"steel": "B"}
    assert _current(ent, "voc_class") == {"steel": "C"}
    assert _current(ent, "staggering") == {"steel": "low"}


def test_fraud_lowers_the_emergency_grade_to_c_at_once_and_keeps_history(effective):
    """R-G-09 (003:17): fraud in the ultra-low evaluation → C; the old decision stays, superseded."""
    from registry.extensions import db
    from registry.grades import operations as ops

    ent, _owner, county, city, _app = effective
    ops.record_grade(city, ent.id, {"system": "voc_class", "industry": "steel", "grade": "A", "reason": "VOCs体检A类"})
    out = ops.record_finding(county, ent.id, {"kind": "fraud", "reason": "评估数据造假"})
    db.session.commit()
    assert [d.grade for d in out] == ["C"]
    assert out[0].reasons[0]["rule"] == "R-G-09"
    assert _current(ent, "emergency") == {"steel": "C"}
    assert _current(ent, "voc_class") == {"steel": "A"}  # another system: untouched
    history = [(d.kind, d.grade) for d in ops.history(ent.id) if d.system == "emergency"]
    assert history == [("fraud", "C"), ("approval", "B")]


def test_a_violation_lowers_one_step_by_default_and_to_c_when_configured(effective, db_app):
    from registry.extensions import db
    from registry.grades import operations as ops

    ent, _owner, county, _city, _app = effective
    ops.record_finding(county, ent.id, {"kind": "violation", "reason": "超标排放"})
    assert _current(ent, "emergency") == {"steel": "C"}  # B → C
    db.session.rollback()
    db_app.config["GRADE_VIOLATION_DOWNGRADE"] = "to_c"
    try:
        ops.record_finding(county, ent.id, {"kind": "violation", "reason": "超标排放"})
        assert _current(ent, "emergency") == {"steel": "C"}
    finally:
        db_app.config.pop("GRADE_VIOLATION_DOWNGRADE")


def test_decisions_are_immutable_and_store_the_criteria_pack(effective):
    from grading.criteria import get_criteria
    from registry.extensions import db
    from registry.grades import operations as ops

    ent, *_ = effective
    decision = ops.current_decisions(ent.id, "emergency")[0]
    steel = get_criteria("steel")
    assert decision.criteria == [steel.identity()]
    assert {r["key"] for r in decision.indicators} == {i.key for i in steel.indicators}
    assert decision.effective_from and decision.valid_until and decision.valid_until > decision.effective_from
    decision.grade = "A"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_override_needs_a_reason_and_is_recorded(db_app, make_user, make_enterprise):
    from registry.core.errors import ValidationFailed
    from registry.extensions import db
    from registry.grades import operations as ops

    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "county_accepted", county=county)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        ops.approve(city, app.id, {"version": app.version, "grade": "C"})
    db.session.rollback()
    out = ops.approve(city, app.id, {"version": app.version, "grade": "C", "reason": "现场核查：无组织排放控制不到位"})
    assert [(d.kind, d.grade, d.proposed_grade) for d in out] == [("override", "C", "B")]


def test_excluded_enterprise_cannot_submit_and_is_listed_ungraded(db_app, make_user, make_enterprise):
    """R-E-01 (003:52): not stably compliant → not within grading; shown as ungraded with the reason."""
    from registry.core.errors import Conflict
    from registry.extensions import db
    from registry.grades import operations as ops
    from registry.grades import queries

    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county, stably_compliant=False)
    other, _ = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "draft")
    db.session.commit()
    with pytest.raises(Conflict, match="R-E-01"):
        ops.submit_application(owner, app.id, {"version": app.version})
    db.session.rollback()
    rows = {r["enterprise_id"]: r for r in queries.ungraded(city)}
    assert rows[ent.id]["reason"] == "excluded" and rows[ent.id]["failed"] == ["stably_compliant"]
    assert rows[other.id]["reason"] == "not_applied"


def test_multi_industry_enterprise_takes_its_worst_industry(db_app, make_user, make_enterprise):
    from registry.enterprises import operations as eops
    from registry.extensions import db
    from registry.grades import operations as ops
    from tests.builders import line_payload
    from tests.builders.grades import STEEL_ANSWERS

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    eops.reopen_registration(owner, ent.id, {"version": ent.version})
    coke = eops.add_line(owner, ent.id, line_payload("L2", name="1号焦炉", sector="coking", sub_type="none", kind="coke_oven"))
    eops.submit_registration(owner, ent.id, {"version": ent.version})
    eops.approve_registration(county, ent.id, {"version": ent.version})
    app = ops.create_application(owner, {"enterprise_id": ent.id, "industries": {
        "steel": {"line_ids": [ent.lines[0].id], "answers": dict(STEEL_ANSWERS, clean_transport_share=85)},
        "coking": {"line_ids": [coke.id], "answers": dict(STEEL_ANSWERS, nox_mg_m3=150)}}})
    db.session.commit()
    result = ops.proposal(app)
    assert dict((i, g.value) for i, g in result.by_industry) == {"steel": "A", "coking": "B"}
    assert result.grade.value == "B"


def test_ungraded_page_is_the_list_counted_in_sql(db_app, client, make_user, make_enterprise):
    """Issue 18 item 4: the ungraded page (R-E-01 003:52, R-G-05 003:51) reads one page and counts in SQL — the same
    rows, order and counts as the whole list, page by page."""
    from registry.extensions import db
    from registry.grades import queries
    from tests.builders import login

    county, city = make_user("county", ANCI), make_user("city", "131000")
    for i in range(5):
        make_enterprise(ANCI, approved_by=county, stably_compliant=(i % 2 == 0))
    db.session.commit()
    whole = queries.ungraded(city)
    assert len(whole) == 5
    pages = [queries.ungraded_page(city, n, 2) for n in (1, 2, 3)]
    assert [r for items, _c in pages for r in items] == whole
    assert pages[0][1] == {"total": 5, "excluded": sum(1 for r in whole if r["reason"] == "excluded")} == pages[2][1]
    login(client, city.username)
    page = client.get("/grades/ungraded").get_data(as_text=True)
    assert page.count('data-reason="') == 5
