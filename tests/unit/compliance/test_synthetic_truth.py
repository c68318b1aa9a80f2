"""Issue 19 item 1: the synthetic generator's planted violators of each kind (registry/readings/synthetic.py) are
found by the checks exactly — no more, no less — over the partitioned store in tmp_path (registry/compliance/checks.py
through the cited rules R-CK-01..05; the transport ban read from the Shijiazhuang pack, 004:394 diesel trucks)."""
from __future__ import annotations

from datetime import date

import pytest

from registry.compliance.checks import evaluate
from registry.compliance.truth import found, plan_windows
from registry.readings import synthetic
from registry.readings.store import ReadingsStore


@pytest.mark.parametrize("seed", [19, 7])
def test_checks_find_exactly_the_planted_violators(tmp_path, seed):
    plan = synthetic.plan_province(80, ["130100"], first_day=date(2026, 11, 2), normal_days=16, episode_days=2,
                                   violators_per_kind=2, seed=seed, with_stacks=0.6)
    store = ReadingsStore(tmp_path / "readings")
    for kind, _city, _day, table in synthetic.generate(plan):
        store.append(kind, table)
    assert {k for k, _ in plan.expected()} == set(synthetic.VIOLATIONS), "every kind planted"
    windows, meters, stacks = plan_windows(plan)
    results = evaluate(store, windows, meters, stacks)
    assert found(results) == plan.expected()
