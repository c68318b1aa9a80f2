"""Searching and exporting the audit log (等保 2.0 安全审计 b/d): who may see which entries, and the filters.

The audit administrator searches every entry; an official searches the entries about objects
in their region subtree (the entry's `region_code`) that they may see by the objects' own rules
(never-submitted drafts stay invisible, issue 13 Medium 8), except account and token entries (sign-ins,
IP addresses, password resets), which belong to the audit administrator alone. Everyone else
(enterprises, the system and security administrators) is refused: none of the three
administrator roles does another's work.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select

from registry.accounts.auth import can_read_whole_audit_log, can_search_audit_log
from registry.accounts.models import User
from registry.accounts.queries import display_names
from registry.accounts.scopes import scope_prefix
from registry.core import audit, audit_scope
from registry.core.errors import Forbidden, ValidationFailed
from registry.core.models import AuditEntry
from registry.core.templating import DISPLAY_TZ
from registry.exchange.neutralise import neutralise
from registry.extensions import db

ACCOUNT_OBJECTS = ("user_account", "api_token")
EXPORT_COLUMNS = (
    "id", "at", "username", "action", "object_type", "object_id", "root_type", "root_id", "region_code",
    "summary", "ip", "before", "after", "request_id", "entry_hash", "action_label", "object_label",
)


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""           # username, exact
    action: str = ""         # an action or its prefix ("grade." matches every grade action)
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None   # China Standard Time calendar days, inclusive
    date_to: date | None = None
    ip: str = ""
    page: int = 1
    per_page: int = 50
    before: int | None = None  # keyset (issue 18 item 4): the entries older than this id, newest first

    def query_args(self) -> dict[str, str]:
        """The filters as URL parameters (so a search can be bookmarked and exported)."""
        out = {}
        for key, value in asdict(self).items():
            if key in ("page", "per_page", "before") or value in (None, ""):
                continue
            out[key] = value.isoformat() if isinstance(value, date) else str(value)
        return out


def parse_filters(args) -> AuditFilters:
    """The filters from a query string; a bad value is a translated message naming its field."""
    errors: dict[str, list[str]] = {}

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            return None

    object_id = None
    raw_id = (args.get("object_id") or "").strip()
    if raw_id:
        if raw_id.isdigit() and len(raw_id) <= 12:
            object_id = int(raw_id)
        else:
            errors["object_id"] = [_("Enter a whole number.")]
    try:
        page = max(1, min(100000, int(args.get("page", 1))))
    except (TypeError, ValueError):
        page = 1
    raw_before = (args.get("before") or "").strip()
    before = int(raw_before) if raw_before.isdigit() and len(raw_before) <= 12 else None
    filters = AuditFilters(
        user=(args.get("user") or "").strip()[:64],
        action=(args.get("action") or "").strip()[:60],
        object_type=(args.get("object_type") or "").strip()[:40],
        object_id=object_id,
        date_from=day("date_from"),
        date_to=day("date_to"),
        ip=(args.get("ip") or "").strip()[:64],
        page=page,
        before=before,
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.setdefault("date_to", []).append(_("The end date is before the start date."))
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    return filters


def _utc_bound(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=DISPLAY_TZ)


def can_search(actor) -> bool:
    return can_search_audit_log(actor)


def _scoped(actor) -> Select:
    if not can_search(actor):
        raise Forbidden(_("Only the audit administrator and officials search the audit log."))
    stmt = select(AuditEntry)
    if can_read_whole_audit_log(actor):
        return stmt
    prefix = scope_prefix(actor)
    if not prefix or prefix == "-":
        return stmt.where(AuditEntry.id.is_(None))
    return stmt.where(AuditEntry.region_code.startswith(prefix), AuditEntry.object_type.not_in(ACCOUNT_OBJECTS),
                      *audit_scope.visible_object_conditions(actor))



def _filtered(actor, f: AuditFilters) -> Select:
    stmt = _scoped(actor)
    if f.user:
        stmt = stmt.where(AuditEntry.user_id.in_(select(User.id).where(User.username == f.user)))
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action))
    if f.object_type:
        stmt = stmt.where(AuditEntry.object_type == f.object_type)
    if f.object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == f.object_id)
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= _utc_bound(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEntry.at < _utc_bound(f.date_to + timedelta(days=1)))
    if f.ip:
        stmt = stmt.where(AuditEntry.after["ip"].as_string() == f.ip)
    return stmt.order_by(AuditEntry.id.desc())


@dataclass
class AuditPage:
    """One page of a search, newest first, without counting the whole log (issue 18 item 4: a COUNT over a
    province's audit entries on every visit was most of the page's work). `total` is known only when the whole
    result fits on this first page; `next_before` is the id the next page starts below (keyset)."""
    items: list
    per_page: int
    has_next: bool
    first: bool
    total: int | None

    @property
    def next_before(self) -> int | None:
        return self.items[-1].id if self.has_next and self.items else None


def search(actor, f: AuditFilters) -> AuditPage:
    """`per_page + 1` entries read: the extra one says whether there is a next page. `before` (keyset, an indexed
    range on the id) is the pager's way on; a `page` number (older bookmarks) still works by offset."""
    stmt = _filtered(actor, f)
    if f.before is not None:
        stmt = stmt.where(AuditEntry.id < f.before)
    elif f.page > 1:
        stmt = stmt.offset((f.page - 1) * f.per_page)
    rows = list(db.session.scalars(stmt.limit(f.per_page + 1)))
    first = f.before is None and f.page == 1
    has_next = len(rows) > f.per_page
    return AuditPage(items=rows[:f.per_page], per_page=f.per_page, has_next=has_next, first=first,
                     total=len(rows) if first and not has_next else None)


