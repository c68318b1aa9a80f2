"""The checks against the synthetic generator's planted truth (registry/readings/synthetic.py): which kind of
planted violation each check's anomaly stands for, and a synthetic plan as the windows, meters and stacks the checks
take. Shared by the demo's found-vs-planted count, the test that the checks find exactly the planted violators and
bench/compliance.py."""
from __future__ import annotations

from registry.compliance.checks import LineOrder, MeterInfo, StackInfo, Window

# the check of an anomaly → the synthetic generator's kind of violation
KINDS = {"stopped_line_power": "stopped_drawing_power", "curtailment_shortfall": "curtailment_short",
         "control_off": "control_off", "banned_vehicle": "banned_truck"}


def kind(check: str, params: dict) -> str:
    """The planted kind an anomaly of `check` with these evidence params stands for."""
    if check == "cems_transmission":
        return "cems_missing_during_shutdown" if params.get("missing_during_order") else "cems_below_rate"
    return KINDS[check]


def found(results) -> set[tuple[str, int]]:
    """(kind, enterprise id) of every anomaly among the checks' results."""
    return {(kind(r.check, r.outcome["params"]), r.window.enterprise_id) for r in results if r.anomaly}


def plan_windows(plan, pack_id: str = "shijiazhuang-2018-20", level: str = "orange"):
    """(windows, meters, stacks) of a synthetic plan: one line per enterprise (its id the enterprise's), the order's
    measure over the plan's window."""
    windows, meters, stacks = [], [], []
    for e in plan.enterprises:
        line = e.enterprise_id
        windows.append(Window("order", e.enterprise_id, e.enterprise_id, e.city_code[:4] + "02", pack_id,
                              plan.window_start, plan.window_end,
                              (LineOrder(line, "1号线", e.measure, e.curtail_pct or None),), level, e.transport_ban))
        meters.append(MeterInfo(e.production_meter, e.enterprise_id, line, "production"))
        if e.control_meter is not None:
            meters.append(MeterInfo(e.control_meter, e.enterprise_id, line, "control"))
        if e.stack is not None:
            stacks.append(StackInfo(e.stack, e.enterprise_id, line))
    return windows, meters, stacks
