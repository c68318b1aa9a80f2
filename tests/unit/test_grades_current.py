"""The standing grade, table-driven (tests/unit/grades_current_cases.yaml; each case cites its clause)."""
from datetime import date
from pathlib import Path

import pytest
import yaml

from registry.grades.current import DecisionRow, downgrade, emergency_standing_of, standing, worst

CASES = yaml.safe_load((Path(__file__).parent / "grades_current_cases.yaml").read_text(encoding="utf-8"))


def _row(d: dict) -> DecisionRow:
    day = lambda v: v if isinstance(v, date) or v is None else date.fromisoformat(str(v))  # noqa: E731
    return DecisionRow(d["id"], 1, d["system"], d["industry"], str(d["grade"]), d["kind"], d.get("app"),
                       day(d.get("from")), day(d.get("until")))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_standing_grade(case):
    assert case["clause"]
    on = case["day"] if isinstance(case["day"], date) else date.fromisoformat(case["day"])
    rows = [_row(d) for d in case["decisions"]]
    got = {f"{r.system}/{r.industry}": r.grade for r in standing(rows, on)}
    assert got == {k: str(v) for k, v in case["expect"].items()}
    assert worst(r.grade for r in standing(rows, on) if r.system == "emergency") == case["worst"]
    held = emergency_standing_of(standing(rows, on))
    assert held.worst() == case["worst"]
    if "fraud" in case:
        assert held.fraud is case["fraud"]
        assert ("ultra_low_evaluation_fraud" in held.facts()) is case["fraud"]
    for industry, grade in (case.get("lines") or {}).items():
        assert held.for_line(industry) == grade, industry
    if "finding" in case:
        f = case["finding"]
        got = {d.industry: [d.before, d.grade] for d in downgrade(rows, on, f["kind"], f["rule"], f["sector"])}
        assert got == case["downgraded"]


def test_order_of_rows_does_not_matter():
    case = next(c for c in CASES if c["id"] == "downgraded-for-fraud-at-once")
    rows = [_row(d) for d in case["decisions"]]
    assert standing(rows, date(2026, 9, 1)) == standing(list(reversed(rows)), date(2026, 9, 1))