def audit_rows(entries: list[AuditEntry]) -> list[dict]:
    """Plain dicts for templates and exports, with the actor's username, the action's label and the audited
    object's name in the reader's language (registry/audit/labels.py)."""
    from registry.audit.labels import action_label, object_names, summary_text

    names = display_names({e.user_id for e in entries if e.user_id is not None})
    out = []
    for e in entries:
        who = names.get(e.user_id) if e.user_id is not None else None
        out.append({
            "id": e.id, "at": e.at, "user_id": e.user_id, "username": who["username"] if who else "",
            "role": who["role"] if who else "", "action": e.action, "object_type": e.object_type,
            "object_id": e.object_id, "root_type": e.root_type, "root_id": e.root_id, "region_code": e.region_code,
            "summary": e.summary or "", "ip": (e.after or {}).get("ip") if isinstance(e.after, dict) else None,
            "before": e.before, "after": e.after, "request_id": e.request_id, "entry_hash": e.entry_hash,
            "action_label": action_label(e.action),
        })
    for row, name in zip(out, object_names(out)):
        row["object_label"] = name
        row["summary_label"] = summary_text(row)
    return out


def export_csv(actor, f: AuditFilters, max_rows: int) -> tuple[bytes, int]:
    """The matching entries as CSV (UTF-8 with BOM, formula-neutralised); the export is itself audited."""
    entries = list(db.session.scalars(_filtered(actor, f).limit(max_rows)))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for row in audit_rows(entries):
        values = []
        for col in EXPORT_COLUMNS:
            value = row.get(col)
            if isinstance(value, datetime):  # one clock (issue 16): Beijing time, its +08:00 offset stated
                value = value.astimezone(DISPLAY_TZ).isoformat()
            elif isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
            values.append(neutralise(str(value)) if value is not None else "")
        writer.writerow(values)
    audit.record(actor, "audit.export", None, summary=json.dumps(f.query_args(), ensure_ascii=False, sort_keys=True),
                 after={"rows": len(entries), "format": "csv", "ip": _client_ip()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8"), len(entries)


def _client_ip() -> str | None:
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None
