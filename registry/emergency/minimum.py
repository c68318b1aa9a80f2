"""The least each line must do at each alert level, as the engine decides it for the enterprise's grade.

A 一厂一策 plan may be stricter than the pack, never weaker (003:50-51): the engine's per-line
decision at the level (grade measures, sector alert overlays, R-E-01 strictest for the ungraded
non-compliant) is the floor, and a weaker plan entry is refused citing the decision's clauses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry.enterprises.models import Enterprise
from registry.grades.current import EmergencyStanding
from registry.policy.engine import evaluate_enterprise
from registry.policy.facts import enterprise_facts, reviewed_enterprises
from registry.policy.packs import Pack, alert_floor_day

_RANK = {"none": 0, "curtail": 1, "stop": 2}


@dataclass(frozen=True)
class Floor:
    """The weakest acceptable plan entry: a measure and, for curtail, the least percentage."""

    measure: str
    percent: float
    clauses: tuple[str, ...]  # "R-G-05 (003:51)"

    def allows(self, measure: str, percent: float) -> bool:
        if _RANK[measure] != _RANK[self.measure]:
            return _RANK[measure] > _RANK[self.measure]
        if measure == "curtail":
            return percent + 1e-9 >= self.percent and percent > 0
        return True


def season_day(pack: Pack) -> date:
    """The day the floor is read on: the last day before the pack's first heating season (alert_floor_day), so
    each level's floor is the alert's own minimum for the grade — the heating-season staggering measure is not
    repeated at every level (issue 17); orders on a heating-season day still apply it (R-O-03)."""
    return alert_floor_day(pack)


def _floor(line: dict) -> Floor:
    measure, low, high = line["measure"], line.get("percentage_min"), line.get("percentage_max")
    clauses = tuple(dict.fromkeys(f"{r['rule']} ({r['source']})" for r in line.get("reasons", [])))
    if measure == "stop":
        return Floor("stop", 100.0, clauses)
    if measure == "curtail":
        return Floor("curtail", float(low or 0.0), clauses)
    if measure == "max_load" and high is not None:  # run at most x % of load = curtail 100 − x
        return Floor("curtail", 100.0 - float(high), clauses)
    if measure in ("max_load", "extend_coking"):
        return Floor("curtail", 0.0, clauses)
    return Floor("none", 0.0, clauses)


def floors(enterprise: Enterprise, pack: Pack, levels: list[str], grades: EmergencyStanding | None,
           on: date | None = None) -> dict[tuple[int, str], Floor]:
    """(line db id, level) → the floor, from one engine evaluation per level. The engine gets every standing
    industry grade and a standing fraud finding (issue 14 point 4): each line is held to its own industry's grade."""
    on = on or season_day(pack)
    extra = grades.facts() if grades is not None else None
    # The list holds the approved facts (issue 14 point 10), so the floor is read on them too: an unapproved
    # amendment (say, lines claimed ultra-low) cannot weaken a plan. Never approved yet: the records as they are.
    kept = reviewed_enterprises([enterprise.id]) if enterprise.id is not None else []
    enterprise = kept[0] if kept else enterprise
    by_code = {(line.code or str(line.id)): line.id for line in enterprise.lines}
    facts = enterprise_facts(enterprise, on=on, extra=extra)  # built once, read at every level
    out: dict[tuple[int, str], Floor] = {}
    for level in levels:
        answer = evaluate_enterprise(facts, pack, on, level)
        for line in answer["lines"]:
            if line["line_id"] in by_code:
                out[(by_code[line["line_id"]], level)] = _floor(line)
    return out
