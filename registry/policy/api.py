"""`POST /api/v1/evaluate` and `GET /api/v1/packs`: the engine's contract over HTTP."""
from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint

from registry.core.errors import ValidationFailed

blp = Blueprint("policy", __name__, url_prefix="/api/v1", description="Policy engine: packs and evaluation")


def _lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


@blp.route("/packs")
class Packs(MethodView):
    def get(self):
        """List the policy packs with their periods and alert levels (public)."""
        from grading.contract import list_packs

        return jsonify({"items": list_packs()})


@blp.route("/evaluate")
class Evaluate(MethodView):
    def post(self):
        """Evaluate an enterprise's lines under a pack, date and alert level (public; see docs/evaluate.md)."""
        from grading.contract import evaluate
        from grading.errors import ContractError

        document = request.get_json(silent=True)
        if not isinstance(document, dict):
            raise ValidationFailed(_("The body must be a JSON object."), {"_schema": [_("The body must be a JSON object.")]})
        try:
            return jsonify(evaluate(document))
        except ContractError as err:
            return jsonify(err.as_dict(lang=_lang())), 422
