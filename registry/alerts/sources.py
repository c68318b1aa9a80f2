"""Where an alert's orders come from: `registry.emergency.orders.area_orders` (the measures branch: the filed plan
where it exists, otherwise the pack's minimum for each line at the enterprise's standing grade, plus transport
restrictions). Until that function exists, the engine's decision for each covered enterprise stands in for it
(the pack minimum, no plan), in the same shape:

  {enterprise_id, name, uscc, region_code, sector, grade, address,
   lines: [{line_id, code, name, measure, percent, ...}], transport: [...]}

Also: the evaluation day. The packs cover past seasons (2017–2020); an alert issued on a day outside its pack's
period is decided on the pack's first heating-season day (the day the emergency list's floors are read on,
registry/emergency/minimum.py), so every day of a deployment's season gets the pack's measures.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from registry.core.regions import region_prefix
from registry.grades.current import emergency_standing
from registry.policy.engine import evaluate_many
from registry.policy.facts import enterprise_facts, reviewed_enterprises
from registry.policy.packs import first_season_day, get_pack

try:  # the measures branch's function (issue 17 item 2): one order per covered enterprise
    from registry.emergency.orders import area_orders as _area_orders  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - before the merge
    _area_orders = None


def pack_day(pack_id: str, day: date) -> date:
    pack = get_pack(pack_id)
    if pack is None:
        raise KeyError(pack_id)
    return day if pack.period_start <= day < pack.period_end else first_season_day(pack)


def covered(area_codes: list[str]) -> list:
    """The enterprises (as last approved) inside any of the areas."""
    seen: dict[int, Any] = {}
    for code in area_codes:
        for ent in reviewed_enterprises(region_prefix=region_prefix(code)):
            seen.setdefault(ent.id, ent)
    return [seen[k] for k in sorted(seen)]


def orders_for(pack_id: str, day: date, level: str, area_codes: list[str],
               enterprise_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """One order per covered enterprise at `level` (JSON-safe dicts)."""
    on = pack_day(pack_id, day)
    if _area_orders is not None:
        rows = _area_orders(pack_id, on, level, region_codes=area_codes, enterprise_ids=enterprise_ids)
    else:
        rows = _engine_orders(pack_id, on, level, area_codes, enterprise_ids)
    return [json.loads(json.dumps({k: v for k, v in r.items() if not k.startswith("_")}, default=str)) for r in rows]


def _engine_orders(pack_id: str, on: date, level: str, area_codes: list[str],
                   enterprise_ids: list[int] | None) -> list[dict[str, Any]]:
    ents = covered(area_codes)
    if enterprise_ids is not None:
        wanted = set(enterprise_ids)
        ents = [e for e in ents if e.id in wanted]
    standing = emergency_standing([e.id for e in ents])
    facts = []
    for e in ents:
        held = standing.get(e.id)
        facts.append(enterprise_facts(e, on=on, extra=held.facts() if held is not None else None))
    answers = evaluate_many(facts, pack_id, on, level)
    out = []
    for ent, answer in zip(ents, answers):
        held = standing.get(ent.id)
        by_code = {(line.code or str(line.id)): line for line in ent.lines}
        lines = []
        for d in answer["lines"]:
            line = by_code.get(d["line_id"])
            if line is None or d["measure"] == "none":
                continue
            pct = d.get("percentage_min")
            if d["measure"] == "max_load" and d.get("percentage_max") is not None:
                pct = 100 - float(d["percentage_max"])
            lines.append({"line_id": line.id, "code": line.code, "name": line.name, "measure": d["measure"],
                          "percent": float(pct) if pct is not None else (100.0 if d["measure"] == "stop" else None),
                          "origin": "pack", "windows": d.get("windows") or [],
                          "grounds": [{"rule": r["rule"], "source": r["source"]} for r in d.get("reasons", [])][:4]})
        out.append({"enterprise_id": ent.id, "name": ent.name, "uscc": ent.uscc, "region_code": ent.region_code,
                    "sector": ent.sector, "address": ent.address,
                    "grade": held.worst() if held is not None else None,
                    "lines": lines, "transport": answer["summary"].get("transport", []),
                    "contact_phone": ent.contact_phone, "contact_email": getattr(ent, "contact_email", "")})
    return out
