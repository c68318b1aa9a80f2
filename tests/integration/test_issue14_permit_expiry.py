"""Issue 14 point 9 from the registry to the engine: a permit recorded as issued whose validity has ended is
passed on as expired and decided as no lawful permit (003:52 R-E-01 gate, 003:14 R-P-05); the day before it ends
it still counts as held. Same facts as the scenario file tests/scenarios/issue14_points_4_9.yaml."""
from __future__ import annotations

from datetime import date

from grading.contract import evaluate
from registry.enterprises.models import Permit
from registry.extensions import db
from registry.policy.facts import evaluate_document
from tests.builders import ANCI


def test_permit_past_its_validity_is_evaluated_as_expired(make_enterprise):
    ent, _owner = make_enterprise(ANCI, submitted=True)
    permit = db.session.query(Permit).filter_by(enterprise_id=ent.id).one()
    permit.valid_until = date(2019, 11, 30)
    db.session.commit()

    before = evaluate_document(ent, pack="jjj-2019-20", on=date(2019, 11, 20))
    after = evaluate_document(ent, pack="jjj-2019-20", on=date(2019, 12, 10))
    assert before["enterprise"]["permit_status"] == "issued"
    assert after["enterprise"]["permit_status"] == "expired"

    result = evaluate({**after, "alert_level": "orange"})
    assert result["summary"]["grades"]["eligible"] is False
    assert {"R-E-01", "R-P-05"} <= {r["rule"] for r in result["summary"]["eligibility_reasons"]}
    assert all(any(f["code"] == "excluded_stop_or_strictest" for f in line["flags"]) for line in result["lines"])
    held = evaluate({**before, "alert_level": "orange"})
    assert "R-P-05" not in {r["rule"] for r in held["summary"]["eligibility_reasons"]}
