"""Demo readings (issue 19): meters and stacks for the Langfang demo enterprises, and readings around the demo's
finished alert episode — normal days before it, the episode, a day after — with one planted violator of each kind
(registry/readings/synthetic.py). The truth is kept beside the store (`demo-truth.json`), so "the demo episode's
violators are found" can be checked from a fresh clone.

The orders are read from the alert tables through the metadata (the readings domain sits below alerts and imports
nothing of it): per enterprise, the strictest measure of its order in the episode (stop, else curtail by the largest
percentage) and whether the order carries transport restrictions. Without a demo alert (the alerts demo not built) a
window three days before today is used, with measures spread as in the bench.
"""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from registry.accounts.auth import SYSTEM
from registry.core import timeutil
from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db
from registry.policy import compliance as policy_compliance
from registry.policy import packs as policy_packs
from registry.readings import operations as ops
from registry.readings import synthetic
from registry.readings.models import Meter, ReadingBatch, Stack
from registry.readings.queries import city_of
from registry.readings.store import ReadingsStore, current_store

DEMO_CITY_PREFIX = "1310"  # 廊坊市
BEIJING = timedelta(hours=8)


def _beijing(at: datetime) -> datetime:
    """UTC (aware) → Beijing wall clock without a zone, as the store keeps times."""
    return (at.replace(tzinfo=None) + BEIJING) if at.tzinfo is not None else at + BEIJING


def episode_orders() -> tuple[datetime, datetime, dict[int, dict[str, Any]]] | None:
    """(window start, window end, {enterprise_id: {"measure", "pct", "transport", "line_id"}}) of the finished
    Langfang demo episode, read through the metadata; None when there is none. `line_id` is the line the strictest
    measure is ordered on: the production meter goes on it, so what the checks compare is the ordered line's power."""
    tables = db.metadata.tables
    if "alert_order" not in tables or "alert_episode" not in tables:
        return None
    orders, episodes = tables["alert_order"], tables["alert_episode"]
    ep = db.session.execute(select(episodes.c.id).where(episodes.c.region_code == DEMO_CITY_PREFIX + "00",
                                                        episodes.c.status == "lifted")
                            .order_by(episodes.c.starts_at.desc()).limit(1)).scalar()
    if ep is None:
        return None
    rows = db.session.execute(select(orders.c.enterprise_id, orders.c.content, orders.c.window_start,
                                     orders.c.window_end).where(orders.c.episode_id == ep)).all()
    if not rows:
        return None
    start = min(r.window_start for r in rows)
    end = max(r.window_end or r.window_start for r in rows)
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        content = r.content if isinstance(r.content, dict) else json.loads(r.content or "{}")
        measure, pct, line_id = "none", 0.0, None
        for ln in content.get("lines") or []:
            if ln.get("measure") == "stop":
                measure, pct, line_id = "stop", 0.0, ln.get("line_id")
                break
            if ln.get("measure") == "curtail" and float(ln.get("percent") or 0) >= pct:
                measure, pct, line_id = "curtail", float(ln.get("percent") or 0), ln.get("line_id")
        prev = out.get(r.enterprise_id)
        if prev is None or (measure == "stop") or (measure == "curtail" and prev["measure"] == "none"):
            out[r.enterprise_id] = {"measure": measure, "pct": pct, "transport": bool(content.get("transport")),
                                    "line_id": line_id}
    return _beijing(start), _beijing(end), out


