"""Where an alert's orders come from: `registry.emergency.orders.area_orders` — one order per covered enterprise:
its filed 一厂一策 plan where it is at least the pack's minimum, otherwise the pack's minimum for each line at the
enterprise's standing grade (R-O-01/02/03), plus its transport restrictions. The order is stored as it is given
(JSON), so a later plan or pack change never rewrites an issued order.

The evaluation day: the packs cover past seasons (2017–2020); an alert on a day outside its pack's period is
decided on the pack's first heating-season day (the day the emergency list's floors are read on,
registry/emergency/minimum.py), so every day of a deployment's season gets the pack's measures.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from registry.emergency.orders import area_orders
from registry.policy.packs import first_season_day, get_pack


def pack_day(pack_id: str, day: date) -> date:
    pack = get_pack(pack_id)
    if pack is None:
        raise KeyError(pack_id)
    return day if pack.period_start <= day < pack.period_end else first_season_day(pack)


def orders_for(pack_id: str, day: date, level: str, area_codes: list[str],
               enterprise_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """One order per covered enterprise at `level` (JSON-safe dicts), with the evaluation day it was decided on."""
    on = pack_day(pack_id, day)
    return stamped(area_orders(pack_id, on, level, region_codes=area_codes, enterprise_ids=enterprise_ids), on)


def stamped(rows: list[dict[str, Any]], on: date) -> list[dict[str, Any]]:
    """The orders with the day they were decided on. area_orders gives JSON-ready values (its line and transport
    dicts are shared between equal lines, so they are not copied here: the JSON column serialises each order)."""
    day = on.isoformat()
    return [{**r, "decided_on": day} for r in rows]
