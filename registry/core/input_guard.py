"""Refuse input the database cannot store — NUL characters, numbers beyond a column — with a 422 naming the field.

PostgreSQL cannot store U+0000 in text (psycopg refuses the parameter), so a NUL in a query
string, a form field, a JSON string or an upload's file name was a 500 there and silently
stored on SQLite. No field of the registry has a use for it: every door (pages, API, import
forms) answers 422 naming the field instead, in the user's language. Found by schemathesis
(GET /api/v1/public/grades?grade=…%00…) and the hostile-form tests (tests/integration/
test_hostile_input.py).

Nesting: a JSON body nested deeper than JSON_MAX_DEPTH (32) is refused with 422 when it is first
parsed — the NUL check below parses every JSON body before authentication, and a body of 100,000
`[` made the parser (and every recursive walk after it) raise RecursionError: a 500 on every
/api/* route (issue 13 Low 5). `GuardedRequest` is the app's request class.

Numbers: `core.validation.load` bounds every number to the widest column; a narrower column
(a stack height is Numeric(6, 2)) is checked against its own precision just before the flush,
for every ORM write whatever the door.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Request, current_app, request
from flask_babel import gettext as _
from sqlalchemy import BigInteger, Float, Integer, Numeric, event, inspect
from sqlalchemy.orm import Session

from registry.core.errors import ValidationFailed

NUL = "\x00"
DEFAULT_MAX_DEPTH = 32


def _too_deep(value: Any, limit: int) -> bool:
    """Is `value` nested more than `limit` arrays/objects deep? Iterative: any depth is safe to measure."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def refuse_deep_json(limit: int):
    message = _("The JSON body is nested more than %(limit)s levels deep.", limit=limit)
    raise ValidationFailed(message, {"_schema": [message]})


class GuardedRequest(Request):
    """Flask's request whose JSON parsing refuses a body nested deeper than JSON_MAX_DEPTH with a 422.

    The standard parser raises RecursionError (not ValueError) on very deep input, which neither
    `silent=True` nor Flask's bad-JSON handling catches."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):  # type: ignore[override]
        limit = int(current_app.config.get("JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))
        try:
            value = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            refuse_deep_json(limit)
        if isinstance(value, (dict, list)) and _too_deep(value, limit):
            refuse_deep_json(limit)
        return value


def _json_paths(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, str):
        if NUL in value:
            out.append(path or "_schema")
    elif isinstance(value, dict):
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                out.append(key_path)
            _json_paths(item, key_path, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_paths(item, f"{path}[{i}]", out)


def fields_with_nul() -> list[str]:
    """The names (or JSON paths) of the request's inputs that contain a NUL character."""
    bad: list[str] = []
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if NUL in key or NUL in value:
                bad.append(key)
    for key, upload in request.files.items(multi=True):
        if upload.filename and NUL in upload.filename:
            bad.append(key)
    if request.is_json:
        _json_paths(request.get_json(silent=True), "", bad)
    return list(dict.fromkeys(bad))


def refuse_nul() -> None:
    """before_request: 422 with a message per field when any input carries a NUL character."""
    bad = fields_with_nul()
    if bad:
        message = _("Text may not contain the NUL character (U+0000).")
        raise ValidationFailed(_("Some fields are invalid."), {name.replace(NUL, "\\0"): [message] for name in bad})


def _column_limit(column) -> Decimal | None:
    """The smallest absolute value `column` cannot hold, for fixed-precision and 32-bit integer columns."""
    kind = column.type
    if isinstance(kind, Float):
        return None
    if isinstance(kind, Numeric) and kind.precision:
        return Decimal(10) ** (kind.precision - (kind.scale or 0))
    if isinstance(kind, Integer) and not isinstance(kind, BigInteger):
        return Decimal(2**31)
    return None


def refuse_values_the_columns_cannot_hold(session, _flush_context, _instances) -> None:
    """before_flush: a number beyond its column (Numeric(6, 2) holds < 10,000) → 422 naming the attribute.

    PostgreSQL refuses such a value at the INSERT/UPDATE ("numeric field overflow") and the request
    answered 500; SQLite stored it. Only values set in this unit of work are read (no lazy loads).
    """
    bad: dict[str, list[str]] = {}
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            value = state.dict.get(attr.key)
            if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                continue
            limit = _column_limit(attr.columns[0])
            if limit is None:
                continue
            try:
                too_large = not math.isfinite(value) if isinstance(value, float) else False
                too_large = too_large or abs(Decimal(str(value))) >= limit
            except (InvalidOperation, ValueError):
                too_large = True
            if too_large:
                bad.setdefault(attr.key, [_("Number too large.")])
    if bad:
        raise ValidationFailed(_("Some fields are invalid."), bad)


def register(app) -> None:
    app.request_class = GuardedRequest
    app.before_request(refuse_nul)
    if not event.contains(Session, "before_flush", refuse_values_the_columns_cannot_hold):
        event.listen(Session, "before_flush", refuse_values_the_columns_cannot_hold)
