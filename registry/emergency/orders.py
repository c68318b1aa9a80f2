"""Alert-day orders (重污染天气应急响应): on a date and level, what each covered enterprise must do.

`area_orders` is the one fan-out (issue 17): an order for EVERY enterprise of the area that the pack covers — each
approved registration with production lines (R-A-03, 003:50: 减排措施全覆盖), on its approved facts (issue 14 point
10) — per line the filed 一厂一策 entry at the level where one is at least the pack's minimum, otherwise the pack's
minimum measure (the engine's decision for the line at that date and level, at the enterprise's standing grade),
plus its transport restrictions (§2.13: key vehicle-using enterprises, bans by level, China IV+ in the heating
season), so a printed gate notice (R-A-04, 004:382) cites its clauses. The pure choice per line is
grading/rules/orders.py (R-O-01/02/03). All enterprises go through the engine's batch path in one frame
(registry/policy/engine.decide_many), so 5,000 enterprises cost about one batch evaluation (bench/orders.py).

`alert_orders(lst, …)` is the same fan-out over a city list version: its enterprises, the grades it froze, and its
entries (the filed plans it compiled, the accepted optimizer proposals) as the plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.core import timeutil
from registry.core.regions import region_prefix
from registry.emergency import queries
from registry.emergency.models import EmergencyList, ListEntry
from registry.enterprises.models import Enterprise
from registry.grades.current import EmergencyStanding, emergency_standing
from registry.policy.emergency import OrderLine, PlanMeasure, order_line
from registry.policy.engine import decide_many, to_jsonable
from registry.policy.facts import enterprise_facts

__all__ = ["alert_orders", "area_orders"]


def _enterprises(region_codes: list[str] | None, enterprise_ids: list[int] | None) -> list[Enterprise]:
    """Covered enterprises (approved, as last approved, with live lines) in any of the regions and/or ids."""
    if region_codes is None and enterprise_ids is None:
        raise ValueError("area_orders needs region_codes or enterprise_ids")
    wanted = set(enterprise_ids) if enterprise_ids is not None else None
    found: dict[int, Enterprise] = {}
    if region_codes is not None:
        prefixes = sorted({region_prefix(c) for c in region_codes})  # '131000' → '1310'; a county keeps its code
        # a prefix inside another listed prefix adds nothing
        prefixes = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
        for prefix in prefixes:
            for e in queries.covered_enterprises(prefix=prefix):
                if wanted is None or e.id in wanted:
                    found[e.id] = e
    else:
        for e in queries.covered_enterprises(ids=sorted(wanted or ())):
            found[e.id] = e
    return [found[i] for i in sorted(found) if found[i].lines]


class _Converted:
    """Each distinct decision (a shared object of the batch frame) → its order-line dict, converted once."""

    def __init__(self) -> None:
        self.reasons: dict[int, list[dict]] = {}
        self.keep: list[Any] = []

    def reasons_of(self, line: OrderLine) -> list[dict]:
        key = id(line.reasons)
        hit = self.reasons.get(key)
        if hit is None:
            # code + params kept where the note has a code (a local setting's 地方设定：…, the heating season), so
            # the order's 依据 detail says it in the reader's language (issue 16 item 2)
            hit = self.reasons[key] = [{k: v for k, v in r.as_dict().items() if k != "note" or v}
                                       for r in line.reasons]
            self.keep.append(line.reasons)  # kept alive so its id is not reused
        return hit


def _item(line, ol: OrderLine, conv: _Converted, plan_row: Any = None) -> dict[str, Any]:
    return {"line_id": line.id, "code": line.code, "name": line.name, "sector": line.sector, "measure": ol.measure,
            "percent": ol.percent, "percent_max": ol.percent_max, "basis": ol.basis,
            "coking_time_hours": ol.coking_time_hours, "source": ol.source, "reasons": conv.reasons_of(ol),
            "key_indicators": getattr(plan_row, "key_indicators", "") if ol.source == "plan" else "",
            "responsible_person": getattr(plan_row, "responsible_person", "") if ol.source == "plan" else "",
            "contact": getattr(plan_row, "contact", "") if ol.source == "plan" else ""}


@dataclass(frozen=True)
class Subject:
    """One enterprise to order: what the order shows of it, its engine facts, its lines by the facts' line id
    (objects with id, code, name, sector), and its plan rows by (line db id, level) (measure, percent, …)."""

    meta: dict[str, Any]
    facts: dict[str, Any]
    lines: dict[str, Any]
    plan: dict[tuple[int, str], Any] = field(default_factory=dict)


def fan_out(pack_id: str, on: date, level: str, subjects: list[Subject]) -> list[dict[str, Any]]:
    """The orders of these subjects: ONE batch evaluation (decide_many), then the pure per-line choice
    (R-O-01/02/03) once per distinct (decision, plan entry), the dicts shared between equal lines."""
    decided = decide_many([s.facts for s in subjects], pack_id, on, level, shared=True)
    conv = _Converted()
    memo: dict[tuple[int, Any], OrderLine] = {}  # (id(decision), plan) → order line: a few hundred distinct ones
    transports: dict[int, list[dict]] = {}
    out = []
    for subject, (summary, lines) in zip(subjects, decided):
        items = []
        for ref, decision in lines:
            line = subject.lines.get(ref)
            if line is None:
                continue
            row = subject.plan.get((line.id, level))
            plan = PlanMeasure(row.measure, float(row.percent)) if row is not None else None
            key = (id(decision), plan)
            ol = memo.get(key)
            if ol is None:
                ol = memo[key] = order_line(decision, plan)
            items.append(_item(line, ol, conv, row))
        key = id(summary.transport)
        transport = transports.get(key)
        if transport is None:
            transport = transports[key] = to_jsonable(summary.transport)
            conv.keep.append(summary.transport)
        out.append({**subject.meta, "lines": items, "transport": transport,
                    "reasons": [{"rule": r.rule, "source": r.source} for r in summary.emergency_reasons]})
    return sorted(out, key=lambda o: (o["region_code"], o["name"], o["enterprise_id"]))


def _orders(pack_id: str, on: date, level: str, enterprises: list[Enterprise],
            standing: dict[int, EmergencyStanding], plans: dict[int, dict[tuple[int, str], Any]]) -> list[dict[str, Any]]:
    """Registry records → subjects (the one facts mapper, registry/policy/facts.py) → fan_out."""
    subjects = []
    for e in enterprises:
        held = standing.get(e.id)
        subjects.append(Subject(
            {"enterprise_id": e.id, "name": e.name, "uscc": e.uscc, "region_code": e.region_code, "sector": e.sector,
             "grade": held.worst() if held is not None else None, "address": e.address},
            enterprise_facts(e, on=on, extra=held.facts() if held is not None else None),
            {(line.code or str(line.id)): line for line in e.lines}, plans.get(e.id, {})))
    return fan_out(pack_id, on, level, subjects)


def area_orders(pack_id: str, on: date, level: str, region_codes: list[str] | None = None,
                enterprise_ids: list[int] | None = None, *, grades_on: date | None = None) -> list[dict[str, Any]]:
    """One order for EVERY covered enterprise in the regions (region-prefix match) and/or with these ids.

    Per line {line_id, code, name, sector, measure, percent, percent_max, basis, coking_time_hours,
    source: plan | pack, reasons: [{rule, source, note?}], key_indicators, responsible_person, contact}; per order
    {enterprise_id, name, uscc, region_code, sector, grade, address, lines, transport: [{rule, source, restriction,
    …}], reasons}. The grade is the standing emergency grade on `grades_on` (default today in Beijing: an order
    is issued now, like a list compiled now — registry/grades/current.py rule 6); the plan is the newest filed
    一厂一策 of the pack. Raises the engine's ContractError for a date outside the pack or a level it lacks."""
    enterprises = _enterprises(region_codes, enterprise_ids)
    if not enterprises:
        return []
    ids = [e.id for e in enterprises]
    standing = emergency_standing(ids, grades_on or timeutil.beijing_today())
    filed = queries.latest_filed_plans(ids, pack_id)
    plans = {eid: {(p.line_id, p.level): p for p in plan.entries} for eid, plan in filed.items()}
    return _orders(pack_id, on, level, enterprises, standing, plans)


