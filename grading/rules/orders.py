"""Alert-day orders without (or beyond) a plan: what one line must do at an alert level (issue 17).

Every covered enterprise gets an order (R-A-03, 003:50: 减排措施全覆盖 — the list covers every air-emitting
enterprise and process, not only those that filed a plan). Per line:

- **R-O-01** (003:50, 002:582, 000:137) — the enterprise's filed 一厂一策 entry at the level is the order, where it is at
  least the pack's minimum for the line at that level (the engine's decision for the line at that date, level and
  standing grade: a plan may be stricter than the pack, never weaker — 003:50-51).
- **R-O-02** (003:50) — no filed entry for the line at the level: the pack's minimum is the order, with the clauses
  the engine cited; a pack that requires a measure never yields "no measure".
- **R-O-03** (003:51) — a filed entry weaker than the pack's minimum today (the grade fell since filing, a finding,
  a new overlay) gives way to the minimum; the order says so.

Pure: no database, no clock. The per-line floor is read from a LineDecision exactly as the plan check reads it
(registry/emergency/minimum.py: stop > curtail x % > none; run at most x % of load = curtail 100 − x).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from grading.decisions import LineDecision, Reason
from grading.vocab import Measure

_RANK = {"none": 0, "curtail": 1, "stop": 2}
PLAN_RULE = Reason("R-O-01", "003:50", "the enterprise's filed one-plant-one-policy entry at this level")
PACK_RULE = Reason("R-O-02", "003:50", "no filed plan entry at this level: the pack's minimum measure for the line")
WEAKER_RULE = Reason("R-O-03", "003:51", "the filed plan entry is weaker than the pack's minimum today: the minimum applies")


@dataclass(frozen=True)
class PlanMeasure:
    """A filed plan's entry for one line at one level (registry/emergency/models.PlanEntry)."""

    measure: str  # none | curtail | stop
    percent: float = 0.0


@dataclass(frozen=True)
class OrderLine:
    """What one line is ordered to do, and where that came from (plan | pack)."""

    measure: str
    percent: Optional[float]
    percent_max: Optional[float]
    basis: Optional[str]
    source: str
    reasons: tuple[Reason, ...]
    coking_time_hours: Optional[float] = None


def floor_of(decision: LineDecision) -> tuple[str, float]:
    """The weakest acceptable plan entry for a decision: (none | curtail | stop, least curtail %)."""
    m, low, high = decision.measure, decision.percentage_min, decision.percentage_max
    if m == Measure.STOP:
        return "stop", 100.0
    if m == Measure.CURTAIL:
        return "curtail", float(low or 0.0)
    if m == Measure.MAX_LOAD and high is not None:
        return "curtail", 100.0 - float(high)
    if m in (Measure.MAX_LOAD, Measure.EXTEND_COKING):
        return "curtail", 0.0
    return "none", 0.0


def at_least(plan: PlanMeasure, floor: tuple[str, float]) -> bool:
    """A plan entry is at least the floor: a stricter measure, or the same with at least its curtail %."""
    measure, percent = floor
    if _RANK[plan.measure] != _RANK[measure]:
        return _RANK[plan.measure] > _RANK[measure]
    if measure == "curtail":
        return plan.percent + 1e-9 >= percent and plan.percent > 0
    return True


def pack_line(decision: LineDecision, *extra: Reason) -> OrderLine:
    """The pack's minimum as an order line (R-O-02): the engine's measure, range, basis and clauses."""
    return OrderLine(decision.measure.value, decision.percentage_min, decision.percentage_max,
                     decision.basis.value if decision.basis else None, "pack",
                     (*(extra or (PACK_RULE,)), *decision.reasons), decision.coking_time_hours)


def order_line(decision: LineDecision, plan: Optional[PlanMeasure]) -> OrderLine:
    """R-O-01/02/03: the filed entry where it is at least the pack's minimum, else the minimum."""
    if plan is None:
        return pack_line(decision)
    if not at_least(plan, floor_of(decision)):
        return pack_line(decision, WEAKER_RULE)
    percent = 100.0 if plan.measure == "stop" else (float(plan.percent) if plan.measure == "curtail" else None)
    return OrderLine(plan.measure, percent, percent, None, "plan", (PLAN_RULE, *decision.reasons))
