"""Scoped reads for alert pages, API and CLI: episodes an actor may see, the per-enterprise status of an episode
(delivered / read / acknowledged), an enterprise's inbox, its orders in force and today's schedule measures."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from registry.alerts import auth
from registry.alerts.models import AlertEpisode, AlertOrder, Delivery, InboxMessage, LevelChange, Receipt
from registry.core.timeutil import utcnow
from registry.extensions import db
from registry.schedules.models import ScheduleEntry, ScheduleVersion, VersionStatus


def episodes(actor, status: str | None = None) -> list[AlertEpisode]:
    if not auth.can_list_episodes(actor):
        return []
    stmt = select(AlertEpisode).order_by(AlertEpisode.starts_at.desc(), AlertEpisode.id.desc())
    if status:
        stmt = stmt.where(AlertEpisode.status == status)
    return [ep for ep in db.session.scalars(stmt) if auth.can_view_episode(actor, ep)]


def changes(ep: AlertEpisode) -> list[LevelChange]:
    return list(db.session.scalars(select(LevelChange).where(LevelChange.episode_id == ep.id).order_by(LevelChange.seq)))


def status_rows(ep: AlertEpisode, *, unacknowledged: bool = False, current_only: bool = True) -> list[dict[str, Any]]:
    """Per enterprise: its latest order in the episode and whether it was delivered, read and acknowledged."""
    latest = (select(AlertOrder.enterprise_id, func.max(AlertOrder.id).label("oid"))
              .where(AlertOrder.episode_id == ep.id).group_by(AlertOrder.enterprise_id).subquery())
    orders = db.session.scalars(select(AlertOrder).join(latest, latest.c.oid == AlertOrder.id)).all()
    ids = [o.id for o in orders]
    delivered: dict[int, set[str]] = {}
    read: dict[int, datetime] = {}
    receipts: dict[int, Receipt] = {}
    for i in range(0, len(ids), 5000):
        chunk = ids[i:i + 5000]
        for oid, channel in db.session.execute(select(Delivery.order_id, Delivery.channel).where(
                Delivery.order_id.in_(chunk), Delivery.status == "sent")):
            delivered.setdefault(oid, set()).add(channel)
        for oid, at in db.session.execute(select(InboxMessage.order_id, func.min(InboxMessage.read_at)).where(
                InboxMessage.order_id.in_(chunk), InboxMessage.read_at.is_not(None)).group_by(InboxMessage.order_id)):
            read[oid] = at
        for r in db.session.scalars(select(Receipt).where(Receipt.order_id.in_(chunk))):
            receipts[r.order_id] = r
    rows = []
    for o in orders:
        r = receipts.get(o.id)
        row = {"order": o, "order_id": o.id, "enterprise_id": o.enterprise_id, "name": o.content.get("name", ""),
               "region_code": o.region_code, "level": o.level, "in_force": o.window_end is None,
               "window_start": o.window_start, "window_end": o.window_end,
               "lines": len(o.content.get("lines") or []),
               "delivered": sorted(delivered.get(o.id, ())), "read_at": read.get(o.id),
               "acknowledged_at": r.at if r else None, "acknowledged_by": r.user_id if r else None,
               "receipt_note": r.note if r else ""}
        if unacknowledged and r is not None:
            continue
        rows.append(row)
    return sorted(rows, key=lambda x: (x["acknowledged_at"] is not None, x["region_code"], x["name"]))


def counts(ep: AlertEpisode) -> dict[str, int]:
    """Enterprises, delivered, read, acknowledged — for the orders of the episode's latest step with orders, in SQL
    (a dashboard asks for every active episode; status_rows would load every order)."""
    last = db.session.scalar(select(func.max(AlertOrder.change_id)).where(AlertOrder.episode_id == ep.id))
    if last is None:
        return {"enterprises": 0, "delivered": 0, "read": 0, "acknowledged": 0}
    ids = select(AlertOrder.id).where(AlertOrder.change_id == last).scalar_subquery()

    def n(stmt) -> int:
        return db.session.scalar(stmt) or 0

    return {"enterprises": n(select(func.count()).select_from(AlertOrder).where(AlertOrder.change_id == last)),
            "delivered": n(select(func.count(func.distinct(Delivery.order_id))).where(
                Delivery.order_id.in_(ids), Delivery.status == "sent")),
            "read": n(select(func.count(func.distinct(InboxMessage.order_id))).where(
                InboxMessage.order_id.in_(ids), InboxMessage.read_at.is_not(None))),
            "acknowledged": n(select(func.count()).select_from(Receipt).where(Receipt.order_id.in_(ids)))}


def orders_of(ep: AlertEpisode, enterprise_id: int) -> list[AlertOrder]:
    return list(db.session.scalars(select(AlertOrder).where(
        AlertOrder.episode_id == ep.id, AlertOrder.enterprise_id == enterprise_id).order_by(AlertOrder.id)))


def inbox(enterprise_id: int, limit: int = 200) -> list[InboxMessage]:
    return list(db.session.scalars(select(InboxMessage).where(InboxMessage.enterprise_id == enterprise_id)
                                   .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc()).limit(limit)))


def unread_count(enterprise_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.enterprise_id == enterprise_id, InboxMessage.read_at.is_(None))) or 0


def orders_in_force(enterprise_id: int, at: datetime | None = None) -> list[AlertOrder]:
    at = at or utcnow()
    return list(db.session.scalars(select(AlertOrder).where(
        AlertOrder.enterprise_id == enterprise_id, AlertOrder.window_start <= at,
        AlertOrder.window_end.is_(None)).order_by(AlertOrder.window_start)))


def enterprise_orders(enterprise_id: int, limit: int = 100) -> list[AlertOrder]:
    return list(db.session.scalars(select(AlertOrder).where(AlertOrder.enterprise_id == enterprise_id)
                                   .order_by(AlertOrder.id.desc()).limit(limit)))


def schedule_today(enterprise_id: int, day: date) -> list[ScheduleEntry]:
    """The staggered-production measures in force on `day` from the newest published schedule version."""
    newest = db.session.scalar(select(ScheduleVersion.id).join(ScheduleEntry, ScheduleEntry.version_id == ScheduleVersion.id)
                               .where(ScheduleVersion.status == VersionStatus.PUBLISHED.value,
                                      ScheduleEntry.enterprise_id == enterprise_id)
                               .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.id.desc()).limit(1))
    if newest is None:
        return []
    return list(db.session.scalars(select(ScheduleEntry).where(
        ScheduleEntry.version_id == newest, ScheduleEntry.enterprise_id == enterprise_id,
        ScheduleEntry.phase_start <= day, ScheduleEntry.phase_end > day, ScheduleEntry.measure != "none")
        .order_by(ScheduleEntry.position)))
