"""The report after an episode, the province's view of its cities' episodes, and the monthly report (issue 17).

Everything here is a read over the alert records (registry/alerts/models.py) and the city's filed emergency list
(registry/emergency): pages, Excel, PDF, API and CLI format the same plain dicts.

- Duration and levels: the episode's level history (`alert_level_change`), each level in force from its step to
  the next step (a lift ends it; a merged re-issue, R-W-03, starts again), clipped to a period for the monthly report.
- Orders: every order the episode issued (one per enterprise per level step), delivered (a `sent` delivery on any
  channel), read (the inbox entry opened), acknowledged (回执); in total and per county (the order's region).
- Capacity: per level step, the lines its orders stop or curtail × the line's registered capacity, by sector and
  capacity unit (units differ between sectors, so capacities are never summed across units); "withheld" is
  capacity × the curtailment percent (a stop withholds all of it).
- Reductions: for each level in force, the newest FILED emergency list of the city for the episode's pack, its
  reductions per pollutant against the level's targets (registry/emergency/queries.totals — the list's own figures,
  the same ones the list page shows). A city without a filed list says so; nothing is invented.
- Monthly (D-20, 001:121: 各部门每月25日向指挥部报送): the calendar month's episodes in the region, days per level
  inside the month, orders issued in the month and their receipts; due on the 25th of the following month (the
  month's figures are complete only after it ends — a judgement, documented in docs/alerts.md).
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select

from registry.accounts.models import Role
from registry.alerts import auth
from registry.alerts.models import LEVELS, AlertEpisode, AlertOrder, Delivery, InboxMessage, LevelChange, Receipt
from registry.core.regions import get_region, region_prefix
from registry.core.timeutil import BEIJING, utcnow
from registry.emergency.models import EmergencyList, Status
from registry.emergency.queries import totals
from registry.enterprises.models import ProductionLine
from registry.extensions import db
from registry.policy.packs import get_pack

POLLUTANTS = ("so2", "nox", "pm", "vocs")
CHUNK = 5000


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


# ---- levels over time ----

def level_spans(ep: AlertEpisode, changes: list[LevelChange], now: datetime | None = None) -> list[dict[str, Any]]:
    """[{level, start, end, hours}] in order: each step's level until the next step (the last until now if active)."""
    now = now or utcnow()
    steps = sorted(changes, key=lambda c: c.seq)
    spans = []
    for i, c in enumerate(steps):
        if c.level is None:
            continue
        start = _aware(c.at)
        end = _aware(steps[i + 1].at) if i + 1 < len(steps) else (_aware(ep.lifted_at) if ep.status == "lifted" else now)
        end = max(end or start, start)
        spans.append({"level": c.level, "kind": c.kind, "start": start, "end": end,
                      "hours": round((end - start).total_seconds() / 3600, 2), "doc_number": c.doc_number})
    return spans


def hours_per_level(spans: list[dict[str, Any]], start: datetime | None = None, end: datetime | None = None) -> dict[str, float]:
    """Hours at each level, the spans clipped to [start, end) when given."""
    out = {lv: 0.0 for lv in LEVELS}
    for s in spans:
        a = max(s["start"], start) if start else s["start"]
        b = min(s["end"], end) if end else s["end"]
        if b > a:
            out[s["level"]] += (b - a).total_seconds() / 3600
    return {k: round(v, 2) for k, v in out.items()}


# ---- orders and receipts ----

def _order_status(order_ids: list[int]) -> tuple[set[int], set[int], set[int]]:
    delivered: set[int] = set()
    read: set[int] = set()
    acked: set[int] = set()
    for i in range(0, len(order_ids), CHUNK):
        chunk = order_ids[i:i + CHUNK]
        delivered.update(db.session.scalars(select(Delivery.order_id).where(
            Delivery.order_id.in_(chunk), Delivery.status == "sent").distinct()))
        read.update(db.session.scalars(select(InboxMessage.order_id).where(
            InboxMessage.order_id.in_(chunk), InboxMessage.read_at.is_not(None)).distinct()))
        acked.update(db.session.scalars(select(Receipt.order_id).where(Receipt.order_id.in_(chunk))))
    return delivered, read, acked


