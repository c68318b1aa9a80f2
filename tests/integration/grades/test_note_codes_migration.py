"""Issue 15 item 1: grade decisions stored before the engine's notes became codes get their code and params
(migration ec15a1e0c0de), so the pages render them in the reader's language without parsing English at display."""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db

LEGACY_REASONS = [
    {"rule": "R-G-09", "source": "003:17", "note": "fraud in the ultra-low evaluation: grade lowered to C"},
    {"rule": "R-E-01", "source": "003:52", "note": "not within grading: fails stably_compliant, "
     "meets_permit_requirements; shutdown or the strictest curtailment per production line"},
    {"rule": "R-G-02", "source": "local setting", "note": "violation: downgrade rule one_step"},
    {"rule": "X", "source": "s", "note": "typed by an official"},
]
LEGACY_INDICATORS = [
    {"industry": "steel", "key": "k1", "grade": "C", "rule": "r", "source": "s", "note": "does not meet B (['full'])"},
    {"industry": "steel", "key": "k2", "grade": "A", "rule": "r", "source": "s", "note": "meets A (30)"},
    {"industry": "steel", "key": "k3", "grade": "C", "rule": "r", "source": "s", "note": "no answer"},
]


def test_migration_gives_stored_engine_notes_their_codes(db_app, make_user, make_enterprise):
    from flask_migrate import downgrade, upgrade

    from registry.grades.models import GradeDecision

    county = make_user("county", "131002")
    ent, _owner = make_enterprise(approved_by=county)
    d = GradeDecision(enterprise_id=ent.id, region_code=ent.region_code, system="emergency", industry=ent.sector,
                      grade="C", kind="fraud", reasons=LEGACY_REASONS, indicators=LEGACY_INDICATORS, criteria=[])
    db.session.add(d)
    db.session.commit()
    decision_id = d.id
    db.session.remove()
    downgrade(revision="ec15a1e0c0de")
    downgrade(revision="-1")  # undo just this migration: later ones' downgrades are theirs to test
    upgrade()
    stored = db.session.scalar(select(GradeDecision).where(GradeDecision.id == decision_id))
    assert [(r.get("code"), r.get("params")) for r in stored.reasons] == [
        ("grade.fraud_to_c", {}),
        ("grade.excluded", {"conditions": ["stably_compliant", "meets_permit_requirements"]}),
        ("grade.violation_downgrade", {"rule": "one_step"}),
        (None, None)]
    assert [r["note"] for r in stored.reasons] == [r["note"] for r in LEGACY_REASONS]  # the English is kept
    assert [(r.get("code"), r.get("params")) for r in stored.indicators] == [
        ("grade.below_b", {"value": ["full"]}), ("grade.meets", {"grade": "A", "value": 30}), ("grade.no_answer", {})]
