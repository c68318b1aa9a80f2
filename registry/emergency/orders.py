"""Alert-day orders (重污染天气应急响应): on a date and level, what each enterprise of a list must do.

Line orders come from the filed (or draft) list version; transport restrictions come from the
engine for that date and level (§2.13: key vehicle-using enterprises, bans by level, China IV+
in the heating season), so a printed gate notice (R-A-04, 004:382) cites its clauses.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from registry.emergency.models import EmergencyList
from registry.emergency.queries import entries_with_line
from registry.grades.current import worst
from registry.policy.engine import evaluate_enterprise
from registry.policy.facts import enterprise_facts, reviewed_enterprises


def alert_orders(lst: EmergencyList, on: date, level: str, grades: dict[int, str] | None = None,
                 only: int | set[int] | None = None) -> list[dict[str, Any]]:
    """One order per enterprise in the list, enterprises with nothing to do included (they post 'no measure');
    `only`: that enterprise's order alone (an enterprise reading its own), or those of a page (issue 16)."""
    wanted = {only} if isinstance(only, int) else only
    by_ent: dict[int, dict[str, Any]] = {}
    for row in entries_with_line(lst, wanted):
        entry, ent, line = row["entry"], row["enterprise"], row["line"]
        order = by_ent.get(ent.id)
        if order is None:
            order = by_ent[ent.id] = {"enterprise_id": ent.id, "name": ent.name, "uscc": ent.uscc,
                                      "region_code": ent.region_code, "sector": ent.sector, "grade": entry.grade,
                                      "address": ent.address, "lines": [], "transport": [], "_ent": ent, "_grades": {}}
        if entry.grade:  # the list's frozen grade of the line's industry (issue 14 point 4)
            order["_grades"][line.sector or ent.sector] = entry.grade
        if entry.level == level and entry.measure != "none":
            order["lines"].append({"line_id": line.id, "code": line.code, "name": line.name, "measure": entry.measure,
                                   "percent": float(entry.percent), "key_indicators": entry.key_indicators,
                                   "responsible_person": entry.responsible_person, "contact": entry.contact})
    reviewed = {e.id: e for e in reviewed_enterprises(sorted(by_ent))}  # approved facts (issue 14 point 10)
    for order in by_ent.values():
        ent = order.pop("_ent")
        by_industry = order.pop("_grades")
        grade = (grades or {}).get(ent.id)
        if grade:
            by_industry = {ent.sector: grade}
        order["grade"] = worst(by_industry.values()) or order["grade"]
        ent = reviewed.get(ent.id, ent)
        facts = enterprise_facts(ent, on=on,
                                 emergency_grades=[{"industry": i, "grade": g} for i, g in sorted(by_industry.items())] or None)
        order["transport"] = evaluate_enterprise(facts, lst.pack_id, on, level)["summary"].get("transport", [])
    return sorted(by_ent.values(), key=lambda o: (o["region_code"], o["name"]))
