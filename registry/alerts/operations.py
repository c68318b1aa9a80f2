"""Alert use cases: issue, change the level, lift; orders for every covered enterprise; delivery; receipts.

Pages, API and CLI call these, so the permission check, the episode rules (registry/policy/alerts.py →
grading/rules/episodes.py), immutability and the audit entry cannot be skipped by choosing another door.
Operations flush; callers commit (the request's unit of work, or the CLI).

Orders are written in bulk (one INSERT … RETURNING per batch): a city of 5,000 enterprises gets its orders, inbox
entries and in-app deliveries in a few statements. E-mail and SMS are sent after the rows exist, each result
recorded as a delivery row.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from registry.accounts.models import Role, User
from registry.alerts import auth, delivery
from registry.alerts.models import (
    LEVELS,
    AlertArea,
    AlertEpisode,
    AlertOrder,
    Delivery,
    InboxMessage,
    LevelChange,
    Receipt,
)
from registry.alerts.sources import orders_for
from registry.core import audit, codes, timeutil
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.regions import get_region, region_prefix
from registry.core.timeutil import BEIJING, utcnow
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.alerts import episode_rules, regional_ground
from registry.policy.packs import REGION_PACK_DEFAULTS, get_pack, pack_for_region

BATCH = 2000


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), {field: [message]})


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # a naive time typed by an official is Beijing time
        value = value.replace(tzinfo=BEIJING)
    return value.astimezone(timezone.utc)  # stored as UTC (SQLite keeps no offset)


def _level_label(level: str) -> str:
    return codes.label("AlertLevel", level)


# ---- reading ----

def get_episode(actor, episode_id: int) -> AlertEpisode:
    ep = db.session.get(AlertEpisode, episode_id)
    if ep is None or not auth.can_view_episode(actor, ep):
        raise NotFound(_("Not found."))
    return ep


def get_order(actor, order_id: int) -> AlertOrder:
    order = db.session.get(AlertOrder, order_id)
    if order is None or not auth.can_view_order(actor, order):
        raise NotFound(_("Not found."))
    return order


def _managed(actor, episode_id: int, version: int | None = None) -> AlertEpisode:
    ep = get_episode(actor, episode_id)
    if not auth.can_manage_episode(actor, ep):
        raise Forbidden(_("You do not have permission to do this."))
    if version is not None and version != ep.version:
        raise Conflict(_("The record was changed by someone else. Reload and try again."))
    return ep


# ---- issuing ----

def _areas(data: dict[str, Any]) -> tuple[str, str, list[str]]:
    scope, region_code = data.get("scope") or "city", data["region_code"]
    region = get_region(region_code)
    if region is None:
        raise _invalid("region_code", _("Unknown region %(code)s.", code=region_code))
    areas = sorted(set(data.get("area_codes") or []))
    if scope == "city":
        if not issues_alerts(region):
            raise _invalid("region_code", _("A city alert is issued by a city."))
        areas = [region_code]
    elif scope == "counties":
        if not areas:
            raise _invalid("area_codes", _("List the counties the alert covers."))
        for code in areas:
            r = get_region(code)
            if r is None or r.parent_code != region_code:
                raise _invalid("area_codes", _("%(code)s is not a county of the city.", code=code))
    elif scope == "regional":
        if region.level != "province":
            raise _invalid("region_code", _("A regional alert is issued by a province (003:48)."))
        if not areas:
            raise _invalid("area_codes", _("List the cities the regional alert covers."))
        for code in areas:
            r = get_region(code)
            if r is None or r.parent_code != region_code:
                raise _invalid("area_codes", _("%(code)s is not a city of the province.", code=code))
    else:
        raise _invalid("scope", _("Unknown alert scope."))
    return scope, region_code, areas


def issues_alerts(region) -> bool:
    """A city issues its alerts (000:151, 004:376); so does a county-level region that has its own policy pack in
    the deployment's region → pack table (Jiyuan 002, Jizhou 001: each city's or district's own plan)."""
    if region is None:
        return False
    if region.level == "city":
        return True
    table = (current_app.config.get("GRADE_WORKFLOW_PACKS") if has_app_context() else None) or \
        REGION_PACK_DEFAULTS["GRADE_WORKFLOW_PACKS"]
    return region.code in table


def _overlaps(a: list[str], b: list[str]) -> bool:
    return any(x.startswith(region_prefix(y)) or y.startswith(region_prefix(x)) for x in a for y in b)


