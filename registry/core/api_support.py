"""What every API resource shares: reading the JSON body and the expected version, the docs of
the error envelope and of request bodies that operations parse themselves, and JSON numbers for
Decimal values.

Operations validate their own input (one schema layer for pages, API and import), so API
resources must not parse bodies a second time; `body()` only puts the schema into the
OpenAPI document. `errors()` documents the envelope for the statuses a resource can answer.
"""
from __future__ import annotations

import http
import re
from copy import deepcopy
from decimal import Decimal
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from marshmallow import Schema, fields

from registry.core.errors import ValidationFailed


class ErrorOut(Schema):
    """Every API error: a stable code, a message in the user's language, messages per field."""

    code = fields.String(metadata={"description": "Stable machine-readable code, e.g. invalid_input, not_found, conflict."})
    message = fields.String(metadata={"description": "Human-readable message in the request's language (zh by default)."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field path → messages, e.g. {\"lines[0].capacity\": [\"…\"]}."},
    )


class PageMetaOut(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


def body(schema, *, description: str | None = None):
    """Document `schema` as the JSON request body without parsing it (the operation does)."""

    def decorator(func):
        func._apidoc = deepcopy(getattr(func, "_apidoc", {}))
        docs = func._apidoc.setdefault("arguments", {})
        param = {"in": "json", "required": True, "schema": schema}
        if description:
            param["description"] = description
        docs.setdefault("parameters", []).append(param)
        docs.setdefault("responses", {})[422] = http.HTTPStatus(422).name
        return func

    return decorator


def errors(blp, *codes: int):
    """Document the error envelope for each status in `codes` (references the shared responses)."""

    def decorator(func):
        for code in codes:
            func = blp.alt_response(code, response=http.HTTPStatus(code).name)(func)
        return func

    return decorator


def public(blp):
    """Mark an operation as needing no authentication (overrides the global security)."""
    return blp.doc(security=[])


def json_body() -> dict[str, Any]:
    """The request's JSON object ({} for an empty body), or a 422 saying the body is not one."""
    data = request.get_json(silent=True)  # an oversized body still raises 413 here
    if data is None and not request.content_length:
        return {}
    if not isinstance(data, dict):
        message = _("The body must be a JSON object.")
        raise ValidationFailed(message, {"_schema": [message]})
    return data


_ETAG_VERSION = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def expected_version(data: dict[str, Any]) -> int:
    """The version the client read, from the body's `version` or an If-Match header; required.

    Optimistic locking (DESIGN.md §4): an edit that names no version could silently overwrite
    someone else's, so it is refused with 422 rather than applied.
    """
    raw = data.get("version")
    if raw is None and request.headers.get("If-Match"):
        match = _ETAG_VERSION.match(request.headers["If-Match"])
        if not match:
            raise ValidationFailed(_("Some fields are invalid."), {"If-Match": [_("Not a valid integer.")]})
        raw = match.group(1)
    if raw is None or raw == "":
        raise ValidationFailed(
            _("Some fields are invalid."),
            {"version": [_("Send the version you read (body field version or If-Match header).")]},
        )
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Some fields are invalid."), {"version": [_("Not a valid integer.")]}) from None


def with_version(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with `version` filled from If-Match when the body lacks it (workflow actions)."""
    return {**data, "version": expected_version(data)}


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


class DecimalJSONProvider(DefaultJSONProvider):
    """JSON numbers for Decimal values (capacities, percentages), as the OpenAPI document says.

    Flask writes a Decimal as a string by default, which made every numeric column of the API a
    string and the generated spec invalid (a Range(max=1000) on a Decimal became "1000.000").
    Columns hold at most 14 significant digits, which a float carries exactly.
    """

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() and o.as_tuple().exponent >= 0 else float(o)
        return DefaultJSONProvider.default(o)
