"""The audit log: every state change records who, when, what, before and after."""
from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from registry.core.models import AuditEntry
from registry.extensions import db


def record(
    user,
    action: str,
    obj,
    *,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region_code: str | None = None,
    root=None,
) -> AuditEntry:
    # Flask-Login's current_user is a proxy; type() of a proxy is not the model.
    user, obj, root = (_unwrap(x) for x in (user, obj, root))
    root = root if root is not None else obj
    entry = AuditEntry(
        root_type=type(root).__tablename__ if root is not None else "",
        root_id=getattr(root, "id", None),
        user_id=getattr(user, "id", None),
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        region_code=region_code or getattr(obj, "region_code", None),
        summary=summary,
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def _unwrap(value):
    getter = getattr(value, "_get_current_object", None)
    return getter() if callable(getter) else value


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only what changed, so the history shows the diff rather than the whole record."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _jsonable(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