def issue(actor, data: dict[str, Any]) -> AlertEpisode:
    """Issue an alert. An alert starting less than the lifting condition after the same area's last lift
    continues that episode (R-W-03, 000:147): the episode is re-opened at the strict level, not a new one."""
    scope, region_code, areas = _areas(data)
    if not auth.can_issue(actor, scope, region_code, areas):
        raise Forbidden(_("You do not have permission to do this."))
    pack_id = data.get("pack_id") or pack_for_region(areas[0] if scope == "regional" else region_code)
    if get_pack(pack_id) is None:
        raise _invalid("pack_id", _("Unknown policy pack %(id)s.", id=pack_id))
    rules = episode_rules(pack_id)
    level = data["level"]
    if level not in rules.levels:
        raise _invalid("level", _("The pack has no %(level)s alert level.", level=_level_label(level)))
    now = utcnow()
    starts_at = _aware(data.get("starts_at")) or now
    expected_end = _aware(data.get("expected_end_at"))
    if expected_end is not None and expected_end <= starts_at:
        raise _invalid("expected_end_at", _("The expected end must be after the start."))
    active = db.session.scalars(select(AlertEpisode).where(AlertEpisode.status == "active")).all()
    for ep in active:
        if _overlaps(ep.area_codes, areas):
            raise Conflict(_("An alert is already in force over this area (episode %(id)s): change its level or lift it.",
                             id=ep.id))
    grounds = rules.notice_flags(now, starts_at)
    if scope == "regional":
        grounds.append(regional_ground())
    previous = db.session.scalars(
        select(AlertEpisode).where(AlertEpisode.status == "lifted", AlertEpisode.region_code == region_code,
                                   AlertEpisode.scope == scope, AlertEpisode.pack_id == pack_id)
        .order_by(AlertEpisode.lifted_at.desc()).limit(1)).first()
    if previous is not None and previous.area_codes == areas and rules.continues(previous.lifted_at, starts_at):
        ep = previous
        before = {"status": ep.status, "level": ep.level, "lifted_at": ep.lifted_at}
        ep.status, ep.lifted_at = "active", None
        ep.level = rules.strict(level, ep.level) if data.get("strict", True) else level
        ep.expected_end_at = expected_end or ep.expected_end_at
        grounds.append(rules.grounds["merge"])
        change = _change(ep, actor, "merge", ep.level, starts_at, data, grounds)
        audit.record(actor, "alert.merge", ep, before=before,
                     after={"level": ep.level, "change": change.id, "grounds": grounds},
                     summary=f"episode {ep.id} continued at {ep.level} (R-W-03)")
    else:
        ep = AlertEpisode(region_code=region_code, scope=scope, pack_id=pack_id, level=level, status="active",
                          doc_number=data.get("doc_number", ""), issuing_body=data.get("issuing_body", ""),
                          reason=data.get("reason", ""), starts_at=starts_at, expected_end_at=expected_end,
                          created_by_id=getattr(actor, "id", None),
                          areas=[AlertArea(region_code=c) for c in areas])
        db.session.add(ep)
        db.session.flush()
        change = _change(ep, actor, "issue", level, starts_at, data, grounds)
        audit.record(actor, "alert.issue", ep, after={"level": level, "scope": scope, "areas": areas,
                                                       "pack_id": pack_id, "starts_at": starts_at,
                                                       "doc_number": ep.doc_number, "grounds": grounds},
                     summary=f"alert {level} over {','.join(areas)}")
    issued = _issue_orders(ep, change)
    audit.record(actor, "alert.orders", ep, after={"change": change.id, "orders": issued, "level": ep.level},
                 summary=f"{issued} orders at {ep.level}")
    return ep


def _change(ep: AlertEpisode, actor, kind: str, level: str | None, at: datetime, data: dict[str, Any],
            grounds: list[dict[str, Any]]) -> LevelChange:
    seq = (db.session.scalar(select(db.func.max(LevelChange.seq)).where(LevelChange.episode_id == ep.id)) or 0) + 1
    change = LevelChange(episode_id=ep.id, seq=seq, kind=kind, level=level, at=at,
                         doc_number=data.get("doc_number", "") or "", note=data.get("note", "") or "",
                         grounds=grounds, by_id=getattr(actor, "id", None))
    db.session.add(change)
    db.session.flush()
    return change


def _last_at(ep: AlertEpisode) -> datetime:
    """A change takes effect no earlier than the episode's last step (a window never ends before it starts)."""
    return db.session.scalar(select(db.func.max(LevelChange.at)).where(LevelChange.episode_id == ep.id)) or ep.starts_at