def alert_orders(lst: EmergencyList, on: date, level: str, grades: dict[int, str] | None = None,
                 only: int | set[int] | None = None) -> list[dict[str, Any]]:
    """The orders of a city list version: every enterprise it lists, the grades it froze (per line industry;
    `grades` overrides an enterprise's), its entries at the level as the plan (a 'none' the list compiled for a
    line without a filed plan is no plan: the pack's minimum applies, R-O-02). `only`: that enterprise's order
    alone (one notice evaluates one enterprise, not the city), or a set: those of a page."""
    wanted = {only} if isinstance(only, int) else only  # an enterprise reading its own, or a page's (issue 16)
    entries: list[ListEntry] = queries.list_entries(lst, wanted)  # the entries alone: _enterprises reads the rest
    frozen: dict[int, dict[str, str]] = {}
    plans: dict[int, dict[tuple[int, str], Any]] = {}
    for e in entries:
        if e.level == level and e.origin != "none":
            plans.setdefault(e.enterprise_id, {})[(e.line_id, level)] = e
    enterprises = _enterprises(None, sorted({e.enterprise_id for e in entries}))
    line_sector = {line.id: line.sector or ent.sector for ent in enterprises for line in ent.lines}
    for e in entries:
        if e.grade and e.line_id in line_sector:  # the list's frozen grade of the line's industry (issue 14 point 4)
            frozen.setdefault(e.enterprise_id, {})[line_sector[e.line_id] or ""] = e.grade
    standing = {eid: EmergencyStanding(by) for eid, by in frozen.items()}
    for eid, g in (grades or {}).items():
        ent = next((x for x in enterprises if x.id == eid), None)
        if ent is not None and g:
            standing[eid] = EmergencyStanding({ent.sector: g})
    return _orders(lst.pack_id, on, level, enterprises, standing, plans)

