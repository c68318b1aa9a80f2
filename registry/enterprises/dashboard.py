"""The registrations' part of the dashboard (issue 16): an official's review queue, an enterprise's own
registration and what it still lacks. Registered from the blueprint's setup (views.py, `record_once`).

Counts are aggregate SQL over the actor's scope (queries.visible_enterprises), never a Python loop over rows:
a province holds 60,000 enterprises.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core import timeutil
from registry.core.dashboard import onward, within
from registry.core.regions import region_label
from registry.enterprises.auth import can_review_registration
from registry.enterprises.models import STATUS_LABELS, Enterprise, RegistrationStatus, UsccClaim
from registry.enterprises.queries import visible_enterprises
from registry.extensions import db

SUBMITTED = RegistrationStatus.SUBMITTED.value
SHOWN = 5  # the first items of a queue on the dashboard; the list page has the rest


def _is_official(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_official", False))


def review_queue(user):
    """A select() of the registrations `user` must review, oldest submission first (the queue's order)."""
    return (_scoped(user).where(Enterprise.status == SUBMITTED)
            .order_by(Enterprise.submitted_at, Enterprise.id))


def _scoped(user):
    """queries.visible_enterprises, with the scope also as a region range the index answers (core.dashboard.within)."""
    stmt = visible_enterprises(user)
    if getattr(user, "is_official", False):
        stmt = stmt.where(*within(Enterprise.region_code, scope_prefix(user)))
    return stmt


def status_counts(user) -> dict[str, int]:
    """Registrations in scope per status (one GROUP BY)."""
    stmt = _scoped(user).with_only_columns(Enterprise.status, func.count()).group_by(Enterprise.status)
    return {status: n for status, n in db.session.execute(stmt)}


def next_registration(user, after_id: int | None = None) -> Enterprise | None:
    """The next registration waiting for `user`'s review (not `after_id`), or None when the queue is empty."""
    stmt = review_queue(user)
    if after_id is not None:
        stmt = stmt.where(Enterprise.id != after_id)
    for enterprise in db.session.scalars(stmt.limit(20)):
        if can_review_registration(user, enterprise):
            return enterprise
    return None


def _open_claims(user) -> int:
    prefix = scope_prefix(user)
    stmt = select(func.count()).select_from(UsccClaim).where(UsccClaim.status == "open")
    if prefix is not None:
        stmt = stmt.where(UsccClaim.code_region.startswith(prefix), *within(UsccClaim.code_region, prefix))
    return db.session.scalar(stmt) or 0


def _days_waiting(submitted_at) -> int | None:
    if submitted_at is None:
        return None
    return max(0, (timeutil.beijing_today() - submitted_at.astimezone(timeutil.BEIJING).date()).days)


def official_panel(user) -> dict[str, Any]:
    counts = status_counts(user)
    waiting = counts.get(SUBMITTED, 0)
    items: list[dict[str, Any]] = []
    for ent in db.session.scalars(review_queue(user).limit(SHOWN)):
        days = _days_waiting(ent.submitted_at)
        items.append({"label": ent.name, "url": url_for("enterprises.detail", enterprise_id=ent.id),
                      "detail": " · ".join(x for x in (region_label(ent.region_code),
                                                        _("waiting %(n)s days", n=days) if days is not None else "") if x),
                      "due": None, "count": None, "tone": "urgent" if (days or 0) >= 7 else "normal"})
    claims = _open_claims(user)
    if claims:
        items.append({"label": _("Claims to a credit code waiting for a decision"), "url": url_for("enterprises.conflicts"),
                      "detail": None, "due": None, "count": claims, "tone": "urgent"})
    return {
        "key": "registrations", "title": _("Registrations waiting for review"), "order": 10, "count": waiting,
        "items": items, "empty": _("No registration is waiting for review."),
        "more_url": url_for("enterprises.index", status=SUBMITTED) if waiting > SHOWN else None,
        "stats": [{"label": str(STATUS_LABELS[s]), "value": counts.get(s, 0)}
                  for s in (SUBMITTED, RegistrationStatus.RETURNED.value, RegistrationStatus.APPROVED.value)],
    }


def lacks(enterprise: Enterprise) -> list[str]:
    """What an editable registration still lacks before it can be submitted (the checks submit makes)."""
    from registry.enterprises.operations import enterprise_warnings

    out = []
    if enterprise.status == RegistrationStatus.RETURNED.value and enterprise.return_reason:
        out.append(_("Returned: %(reason)s", reason=enterprise.return_reason))
    if not enterprise.lines:
        out.append(_("Register at least one production line before submitting."))
    if not enterprise.contact_person or not enterprise.contact_phone:
        out.append(_("A contact person and phone are required before submitting."))
    blocking = [w for w in enterprise_warnings(enterprise) if w["blocking"]]
    if blocking:
        out.append(_("%(n)s contradictions to correct on the lines or permits", n=len(blocking)))
    return out


def enterprise_panel(user) -> dict[str, Any]:
    ent = db.session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    if ent is None:
        return {"key": "registration", "title": _("My registration"), "order": 20, "items": [
            {"label": _("Register your enterprise"), "url": url_for("enterprises.new"), "detail": None, "due": None,
             "count": None, "tone": "urgent"}], "empty": "", "more_url": None}
    status = str(STATUS_LABELS.get(ent.status, ent.status))
    editable = ent.status in (RegistrationStatus.DRAFT.value, RegistrationStatus.RETURNED.value)
    missing = lacks(ent) if editable else []
    if editable:
        detail = "；".join(missing) if missing else _("Complete: submit it for review.")
    elif ent.status == SUBMITTED:
        detail = _("Waiting for the county's review.")
    else:
        detail = None
    items = [{"label": f"{ent.name} · {status}", "url": url_for("enterprises.detail", enterprise_id=ent.id),
              "detail": detail, "due": None, "count": None, "tone": "urgent" if editable else "done"
              if ent.status == RegistrationStatus.APPROVED.value else "normal", "status": ent.status}]
    return {"key": "registration", "title": _("My registration"), "order": 20, "items": items, "empty": "",
            "more_url": None}


def panel(user) -> dict[str, Any] | None:
    if _is_official(user):
        return official_panel(user)
    if getattr(user, "role", None) == Role.ENTERPRISE.value:
        return enterprise_panel(user)
    return None


def counts_by_city(prefix: str | None) -> dict[str, dict[str, int]]:
    """Submitted-at-least-once registrations per city (first four digits of the region) and status: one GROUP BY."""
    city = func.substr(Enterprise.region_code, 1, 4)
    stmt = (select(city, Enterprise.status, func.count()).where(Enterprise.submitted_at.is_not(None))
            .group_by(city, Enterprise.status))
    if prefix is not None:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix), *within(Enterprise.region_code, prefix))
    out: dict[str, dict[str, int]] = {}
    for c, status, n in db.session.execute(stmt):
        out.setdefault(c, {})[status] = n
    return out


def after_review(user, enterprise_id: int, done: str) -> str:
    """Where an official goes after approving or returning registration `enterprise_id`: the next registration
    waiting for their review, or the dashboard (registry/core/dashboard.onward)."""
    nxt = next_registration(user, after_id=enterprise_id)
    return onward(done, url_for("enterprises.detail", enterprise_id=nxt.id) if nxt else None, nxt.name if nxt else "")
