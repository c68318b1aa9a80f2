"""Demo compliance (issue 19): the checks run over the demo readings (registry/readings/demo.py) for the days of the
demo alert episode, as the city would run them, and their findings compared with the planted truth
(demo-truth.json beside the store), so "a demo episode's violators are found" is visible from a fresh clone:
`flask demo-data` prints both counts, and `found_vs_truth()` gives the two sets."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from registry.accounts.auth import SYSTEM
from registry.compliance import operations as ops
from registry.compliance import truth
from registry.compliance.models import Anomaly
from registry.extensions import db


def kind_of(a: Anomaly) -> str:
    return truth.kind(a.check_code, a.evidence or {})


def _window() -> tuple[date, date] | None:
    from registry.readings.demo import demo_truth

    truth = demo_truth()
    if not truth:
        return None
    return (datetime.fromisoformat(truth["window_start"]).date(), datetime.fromisoformat(truth["window_end"]).date())


def build_compliance_demo() -> dict[str, Any] | None:
    """Run the checks over the demo episode's days (the server's shell, the whole demo); None without demo readings."""
    days = _window()
    if days is None:
        return None
    counts = ops.run_checks(SYSTEM, days[0], days[1])
    return counts


def found_vs_truth() -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(found, planted) as (kind, enterprise id) pairs."""
    from registry.readings.demo import demo_truth

    truth = demo_truth() or {"violations": []}
    planted = {(v["kind"], int(v["enterprise_id"])) for v in truth["violations"]}
    found = {(kind_of(a), a.enterprise_id) for a in db.session.scalars(select(Anomaly))}
    return found, planted
