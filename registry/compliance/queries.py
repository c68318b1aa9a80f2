"""Scoped reads of the compliance domain: the anomaly list with filters, the county's inspection tasks, the chart
data of an anomaly's evidence, and the compliance summary per episode and season (share of orders verified
compliant, by sector and county, with the province's roll-up)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.alerts.models import AlertEpisode, AlertOrder
from registry.compliance.labels import detail
from registry.compliance.models import Anomaly, InspectionTask
from registry.core import codes
from registry.core.errors import Forbidden
from registry.core.timeutil import BEIJING
from registry.enterprises.models import Enterprise
from registry.extensions import db


def _official(actor) -> None:
    if not (getattr(actor, "is_system", False) or (getattr(actor, "is_authenticated", False) and actor.is_official)):
        raise Forbidden(_("You do not have permission to do this."))


def _reader(actor) -> None:
    """Officials (their region) and enterprise users (their own); the administrators have no business here."""
    if getattr(actor, "is_system", False):
        return
    if not getattr(actor, "is_authenticated", False) or not (
            actor.is_official or (actor.role == Role.ENTERPRISE.value and actor.enterprise_id)):
        raise Forbidden(_("You do not have permission to do this."))


def _scoped(stmt, actor, region_col, enterprise_col):
    if getattr(actor, "is_system", False):
        return stmt
    if actor.role == Role.ENTERPRISE.value:
        return stmt.where(enterprise_col == actor.enterprise_id)
    prefix = scope_prefix(actor)
    return stmt.where(region_col.startswith(prefix or "-"))


def anomalies(actor, status: str = "", check: str = "", severity: str = "", region: str = "",
              episode_id: Optional[int] = None, limit: int = 500) -> list[Anomaly]:
    _reader(actor)
    stmt = _scoped(select(Anomaly), actor, Anomaly.region_code, Anomaly.enterprise_id)
    if status:
        stmt = stmt.where(Anomaly.status == status)
    if check:
        stmt = stmt.where(Anomaly.check_code == check)
    if severity:
        stmt = stmt.where(Anomaly.severity == severity)
    if region:
        stmt = stmt.where(Anomaly.region_code.startswith(region))
    if episode_id:
        stmt = stmt.where(Anomaly.episode_id == episode_id)
    return list(db.session.scalars(stmt.order_by(Anomaly.window_start.desc(), Anomaly.id.desc()).limit(limit)))


def tasks(actor, status: str = "open") -> list[InspectionTask]:
    _official(actor)
    stmt = _scoped(select(InspectionTask).join(Anomaly), actor, InspectionTask.region_code, Anomaly.enterprise_id)
    if status:
        stmt = stmt.where(InspectionTask.status == status)
    return list(db.session.scalars(stmt.order_by(InspectionTask.due_at, InspectionTask.id)))


def enterprise_names(ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {eid: name for eid, name in db.session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))}


def chart(a: Anomaly) -> dict[str, Any]:
    """The evidence chart's data, labelled here (no code reaches the chart): hours, baseline vs actual, the
    window's first and last hour (shaded), for electricity checks; counts for the others."""
    series = (a.evidence or {}).get("series") or []
    if not series:
        return {}
    hours = [p["h"][5:] for p in series]
    inside = [h for h, p in zip(hours, series) if p.get("w", True)]
    out = {"categories": hours, "y_name": "kWh", "window": [inside[0], inside[-1]] if inside else [],
           "window_name": _("Order window"),
           "series": [{"name": _("Baseline"), "type": "line", "data": [p["baseline"] for p in series]},
                      {"name": _("Actual"), "type": "line", "data": [p["actual"] for p in series]}]}
    if series and "production" in series[0]:
        out["series"].append({"name": _("Production"), "type": "line", "data": [p["production"] for p in series]})
        out["series"][0]["name"] = _("Control facility baseline")
        out["series"][1]["name"] = _("Control facility")
    return out


def evidence_text(a: Anomaly) -> str:
    return detail(a.check_code, a.evidence or {})


def summary(actor, episode_id: Optional[int] = None, season: Optional[tuple[date, date]] = None) -> dict[str, Any]:
    """Per episode (or season [first, last]): orders in scope, orders with an anomaly, orders verified compliant
    (no anomaly, or every anomaly cleared on inspection); by sector, by county and by city (the province's roll-up),
    with the total of the official's region."""
    _official(actor)
    stmt = _scoped(select(AlertOrder), actor, AlertOrder.region_code, AlertOrder.enterprise_id)
    if episode_id:
        stmt = stmt.where(AlertOrder.episode_id == episode_id)
    if season:
        lo = datetime.combine(season[0], time(), tzinfo=BEIJING)
        hi = datetime.combine(season[1] + timedelta(days=1), time(), tzinfo=BEIJING)
        stmt = stmt.join(AlertEpisode, AlertEpisode.id == AlertOrder.episode_id).where(
            AlertEpisode.starts_at >= lo, AlertEpisode.starts_at < hi)
    orders = list(db.session.scalars(stmt))
    ids = [o.id for o in orders]
    anomalous: dict[int, set[str]] = defaultdict(set)
    for i in range(0, len(ids), 500):
        for oid, status in db.session.execute(select(Anomaly.order_id, Anomaly.status).where(
                Anomaly.order_id.in_(ids[i:i + 500]))):
            anomalous[oid].add(status)
    sectors = {eid: sector for eid, sector in db.session.execute(select(Enterprise.id, Enterprise.sector).where(
        Enterprise.id.in_({o.enterprise_id for o in orders})))} if orders else {}

    def blank():
        return {"orders": 0, "with_anomaly": 0, "violations": 0, "compliant": 0}

    total, by_sector, by_county, by_city = blank(), defaultdict(blank), defaultdict(blank), defaultdict(blank)
    for o in orders:
        st = anomalous.get(o.id, set())
        bad = bool(st - {"cleared"})
        city = o.region_code[:4] + "00"
        for bucket in (total, by_sector[sectors.get(o.enterprise_id, "")], by_county[o.region_code], by_city[city]):
            bucket["orders"] += 1
            bucket["with_anomaly"] += 1 if st else 0
            bucket["violations"] += 1 if st & {"violation", "falsified"} else 0
            bucket["compliant"] += 0 if bad else 1

    def share(b):
        return round(100.0 * b["compliant"] / b["orders"], 1) if b["orders"] else None

    rows = lambda d, lab: sorted(({**v, "key": k, "label": lab(k), "share": share(v)} for k, v in d.items()),  # noqa: E731
                                 key=lambda r: r["key"])
    return {"total": {**total, "share": share(total)},
            "by_sector": rows(by_sector, lambda k: codes.label("Sector", k) if k else "—"),
            "by_county": rows(by_county, lambda k: k),
            "by_city": rows(by_city, lambda k: k)}  # the province's roll-up: one row per city
