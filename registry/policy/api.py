"""`POST /api/v1/evaluate` and `GET /api/v1/packs`: the engine's contract over HTTP.

The body and answer are the documented evaluate contract (docs/evaluate.md, JSON Schemas in
grading/schemas/); the marshmallow schemas here only describe them in the OpenAPI document.
Both are public: they read no registry data, only the facts the caller sends.
"""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.core.api_support import errors, public
from registry.core.errors import ValidationFailed

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


@blp.route("/evaluate")
class Evaluate(MethodView):
    @public(blp)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": EvaluateIn}}})
    @blp.response(200, EvaluateOut)
    @errors(blp, 422)
    def post(self):
        """Evaluate an enterprise's lines under a pack, date and alert level (docs/evaluate.md)."""
        from grading.contract import evaluate
        from grading.errors import ContractError

        document = request.get_json(silent=True)
        if not isinstance(document, dict):
            raise ValidationFailed(_("The body must be a JSON object."), {"_schema": [_("The body must be a JSON object.")]})
        try:
            return evaluate(document)
        except ContractError as err:
            payload = err.as_dict(lang=_lang())
            raise ValidationFailed(payload["message"], payload["errors"]) from err
