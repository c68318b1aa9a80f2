"""Refuse NUL characters in any request input before it reaches an operation or the database.

PostgreSQL cannot store U+0000 in text (psycopg refuses the parameter), so a NUL in a query
string, a form field, a JSON string or an upload's file name was a 500 there and silently
stored on SQLite. No field of the registry has a use for it: every door (pages, API, import
forms) answers 422 naming the field instead, in the user's language. Found by schemathesis
(GET /api/v1/public/grades?grade=…%00…) and the hostile-form tests (tests/integration/
test_hostile_input.py).
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from registry.core.errors import ValidationFailed

NUL = "\x00"


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


def register(app) -> None:
    app.before_request(refuse_nul)
