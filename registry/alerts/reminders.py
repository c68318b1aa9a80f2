"""Plan reminders (issue 17, plan completeness): an official sends every enterprise of a region whose 一厂一策 plan
is missing, only drafted or incomplete (registry/emergency/completeness.plans_missing) a reminder in its alerts
inbox, and by e-mail where an SMTP server is configured (the alerts' SMTP sender, registry/alerts/delivery.py);
one audit entry records who sent how many, for which region, pack and season, and the e-mail results.

E-mail results are not rows of `alert_delivery` (that table records the delivery of an order; a reminder has
none): they are counted in the audit entry.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import insert, select

from registry.accounts.models import Role, User
from registry.alerts import delivery
from registry.alerts.models import InboxMessage
from registry.core import audit
from registry.core.errors import Forbidden
from registry.core.timeutil import utcnow
from registry.emergency.completeness import missing_for
from registry.extensions import db

BATCH = 2000
SENDERS = (Role.COUNTY.value, Role.CITY.value, Role.PROVINCE.value)


def _text(row: dict[str, Any], season: int, deadline: dict[str, Any] | None) -> tuple[str, str]:
    status = {"missing": _("no plan has been filed"), "draft": _("the plan is a draft, not filed"),
              "incomplete": _("the filed plan misses lines or levels")}[row["status"]]
    subject = _("Reminder: file your emergency reduction plan (一厂一策) for %(season)s–%(next)s",
                season=season, next=season + 1)
    body = _("%(name)s: %(status)s.", name=row["name"], status=status)
    if row["missing"]:
        body += " " + _("Lines without an entry: %(lines)s.", lines="、".join(
            f"{g['code'] or g['name']}" for g in row["missing"]))
    if deadline:
        body += " " + _("Filing deadline: %(date)s (%(rule)s, %(source)s).", date=deadline["date"].isoformat(),
                        rule=deadline["rule"], source=deadline["source"])
    body += " " + _("Until the plan is filed, alert orders carry the pack's minimum measures.")
    return subject[:200], body


def remind_plans(actor, region_code: str, season: int | None = None, pack_id: str | None = None) -> dict[str, Any]:
    """Send the reminders; returns {pack, season, deadline, enterprises, inbox, email: {sent, failed, skipped}}.
    Officials whose scope covers the region (missing_for answers 404 outside it); flushes, the caller commits."""
    pack, season, deadline, rows = missing_for(actor, region_code, season, pack_id)
    if getattr(actor, "role", None) not in SENDERS:
        raise Forbidden(_("You do not have permission to do this."))
    now = utcnow()
    inbox, mails = [], []
    config = current_app.config if has_app_context() else {}
    emails: dict[int, list[str]] = {}
    ids = [r["enterprise_id"] for r in rows]
    if config.get("MAIL_SERVER") and ids:
        for i in range(0, len(ids), BATCH):
            for eid, email in db.session.execute(select(User.enterprise_id, User.email).where(
                    User.enterprise_id.in_(ids[i:i + BATCH]), User.role == Role.ENTERPRISE.value,
                    User.active.is_(True), User.email.is_not(None))):
                if email:
                    emails.setdefault(eid, []).append(email)
    for row in rows:
        subject, body = _text(row, season, deadline)
        inbox.append({"enterprise_id": row["enterprise_id"], "user_id": None, "kind": "reminder", "subject": subject,
                      "body": body, "link": f"/emergency/enterprises/{row['enterprise_id']}/plan", "order_id": None,
                      "created_at": now})
        for address in emails.get(row["enterprise_id"], []):
            mails.append(delivery.Message(row["enterprise_id"], address, subject, body))
    for i in range(0, len(inbox), BATCH):
        db.session.execute(insert(InboxMessage), inbox[i:i + BATCH])
    results: Counter[str] = Counter()
    if mails:
        sender = delivery.email_sender(config)
        if sender.configured:
            results.update(r.status for r in sender.send(mails))
    out = {"pack": pack.id, "season": season, "deadline": deadline["date"].isoformat() if deadline else None,
           "enterprises": len(rows), "inbox": len(inbox), "email": dict(results),
           "statuses": dict(Counter(r["status"] for r in rows))}
    audit.record(actor, "alert.remind_plans", None, region_code=region_code,
                 summary=_("Plan reminders sent to %(n)s enterprises", n=len(rows)),
                 after={**out, "enterprise_ids": ids[:1000]})
    db.session.flush()
    return out