def build_readings_demo(store: ReadingsStore | None = None, *, seed: int = 19) -> dict[str, Any]:
    """Register the demo meters and stacks and load the demo readings once (nothing when meters exist)."""
    made: dict[str, Any] = {"meters": 0, "stacks": 0, "readings": 0, "violations": 0}
    if db.session.scalar(select(func.count()).select_from(Meter)):
        return made
    store = store or current_store()
    enterprises = db.session.scalars(select(Enterprise).where(Enterprise.region_code.startswith(DEMO_CITY_PREFIX))
                                     .order_by(Enterprise.id)).all()
    if not enterprises:
        return made
    found = episode_orders()
    today = timeutil.beijing_today()
    if found is None:
        start = datetime.combine(today - timedelta(days=3), time(8))
        found = (start, start + timedelta(days=2), {})
    window_start, window_end, orders = found
    ban_all = _bans_every_vehicle(enterprises[0].region_code)
    plans = []
    for i, ent in enumerate(enterprises):
        ordered = (orders.get(ent.id) or {}).get("line_id")
        line = db.session.get(ProductionLine, ordered) if ordered else None
        if line is None or line.enterprise_id != ent.id:
            line = db.session.scalar(select(ProductionLine).where(ProductionLine.enterprise_id == ent.id)
                                     .order_by(ProductionLine.id).limit(1))
        prod = ops.register_meter(SYSTEM, ent.id, {"code": "P1", "facility": line.name if line else "生产线",
                                                   "role": "production", "line_id": line.id if line else None})
        ctrl = ops.register_meter(SYSTEM, ent.id, {"code": "C1", "facility": "污染治理设施", "role": "control",
                                                   "line_id": line.id if line else None})
        made["meters"] += 2
        stack = None
        if i % 2 == 0:
            stack = ops.register_stack(SYSTEM, ent.id, {"name": "1号排放口", "mn": f"LFDEMO{ent.id:08d}",
                                                        "line_id": line.id if line else None})
            made["stacks"] += 1
        order = orders.get(ent.id) or ({"measure": ("stop", "curtail", "none")[i % 3], "pct": 30.0, "transport": True}
                                       if not orders else {"measure": "none", "pct": 0.0, "transport": False})
        plans.append(synthetic.EnterprisePlan(
            enterprise_id=ent.id, city_code=city_of(ent.region_code), production_meter=prod.id, control_meter=ctrl.id,
            stack=stack.id if stack else None, measure=order["measure"], curtail_pct=order["pct"],
            transport_ban=order["transport"], ban_all_vehicles=ban_all))
    first_day = window_start.date() - timedelta(days=14)
    plan = synthetic.Plan(plans, first_day, (window_start.date() - first_day).days, window_start, window_end,
                          after_days=1, seed=seed)
    synthetic.plant(plan, 1)
    tables: dict[str, list[pa.Table]] = {}
    for kind, _city, day, table in synthetic.generate(plan):
        if day > today:
            continue
        tables.setdefault(kind, []).append(table)
    for kind, parts in tables.items():
        result = store.append(kind, pa.concat_tables(parts))
        made["readings"] += result.accepted
        days = [d for _c, d in result.partitions]
        db.session.add(ReadingBatch(kind=kind, source="demo", filename="", sha256="", rows_accepted=result.accepted,
                                    rows_duplicate=result.duplicates, rows_refused=0, region_code=DEMO_CITY_PREFIX + "00",
                                    first_day=min(days) if days else None, last_day=max(days) if days else None,
                                    summary={"demo": True}))
    truth = {"window_start": window_start.isoformat(), "window_end": window_end.isoformat(),
             "violations": [v.as_dict() for v in plan.truth]}
    Path(store.root).mkdir(parents=True, exist_ok=True)
    (Path(store.root) / "demo-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, default=str))
    made["violations"] = len(plan.truth)
    db.session.flush()
    return made


def _bans_every_vehicle(region_code: str) -> bool:
    """Whether the region's ban turns back even the fleet a compliant enterprise runs under a ban (国六 diesel, gas,
    electric: synthetic.BAN_FLEET) — Langfang's ban of every transport vehicle, 000:139 — asked of the check itself
    (R-CK-05), so that a compliant demo enterprise then moves no truck in the window."""
    pack_id = policy_packs.pack_for_region(region_code)
    levels = policy_compliance.ban_levels(pack_id)
    if not levels:
        return False
    fleet = [{"plate": f"DEMO{i}", "emission_standard": standard, "fuel": fuel, "direction": "in"}
             for i, (standard, fuel) in enumerate(synthetic.BAN_FLEET)]
    return policy_compliance.run(pack_id, "banned_vehicle", {"level": levels[0], "entries": fleet})["params"]["banned"] > 0


def demo_truth(store: ReadingsStore | None = None) -> dict[str, Any] | None:
    path = Path((store or current_store()).root) / "demo-truth.json"
    return json.loads(path.read_text()) if path.exists() else None


def stack_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Stack)) or 0