def order_counts(orders: list[tuple[int, str]]) -> dict[str, Any]:
    """orders: [(order id, region code)] → totals and per-county rows {issued, delivered, read, acknowledged}."""
    ids = [oid for oid, _ in orders]
    delivered, read, acked = _order_status(ids)
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"issued": 0, "delivered": 0, "read": 0, "acknowledged": 0})
    for oid, code in orders:
        row = per[code]
        row["issued"] += 1
        row["delivered"] += oid in delivered
        row["read"] += oid in read
        row["acknowledged"] += oid in acked
    total = {"issued": len(ids), "delivered": len(delivered), "read": len(read), "acknowledged": len(acked)}
    total["ack_rate"] = round(100 * total["acknowledged"] / total["issued"], 1) if total["issued"] else None
    counties = []
    for code in sorted(per):
        region = get_region(code)
        row = per[code]
        counties.append({"region_code": code, "region_name": region.name if region else code, **row,
                         "ack_rate": round(100 * row["acknowledged"] / row["issued"], 1) if row["issued"] else None})
    return {"total": total, "counties": counties}


# ---- capacity ----

def capacity(ep: AlertEpisode, changes: list[LevelChange]) -> list[dict[str, Any]]:
    """Per level step with orders: stopped and curtailed capacity by (sector, unit) from the orders' line measures."""
    by_change: dict[int, list[dict]] = defaultdict(list)
    line_ids: set[int] = set()
    for change_id, content in db.session.execute(select(AlertOrder.change_id, AlertOrder.content)
                                                 .where(AlertOrder.episode_id == ep.id)):
        for ln in content.get("lines") or []:
            if ln.get("measure") in ("stop", "curtail") and ln.get("line_id") is not None:
                by_change[change_id].append(ln)
                line_ids.add(int(ln["line_id"]))
    caps: dict[int, tuple[float, str]] = {}
    ids = sorted(line_ids)
    for i in range(0, len(ids), CHUNK):
        for lid, cap, unit in db.session.execute(select(ProductionLine.id, ProductionLine.capacity, ProductionLine.capacity_unit)
                                                 .where(ProductionLine.id.in_(ids[i:i + CHUNK]))):
            caps[lid] = (float(cap or 0), unit or "")
    out = []
    for c in sorted(changes, key=lambda c: c.seq):
        lines = by_change.get(c.id)
        if c.level is None:
            continue
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for ln in lines or []:
            cap, unit = caps.get(int(ln["line_id"]), (0.0, ""))
            key = (ln.get("sector") or "", unit)
            r = rows.setdefault(key, {"sector": key[0], "unit": unit, "stopped_lines": 0, "stopped_capacity": 0.0,
                                      "curtailed_lines": 0, "curtailed_capacity": 0.0, "withheld_capacity": 0.0})
            if ln["measure"] == "stop":
                r["stopped_lines"] += 1
                r["stopped_capacity"] += cap
                r["withheld_capacity"] += cap
            else:
                pct = float(ln.get("percent") or 0)
                r["curtailed_lines"] += 1
                r["curtailed_capacity"] += cap
                r["withheld_capacity"] += cap * pct / 100
        out.append({"seq": c.seq, "kind": c.kind, "level": c.level, "at": _aware(c.at),
                    "sectors": [{**v, **{k: round(v[k], 3) for k in ("stopped_capacity", "curtailed_capacity",
                                                                         "withheld_capacity")}}
                                for _, v in sorted(rows.items())]})
    return out


# ---- reductions from the filed list ----

def filed_list(city_code: str, pack_id: str) -> EmergencyList | None:
    return db.session.scalar(select(EmergencyList).where(
        EmergencyList.region_code == city_code, EmergencyList.pack_id == pack_id,
        EmergencyList.status == Status.FILED.value).order_by(EmergencyList.number.desc()).limit(1))


def _cities(ep: AlertEpisode) -> list[str]:
    """The cities whose lists apply: the issuing city (or county-level region), each city of a regional alert."""
    if ep.scope == "regional":
        return list(ep.area_codes)
    return [ep.region_code]


def reductions(ep: AlertEpisode, levels: list[str]) -> list[dict[str, Any]]:
    """Per city and level in force: the filed list's reduction per pollutant vs the level's target."""
    out = []
    pack = get_pack(ep.pack_id)
    for city in _cities(ep):
        lst = filed_list(city, ep.pack_id)
        region = get_region(city)
        row = {"region_code": city, "region_name": region.name if region else city,
               "list_id": lst.id if lst else None, "list_number": lst.number if lst else None, "levels": []}
        if lst is not None:
            for level in levels:
                t = totals(lst, pack, level)
                row["levels"].append({"level": level, "met": t.met, "pollutants": [
                    {"pollutant": p.pollutant, "baseline": round(p.baseline, 1), "reduction": round(p.reduction, 1),
                     "percent": round(p.percent, 2), "target_percent": p.target_percent, "met": p.met}
                    for p in sorted(t.pollutants, key=lambda p: POLLUTANTS.index(p.pollutant)
                                    if p.pollutant in POLLUTANTS else 9)]})
        out.append(row)
    return out


