"""Issue 19 item 1: the synthetic generator's planted violators of each kind (registry/readings/synthetic.py) are
found by the checks exactly — no more, no less — over the partitioned store in tmp_path (registry/compliance/checks.py
through the cited rules R-CK-01..05; the transport ban read from the Shijiazhuang pack, 004:394 diesel trucks)."""
from __future__ import annotations

from datetime import date

import pytest

from registry.compliance.checks import LineOrder, MeterInfo, StackInfo, Window, evaluate
from registry.readings import synthetic
from registry.readings.store import ReadingsStore

KIND = {"stopped_line_power": "stopped_drawing_power", "curtailment_shortfall": "curtailment_short",
        "control_off": "control_off", "banned_vehicle": "banned_truck"}


def found(results) -> set[tuple[str, int]]:
    out = set()
    for r in results:
        if not r.anomaly:
            continue
        if r.check == "cems_transmission":
            kind = "cems_missing_during_shutdown" if r.outcome["params"].get("missing_during_order") else "cems_below_rate"
        else:
            kind = KIND[r.check]
        out.add((kind, r.window.enterprise_id))
    return out


def plan_windows(plan):
    windows, meters, stacks = [], [], []
    for e in plan.enterprises:
        line = e.enterprise_id  # one line per enterprise, its id the enterprise's
        windows.append(Window("order", e.enterprise_id, e.enterprise_id, e.city_code[:4] + "02", "shijiazhuang-2018-20",
                              plan.window_start, plan.window_end,
                              (LineOrder(line, "1号线", e.measure, e.curtail_pct or None),), "orange", e.transport_ban))
        meters.append(MeterInfo(e.production_meter, e.enterprise_id, line, "production"))
        if e.control_meter is not None:
            meters.append(MeterInfo(e.control_meter, e.enterprise_id, line, "control"))
        if e.stack is not None:
            stacks.append(StackInfo(e.stack, e.enterprise_id, line))
    return windows, meters, stacks


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