def change_level(actor, episode_id: int, data: dict[str, Any]) -> AlertEpisode:
    """Raise or lower: the open orders end at the change and are replaced (kept, not edited) by new ones."""
    ep = _managed(actor, episode_id, data.get("version"))
    if ep.status != "active":
        raise Conflict(_("This alert has been lifted."))
    rules = episode_rules(ep.pack_id)
    level = data["level"]
    if level not in rules.levels:
        raise _invalid("level", _("The pack has no %(level)s alert level.", level=_level_label(level)))
    if level == ep.level:
        raise _invalid("level", _("The alert is already at this level."))
    kind = rules.change_kind(ep.level, level)
    at = max(_aware(data.get("at")) or utcnow(), _last_at(ep))
    before = {"level": ep.level}
    ep.level = level
    change = _change(ep, actor, kind, level, at, data, [])
    issued = _issue_orders(ep, change)
    audit.record(actor, "alert.change", ep, before=before,
                 after={"level": level, "kind": kind, "at": at, "change": change.id, "orders": issued},
                 summary=f"alert {before['level']} → {level}")
    return ep


def lift(actor, episode_id: int, data: dict[str, Any]) -> AlertEpisode:
    """Lift (R-W-02, 000:147: light pollution or better forecast for at least the lifting condition)."""
    ep = _managed(actor, episode_id, data.get("version"))
    if ep.status != "active":
        raise Conflict(_("This alert has been lifted."))
    rules = episode_rules(ep.pack_id)
    clear = data.get("clear_hours")
    if clear is not None and not rules.may_lift(float(clear)):
        g = rules.grounds["lift"]
        raise _invalid("clear_hours", _(
            "An alert is lifted when air quality is forecast to stay light or better for at least %(hours)s hours "
            "(%(rule)s, %(source)s).", hours=f"{rules.lift_hours:g}", rule=g["rule"], source=g["source"]))
    at = max(_aware(data.get("at")) or utcnow(), _last_at(ep))
    change = _change(ep, actor, "lift", None, at, data, [rules.grounds["lift"]])
    ended = _close_open(ep, change, at, {})
    ep.status, ep.lifted_at = "lifted", at
    _inbox_ended(ep, ended, at)
    audit.record(actor, "alert.lift", ep, before={"status": "active", "level": ep.level},
                 after={"status": "lifted", "at": at, "change": change.id, "orders_ended": len(ended),
                        "clear_hours": clear}, summary=f"alert lifted, {len(ended)} orders ended")
    return ep


# ---- orders and delivery ----

def _close_open(ep: AlertEpisode, change: LevelChange, at: datetime, replaced_by: dict[int, int]) -> list[tuple[int, int]]:
    """End the episode's open orders at `at` (ORM bulk update by primary key; closing fields only)."""
    rows = db.session.execute(select(AlertOrder.id, AlertOrder.enterprise_id).where(
        AlertOrder.episode_id == ep.id, AlertOrder.window_end.is_(None), AlertOrder.change_id != change.id)).all()
    if rows:
        db.session.execute(update(AlertOrder), [
            {"id": oid, "window_end": at, "ended_by_id": change.id, "superseded_by_id": replaced_by.get(eid)}
            for oid, eid in rows])
    return [(oid, eid) for oid, eid in rows]