# ---- the episode report ----

def episode_report(ep: AlertEpisode, now: datetime | None = None) -> dict[str, Any]:
    changes = list(db.session.scalars(select(LevelChange).where(LevelChange.episode_id == ep.id).order_by(LevelChange.seq)))
    spans = level_spans(ep, changes, now)
    hours = hours_per_level(spans)
    levels = [lv for lv in LEVELS if hours[lv] > 0 or any(s["level"] == lv for s in spans)]
    orders = list(db.session.execute(select(AlertOrder.id, AlertOrder.region_code).where(AlertOrder.episode_id == ep.id)))
    enterprises = db.session.scalar(select(func.count(func.distinct(AlertOrder.enterprise_id))).where(
        AlertOrder.episode_id == ep.id)) or 0
    start = _aware(ep.starts_at)
    end = _aware(ep.lifted_at) if ep.status == "lifted" else None
    region = get_region(ep.region_code)
    return {"episode": ep, "id": ep.id, "region_code": ep.region_code, "region_name": region.name if region else ep.region_code,
            "pack_id": ep.pack_id, "scope": ep.scope, "status": ep.status, "level": ep.level,
            "doc_number": ep.doc_number, "starts_at": start, "ends_at": end,
            "duration_hours": round(sum(s["hours"] for s in spans), 2),
            "peak_level": max((s["level"] for s in spans), key=LEVELS.index, default=ep.level),
            "spans": spans, "hours_per_level": hours, "levels": levels,
            "changes": changes, "enterprises": enterprises, "orders": order_counts([(o, c) for o, c in orders]),
            "capacity": capacity(ep, changes), "reductions": reductions(ep, levels)}


