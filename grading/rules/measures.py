"""Each line's allowed measures: what the emergency-list optimizer may add to one line, from the pack.

Moved from registry/emergency/measures.py (issue 15 item 1); registry/policy/emergency.py re-exports it.

Pure: the pack's `emergency_measures` section and the line's facts in, the allowed steps and
their grounds out. The pack says (grading/packs/*.yaml, every value cited or a declared local
setting):

- `lines[]`: per industry / sub-type / process kind / fuel (first match wins) the curtailment
  steps and whether the line may stop — e.g. Jiyuan's coke ovens extend the coking time instead
  of stopping (002:595, the curtailment is 1 − normal cycle / extended cycle), Langfang's blast
  furnaces and recycled non-ferrous melting curtail the pack's 50 % (000:129, 000:135),
  Shijiazhuang's tier industries the upper ends of 20–30 / 50–60 % (004:389);
- `default`: the steps for every other line (a local setting where the pack names none);
- `uninterruptible`: a line recorded as not interruptible is never stopped (003:49 and the
  "quickly and safely" clauses 001:93 / 004:382);
- `livelihood`: a line of an enterprise with a livelihood task whose load the pack fixes gets
  nothing added (000:133).

Grade order (A untouched, C before B) is the optimizer's business, not this module's; a line's
current measure (the floor it already takes) is removed by `registry.emergency.optimizer.options_for`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from grading.packs import Pack


@dataclass(frozen=True)
class MeasureFacts:
    """What the pack's measure rules match on (re-exported as `LineFacts` by registry/policy/emergency.py; a different thing
    from grading.facts.LineFacts, which the decision rules read)."""

    sector: str = ""
    sub_type: str = "none"
    kind: str = ""
    fuel: str = ""
    interruptible: bool = True
    livelihood: bool = False  # the enterprise carries a livelihood task (000:133)


@dataclass(frozen=True)
class Ground:
    """Why a line may (not) take a measure: a code the pages translate, the pack rule id and its citation."""

    code: str  # pack_default | pack_rule | uninterruptible | livelihood | extend_coking
    rule: str
    source: str  # "002:595" or "local setting"
    ref: str = ""  # the pack rule's id, where it has one

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "rule": self.rule, "source": self.source, "ref": self.ref}


@dataclass(frozen=True)
class Allowed:
    """The steps a line may take, strongest last: (measure, percent); label says how it is done."""

    steps: tuple[tuple[str, float], ...]
    label: str  # curtail | extend_coking
    grounds: tuple[Ground, ...]


def _ground(code: str, node: Mapping[str, Any], ref: str = "") -> Ground:
    return Ground(code, str(node.get("rule", "")), str(node.get("source") or "local setting"), ref)


def _matches(rule: Mapping[str, Any], facts: MeasureFacts) -> bool:
    for key, value in (("sectors", facts.sector), ("sub_types", facts.sub_type), ("kinds", facts.kind),
                       ("fuels", facts.fuel)):
        if key in rule and value not in rule[key]:
            return False
    return True


def coking_curtail_percent(pack: Pack, rule: Mapping[str, Any]) -> float:
    """Extending the coking time to (or by) H hours from a normal cycle of N hours cuts output by
    1 − N/H (or 1 − N/(N+H)); the reading and N are pack settings (R-JY-02)."""
    hours = float(rule["coking_time_hours"])
    normal = float(pack.setting(rule["cycle_setting"]))
    extended = normal + hours if pack.setting(rule["setting"]) == "by" else hours
    return round(100.0 * max(0.0, 1.0 - normal / extended), 1) if extended > 0 else 0.0


class MeasureRules:
    """The pack's `emergency_measures`, read once; `allowed(facts)` per line."""

    def __init__(self, pack: Pack) -> None:
        node = pack.section("emergency_measures") or {}
        self.pack = pack
        self.default = node.get("default") or {"curtail": [], "stop": True, "rule": "R-A-04", "local_setting": True}
        self.uninterruptible = node.get("uninterruptible")
        self.livelihood = node.get("livelihood")
        self.lines = list(node.get("lines") or [])
        self._cache: dict[MeasureFacts, Allowed] = {}

    def allowed(self, facts: MeasureFacts) -> Allowed:
        hit = self._cache.get(facts)
        if hit is None:
            hit = self._cache[facts] = self._allowed(facts)
        return hit

    def _allowed(self, facts: MeasureFacts) -> Allowed:
        if facts.livelihood and self.livelihood is not None:
            node = self.livelihood
            steps = [("curtail", float(p)) for p in node.get("curtail", [])]
            if node.get("stop", False):
                steps.append(("stop", 100.0))
            return Allowed(tuple(steps), "curtail", (_ground("livelihood", node),))
        rule = next((r for r in self.lines if _matches(r, facts)), None)
        node = rule if rule is not None else self.default
        grounds = [_ground("pack_rule", rule, str(rule.get("id", ""))) if rule is not None
                   else _ground("pack_default", self.default)]
        label = str(node.get("label", "curtail"))
        if rule is not None and "coking_time_hours" in rule:
            percents = [coking_curtail_percent(self.pack, rule)]
            grounds.append(_ground("extend_coking", rule, str(rule.get("id", ""))))
        else:
            percents = [float(p) for p in node.get("curtail", [])]
        steps = [("curtail", p) for p in sorted(set(percents)) if 0 < p < 100]
        may_stop = bool(node.get("stop", True))
        if may_stop and not facts.interruptible and self.uninterruptible is not None:
            may_stop = bool(self.uninterruptible.get("stop", False))
            grounds.append(_ground("uninterruptible", self.uninterruptible))
        if may_stop:
            steps.append(("stop", 100.0))
        return Allowed(tuple(steps), label, tuple(grounds))
