"""The standing grade through the database: schedules (grade_facts) and the emergency list (effective_grades)
read one rule (registry/grades/current.py; the rule's cases: tests/unit/grades_current_cases.yaml)."""
from __future__ import annotations

from datetime import timedelta

from tests.builders import ANCI
from tests.builders.grades import build_application


def _both(ent_id, on):
    from registry.grades.current import effective_grades, grade_facts

    facts = grade_facts([ent_id], on).get(ent_id, {})
    return effective_grades([ent_id], on).get(ent_id), [g["grade"] for g in facts.get("emergency_grades", [])]


def test_publicity_effective_fraud_and_expiry_read_alike(db_app, make_user, make_enterprise, later):
    from registry.core import timeutil
    from registry.extensions import db
    from registry.grades import operations as ops

    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "publicity", county=county, city=city)
    db.session.commit()
    after_publicity = app.publicity_until + timedelta(days=3)
    # approved, in publicity, not yet effective: no standing grade, even on a day after the publicity period
    assert _both(ent.id, timeutil.beijing_today()) == (None, [])
    assert _both(ent.id, after_publicity) == (None, [])
    later(30)
    ops.make_effective(make_user("city", "131000"), app.id, {"version": app.version})  # four eyes: not the approver
    db.session.commit()
    assert _both(ent.id, after_publicity) == ("B", ["B"])
    decision = ops.current_decisions(ent.id, "emergency")[0]
    assert _both(ent.id, decision.valid_until + timedelta(days=1)) == (None, [])  # expired: ungraded
    ops.record_finding(county, ent.id, {"kind": "fraud", "reason": "评估数据造假"})  # R-G-09 (003:17)
    db.session.commit()
    today = timeutil.beijing_today()
    assert _both(ent.id, today) == ("C", ["C"])
    assert _both(ent.id, today - timedelta(days=1)) == ("B", ["B"])  # the day before the finding
    ops.record_grade(city, ent.id, {"system": "voc_class", "industry": "steel", "grade": "A", "reason": "VOCs体检A类"})
    db.session.commit()
    assert _both(ent.id, today) == ("C", ["C"])  # another system never stands in (R-G-13)