def timeline_chart(report: dict[str, Any], label) -> dict[str, Any]:
    """ECharts step line: x = Beijing time, y = level rank (0 none … 4 red), axis labels as level names."""
    points = []
    for s in report["spans"]:
        rank = LEVELS.index(s["level"]) + 1
        points.append([s["start"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"), rank])
        points.append([s["end"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"), rank])
        points.append([s["end"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"), None])
    return {"points": points, "ranks": [""] + [label(lv) for lv in LEVELS]}


# ---- the province's (or any official's) view: episodes by city ----

def _touches(code: str, prefix: str) -> bool:
    return code.startswith(prefix) or prefix.startswith(region_prefix(code))


def visible_episodes(actor, start: datetime | None = None, end: datetime | None = None,
                     region_code: str | None = None) -> list[AlertEpisode]:
    """Episodes the actor may see, overlapping [start, end) if given, whose area touches region_code if given
    (a county: the city's alerts that cover it; a province: its cities' and its regional alerts)."""
    if not auth.can_list_episodes(actor):
        return []
    stmt = select(AlertEpisode).order_by(AlertEpisode.region_code, AlertEpisode.starts_at)
    if end is not None:
        stmt = stmt.where(AlertEpisode.starts_at < end)
    if start is not None:
        stmt = stmt.where((AlertEpisode.lifted_at.is_(None)) | (AlertEpisode.lifted_at >= start))
    eps = [ep for ep in db.session.scalars(stmt) if auth.can_view_episode(actor, ep)]
    if region_code:
        prefix = region_prefix(region_code)
        eps = [ep for ep in eps if any(_touches(a, prefix) for a in (ep.area_codes or [ep.region_code]))]
    return eps


def summary(actor, start: datetime | None = None, end: datetime | None = None,
            region_code: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Per city: episodes, days at each level (inside [start, end)), orders, acknowledgement rate, and per level the
    filed list's reductions vs targets. A regional alert counts for each city it covers."""
    eps = visible_episodes(actor, start, end, region_code)
    rows: dict[str, dict[str, Any]] = {}
    lists_wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    episodes_out = []
    for ep in eps:
        changes = list(db.session.scalars(select(LevelChange).where(LevelChange.episode_id == ep.id)))
        spans = level_spans(ep, changes, now)
        hours = hours_per_level(spans, start, end)
        order_q = select(AlertOrder.id, AlertOrder.region_code).where(AlertOrder.episode_id == ep.id)
        if start is not None:
            order_q = order_q.where(AlertOrder.window_start >= start)
        if end is not None:
            order_q = order_q.where(AlertOrder.window_start < end)
        orders = list(db.session.execute(order_q))
        if region_code and len(region_prefix(region_code)) > 4:  # a county's report: its own enterprises' orders
            orders = [(o, c) for o, c in orders if c.startswith(region_prefix(region_code))]
        cities = _cities(ep)
        episodes_out.append({"episode": ep, "hours_per_level": hours, "orders": order_counts([(o, c) for o, c in orders])["total"]})
        for city in cities:
            code = city
            region = get_region(code)
            row = rows.setdefault(code, {"region_code": code, "region_name": region.name if region else code,
                                         "episodes": 0, "days": {lv: 0.0 for lv in LEVELS},
                                         "issued": 0, "delivered": 0, "read": 0, "acknowledged": 0, "levels": set()})
            row["episodes"] += 1
            for lv in LEVELS:
                row["days"][lv] += hours[lv] / 24
                if hours[lv] > 0:
                    row["levels"].add(lv)
                    lists_wanted[city].add((ep.pack_id, lv))
            mine = orders if len(cities) == 1 else [(o, c) for o, c in orders if c.startswith(region_prefix(city))]
            counts = order_counts(mine)["total"]
            for k in ("issued", "delivered", "read", "acknowledged"):
                row[k] += counts[k]
    out = []
    for code in sorted(rows):
        row = rows[code]
        row["days"] = {lv: round(v, 2) for lv, v in row["days"].items()}
        row["ack_rate"] = round(100 * row["acknowledged"] / row["issued"], 1) if row["issued"] else None
        row["reductions"] = []
        for pack_id, lv in sorted(lists_wanted.get(code, ()), key=lambda x: (x[0], LEVELS.index(x[1]))):
            lst = filed_list(code, pack_id)
            if lst is None:
                row["reductions"].append({"pack_id": pack_id, "level": lv, "list_id": None, "pollutants": []})
                continue
            t = totals(lst, get_pack(pack_id), lv)
            row["reductions"].append({"pack_id": pack_id, "level": lv, "list_id": lst.id, "met": t.met, "pollutants": [
                {"pollutant": p.pollutant, "percent": round(p.percent, 2), "target_percent": p.target_percent, "met": p.met}
                for p in t.pollutants]})
        row["levels"] = sorted(row["levels"], key=LEVELS.index)
        out.append(row)
    return {"cities": out, "episodes": episodes_out, "start": start, "end": end}


# ---- the monthly report (D-20, 001:121) ----

def parse_month(text: str) -> tuple[int, int]:
    try:
        y, m = text.split("-")
        year, month = int(y), int(m)
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
        return year, month
    except ValueError as exc:
        raise ValueError(f"month must be YYYY-MM, got {text!r}") from exc


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The calendar month in Beijing time, as aware datetimes [first day 00:00, next month's first day 00:00)."""
    start = datetime(year, month, 1, tzinfo=BEIJING)
    days = calendar.monthrange(year, month)[1]
    return start, start + timedelta(days=days)


def due_date(year: int, month: int) -> date:
    """D-20 (001:121): reported to the command on the 25th — the month's report on the 25th of the next month."""
    return date(year + (month == 12), month % 12 + 1, 25)


def monthly(actor, year: int, month: int, region_code: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    start, end = month_bounds(year, month)
    data = summary(actor, start, end, region_code or _default_region(actor), now)
    data.update({"year": year, "month": month, "month_text": f"{year:04d}-{month:02d}", "due": due_date(year, month),
                 "region_code": region_code or _default_region(actor)})
    data["totals"] = {"episodes": len(data["episodes"]),
                      "days": {lv: round(sum(c["days"][lv] for c in data["cities"]), 2) for lv in LEVELS},
                      **{k: sum(c[k] for c in data["cities"]) for k in ("issued", "delivered", "read", "acknowledged")}}
    return data


def _default_region(actor) -> str | None:
    if getattr(actor, "role", None) in (Role.PROVINCE.value, Role.CITY.value, Role.COUNTY.value):
        return actor.region_code
    return None


# ---- plain JSON (API, CLI) ----

def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k not in ("episode", "changes")}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def episode_json(r: dict[str, Any]) -> dict[str, Any]:
    return _jsonable(r)


def summary_json(data: dict[str, Any]) -> dict[str, Any]:
    out = _jsonable({k: v for k, v in data.items() if k != "episodes"})
    out["episodes"] = [{"episode_id": e["episode"].id, "region_code": e["episode"].region_code,
                        "doc_number": e["episode"].doc_number, "status": e["episode"].status,
                        "starts_at": _jsonable(_aware(e["episode"].starts_at)),
                        "lifted_at": _jsonable(_aware(e["episode"].lifted_at)),
                        "hours_per_level": e["hours_per_level"], "orders": e["orders"]} for e in data["episodes"]]
    return out