@contextmanager
def _bulk():
    """The cyclic garbage collector paused for one fan-out: its full passes walk the whole heap, and a province's
    orders put hundreds of thousands of objects on it (the passes grew the 60,000-enterprise fan-out more than
    linearly). Reference counting still frees everything acyclic; the collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _issue_orders(ep: AlertEpisode, change: LevelChange) -> int:
    with _bulk():
        return _issue_orders_now(ep, change)


def _issue_orders_now(ep: AlertEpisode, change: LevelChange) -> int:
    day = change.at.astimezone(BEIJING).date()
    orders = orders_for(ep.pack_id, day, change.level, ep.area_codes)
    now = utcnow()
    for i in range(0, len(orders), BATCH):  # one executemany per batch (no RETURNING: SQLite would go row by row)
        db.session.execute(insert(AlertOrder), [
            {"episode_id": ep.id, "change_id": change.id, "enterprise_id": o["enterprise_id"],
             "region_code": o["region_code"], "level": change.level, "content": o, "window_start": change.at,
             "window_end": None, "created_at": now} for o in orders[i:i + BATCH]])
    by_ent = dict(db.session.execute(select(AlertOrder.enterprise_id, AlertOrder.id).where(
        AlertOrder.change_id == change.id)).all())  # unique per (change, enterprise)
    ids = [by_ent[o["enterprise_id"]] for o in orders]
    _close_open(ep, change, change.at, by_ent)
    deliver(ep, change, list(zip(ids, orders)))
    return len(ids)


def _subject(ep: AlertEpisode, level: str) -> str:
    return _("%(level)s: heavy-pollution emergency order %(doc)s", level=_level_label(level), doc=ep.doc_number or "")


def _body(ep: AlertEpisode, order: dict[str, Any], at: datetime) -> str:
    lines = order.get("lines") or []
    parts = [_("%(name)s: from %(at)s (Beijing time) until the alert is lifted or changed:",
               name=order.get("name", ""), at=at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"))]
    for ln in lines:
        what = codes.label("alerts.measure", ln.get("measure"))
        if ln.get("measure") == "curtail" and ln.get("percent"):
            what += f" {float(ln['percent']):g}%"
        parts.append(f"- {ln.get('name') or ln.get('code')}: {what}")
    if not lines:
        parts.append(_("No production-line measure at this level."))
    if order.get("transport"):
        parts.append(_("Transport restrictions apply (see the order)."))
    parts.append(_("Acknowledge receipt in the registry's inbox."))
    return "\n".join(parts)


def deliver(ep: AlertEpisode, change: LevelChange, issued: list[tuple[int, dict[str, Any]]],
            channels: tuple[str, ...] = ("inapp", "email", "sms")) -> dict[str, int]:
    """In-app inbox at once (bulk), then e-mail (SMTP, where configured) and SMS (pluggable sender)."""
    if not issued:
        return {}
    now = utcnow()
    subject = _subject(ep, change.level or ep.level)
    rows, deliveries = [], []
    for oid, o in issued:
        rows.append({"enterprise_id": o["enterprise_id"], "user_id": None, "kind": "alert_order",
                     "subject": subject[:200], "body": "", "link": f"/alerts/orders/{oid}", "order_id": oid,
                     "created_at": now})
        deliveries.append({"order_id": oid, "channel": "inapp", "recipient": f"enterprise:{o['enterprise_id']}",
                           "status": "sent", "at": now, "error": ""})
    if "inapp" in channels:
        for i in range(0, len(rows), BATCH):
            db.session.execute(insert(InboxMessage), rows[i:i + BATCH])
    else:
        deliveries = []
    config = current_app.config if has_app_context() else {}
    ent_ids = [o["enterprise_id"] for _oid, o in issued]
    emails: dict[int, list[str]] = defaultdict(list)
    contacts: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ent_ids):
        if "email" in channels and config.get("MAIL_SERVER"):
            for eid, email in db.session.execute(select(User.enterprise_id, User.email).where(
                    User.enterprise_id.in_(chunk), User.role == Role.ENTERPRISE.value, User.active.is_(True),
                    User.email.is_not(None))):
                if email:
                    emails[eid].append(email)
        if ("email" in channels and config.get("MAIL_SERVER")) or "sms" in channels:
            for eid, phone, email in db.session.execute(select(
                    Enterprise.id, Enterprise.contact_phone, Enterprise.contact_email).where(Enterprise.id.in_(chunk))):
                contacts[eid] = (phone or "", email or "")
    mails, texts = [], []
    for oid, o in issued:
        phone, email = contacts.get(o["enterprise_id"], ("", ""))
        if config.get("MAIL_SERVER"):
            body = _body(ep, o, change.at)
            for address in emails.get(o["enterprise_id"], []) or ([email] if email else []):
                mails.append(delivery.Message(oid, address, subject, body))
        if "sms" in channels and phone:
            texts.append(delivery.Message(oid, phone, subject, subject + " " + _("Acknowledge receipt in the registry.")))
    if "email" in channels:
        sender = delivery.email_sender(config)
        results = sender.send(mails) if sender.configured else []
        deliveries += [_delivery_row(r, "email", now) for r in results]
    if "sms" in channels and texts:
        deliveries += [_delivery_row(r, "sms", now) for r in delivery.sms_sender(config).send(texts)]
    for i in range(0, len(deliveries), BATCH):
        db.session.execute(insert(Delivery), deliveries[i:i + BATCH])
    counts: dict[str, int] = defaultdict(int)
    for d in deliveries:
        counts[f"{d['channel']}.{d['status']}"] += 1
    return dict(counts)


def _chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _delivery_row(r: delivery.Result, channel: str, at: datetime) -> dict[str, Any]:
    return {"order_id": r.order_id, "channel": channel, "recipient": r.recipient[:254], "status": r.status,
            "at": at, "error": r.error}


def _inbox_ended(ep: AlertEpisode, ended: list[tuple[int, int]], at: datetime) -> None:
    now = utcnow()
    subject = _("Alert lifted: the emergency orders %(doc)s end", doc=ep.doc_number or "")[:200]
    rows = [{"enterprise_id": eid, "user_id": None, "kind": "alert_ended", "subject": subject, "body": "",
             "link": f"/alerts/orders/{oid}", "order_id": oid, "created_at": now} for oid, eid in ended]
    for i in range(0, len(rows), BATCH):
        db.session.execute(insert(InboxMessage), rows[i:i + BATCH])


def resend(actor, episode_id: int, data: dict[str, Any]) -> dict[str, int]:
    """Send the open orders again (the unacknowledged ones, or the listed enterprises'); audited."""
    ep = _managed(actor, episode_id)
    stmt = select(AlertOrder).where(AlertOrder.episode_id == ep.id, AlertOrder.window_end.is_(None))
    if data.get("enterprise_ids"):
        stmt = stmt.where(AlertOrder.enterprise_id.in_(data["enterprise_ids"]))
    if data.get("unacknowledged_only", True):
        stmt = stmt.where(~select(Receipt.id).where(Receipt.order_id == AlertOrder.id).exists())
    orders = db.session.scalars(stmt).all()
    change = db.session.get(LevelChange, orders[0].change_id) if orders else None
    counts = deliver(ep, change, [(o.id, o.content) for o in orders]) if change else {}
    audit.record(actor, "alert.resend", ep, after={"orders": [o.id for o in orders][:200], "count": len(orders),
                                                   "deliveries": counts},
                 summary=f"{len(orders)} orders re-sent")
    return {"orders": len(orders), **counts}


# ---- the enterprise's side ----

def acknowledge(actor, order_id: int, data: dict[str, Any]) -> Receipt:
    order = get_order(actor, order_id)
    if not auth.can_acknowledge(actor, order):
        raise Forbidden(_("You do not have permission to do this."))
    if order.receipt is not None:
        raise Conflict(_("This order has already been acknowledged."))
    receipt = Receipt(order_id=order.id, user_id=actor.id, at=utcnow(), note=(data.get("note") or "")[:2000])
    db.session.add(receipt)
    _mark_read(actor, order)
    db.session.flush()
    enterprise = db.session.get(Enterprise, order.enterprise_id)
    audit.record(actor, "alert.acknowledge", receipt, after={"order": order.id, "note": receipt.note},
                 region_code=order.region_code, root=enterprise, summary=f"order {order.id} acknowledged")
    return receipt


def _mark_read(actor, order: AlertOrder) -> None:
    now = utcnow()
    db.session.execute(update(InboxMessage).where(
        InboxMessage.order_id == order.id, InboxMessage.enterprise_id == order.enterprise_id,
        InboxMessage.read_at.is_(None)).values(read_at=now, read_by_id=actor.id))


def open_order(actor, order_id: int) -> AlertOrder:
    """The enterprise opens its order: the inbox entries become read (the official sees "read")."""
    order = get_order(actor, order_id)
    if auth.is_recipient(actor, order.enterprise_id):
        unread = db.session.scalar(select(db.func.count()).select_from(InboxMessage).where(
            InboxMessage.order_id == order.id, InboxMessage.read_at.is_(None)))
        if unread:
            _mark_read(actor, order)
            audit.record(actor, "alert.read", order, region_code=order.region_code,
                         root=db.session.get(Enterprise, order.enterprise_id), summary=f"order {order.id} read")
    return order


def read_message(actor, message_id: int) -> InboxMessage:
    msg = db.session.get(InboxMessage, message_id)
    if msg is None or not (
            (msg.enterprise_id is not None and auth.is_recipient(actor, msg.enterprise_id))
            or (msg.user_id is not None and msg.user_id == getattr(actor, "id", None))):
        raise NotFound(_("Not found."))
    if msg.read_at is None:
        msg.read_at, msg.read_by_id = utcnow(), actor.id
    return msg


def level_choices(pack_id: str) -> list[str]:
    return [lv for lv in LEVELS if lv in episode_rules(pack_id).levels]


def default_window(hours: int = 72) -> tuple[datetime, datetime]:
    start = timeutil.beijing_now().replace(second=0, microsecond=0)
    return start, start + timedelta(hours=hours)
