"""`POST /api/v1/evaluate` and `GET /api/v1/packs`: the engine's contract over HTTP.

The body and answer are the documented evaluate contract (docs/evaluate.md, JSON Schemas in
grading/schemas/); the marshmallow schemas here only describe them in the OpenAPI document.
Both are public: they read no registry data, only the facts the caller sends. Because evaluating is
CPU work anyone may ask for, `POST /evaluate` is rate-limited (strictly per address when anonymous,
per user when signed in) and bounded: the body's size and the counts of lines, vehicles and listed
items (config EVALUATE_*; docs/evaluate.md "Limits", issue 13 High 1). The CLI is not bound by them.
"""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.core.api_support import errors, public
from registry.core.errors import TooLarge, ValidationFailed
from registry.extensions import limiter

blp = Blueprint("policy", __name__, url_prefix="/api/v1", description="Policy engine: packs and evaluation")


class PeriodOut(Schema):
    # The contract already speaks ISO strings; these fields describe, they do not convert.
    start = fields.String(metadata={"format": "date"})
    end = fields.String(metadata={"format": "date", "description": "exclusive"})


class PackOut(Schema):
    id = fields.String()
    title = fields.String()
    title_en = fields.String()
    jurisdiction = fields.String()
    province = fields.String()
    source = fields.String(metadata={"description": "source document file, cite as FILE:LINE"})
    period = fields.Nested(PeriodOut)
    alert_levels = fields.List(fields.String())
    heating_season = fields.Dict(metadata={"description": "local setting: no source gives these dates (R-T-05)"})


class PackListOut(Schema):
    items = fields.List(fields.Nested(PackOut))


class EvaluateIn(Schema):
    pack = fields.String(required=True, metadata={"example": "jiyuan-2018-19"})
    date = fields.Date(required=True)
    alert_level = fields.String(required=True, metadata={"example": "none"})
    enterprise = fields.Dict(required=True, metadata={"description": "enterprise facts with `lines: [...]`; see docs/evaluate.md"})
    decisions = fields.List(fields.Dict(), metadata={"description": "officials' recorded choices on flags"})


class EvaluateOut(Schema):
    contract_version = fields.String()
    pack = fields.String()
    date = fields.String(metadata={"format": "date"})
    alert_level = fields.String()
    enterprise_id = fields.String(allow_none=True)
    lines = fields.List(fields.Dict(), metadata={"description": "per-line decision: measure, percentage, basis, windows, reasons, flags"})
    summary = fields.Dict(metadata={"description": "strictest line, residual obligations, transport, emergency ratios"})


def _lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


@blp.route("/packs")
class Packs(MethodView):
    @public(blp)
    @blp.response(200, PackListOut)
    def get(self):
        """List the policy packs with their periods and alert levels."""
        from grading.contract import list_packs

        return {"items": list_packs()}


def _signed_in() -> bool:
    return bool(current_user.is_authenticated)


def _evaluate_limit() -> str:
    cfg = current_app.config
    return cfg["EVALUATE_RATE_LIMIT_AUTHENTICATED"] if _signed_in() else cfg["EVALUATE_RATE_LIMIT_ANONYMOUS"]


def _evaluate_key() -> str:
    """Signed-in callers are counted per user, anonymous ones per address (TRUSTED_PROXY_COUNT decides which)."""
    from flask_limiter.util import get_remote_address

    return f"user:{current_user.get_id()}" if _signed_in() else f"addr:{get_remote_address()}"


@blp.url_value_preprocessor
def _bound_evaluate_body(endpoint, _values):
    """Before any before_request reads the body (the NUL guard parses JSON): the evaluate body's own limit."""
    if endpoint and endpoint.endswith(".Evaluate"):
        max_bytes = int(current_app.config["EVALUATE_MAX_BODY_BYTES"])
        if (request.content_length or 0) > max_bytes:
            _too_large(max_bytes)
        request.max_content_length = max_bytes  # a chunked body without Content-Length stops at the limit too


def read_bounded_document() -> dict:
    """The evaluate body, refused before any evaluation when it is larger or lists more than the limits."""
    cfg = current_app.config
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        raise ValidationFailed(_("The body must be a JSON object."), {"_schema": [_("The body must be a JSON object.")]})
    enterprise = document.get("enterprise") if isinstance(document.get("enterprise"), dict) else {}
    bounds = (
        ("enterprise.lines", enterprise.get("lines"), int(cfg["EVALUATE_MAX_LINES"])),
        ("enterprise.vehicles", enterprise.get("vehicles"), int(cfg["EVALUATE_MAX_VEHICLES"])),
        ("enterprise.approvals", enterprise.get("approvals"), int(cfg["EVALUATE_MAX_ITEMS"])),
        ("enterprise.emergency_grades", enterprise.get("emergency_grades"), int(cfg["EVALUATE_MAX_ITEMS"])),
        ("official_decisions", document.get("official_decisions"), int(cfg["EVALUATE_MAX_ITEMS"])),
    )
    errors = {
        path: [_("At most %(limit)s items per request (this one lists %(count)s).", limit=f"{bound:,}", count=f"{len(value):,}")]
        for path, value, bound in bounds if isinstance(value, list) and len(value) > bound
    }
    if errors:
        raise TooLarge(_("The request lists more than the evaluate endpoint accepts: %(fields)s. Split it into "
                         "several requests (docs/evaluate.md, Limits).", fields=", ".join(errors)), errors)
    return document


def _too_large(max_bytes: int):
    message = _("The request body may be at most %(limit)s KiB.", limit=f"{max_bytes // 1024:,}")
    raise TooLarge(message, {"_schema": [message]})


@blp.route("/evaluate")
class Evaluate(MethodView):
    @public(blp)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": EvaluateIn}}})
    @blp.response(200, EvaluateOut)
    @errors(blp, 413, 422, 429)
    @limiter.limit(_evaluate_limit, key_func=_evaluate_key)
    def post(self):
        """Evaluate an enterprise's lines under a pack, date and alert level (docs/evaluate.md).

        Public, but rate-limited and bounded: see docs/evaluate.md "Limits" (413 names the field over its
        limit, 429 when the caller's rate is exhausted)."""
        from grading.contract import evaluate
        from grading.errors import ContractError

        document = read_bounded_document()
        try:
            return evaluate(document)
        except ContractError as err:
            payload = err.as_dict(lang=_lang())
            raise ValidationFailed(payload["message"], payload["errors"]) from err
