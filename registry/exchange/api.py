"""Exchange API: POST /api/v1/imports (multipart file, dry_run) → the report; GET /api/v1/exports/<kind>?format=.

Thin resources over exchange.operations, like every other API module: the same checks, the
same all-or-nothing import as the pages and the CLI. A report with problems is answered 422
in the error envelope, with the whole report under `report`; `?format=xlsx` answers the
uploaded workbook annotated instead.
"""
from __future__ import annotations

from flask import jsonify, make_response, request, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.core import unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import ErrorOut, errors
from registry.core.errors import ValidationFailed
from registry.exchange import operations as ops
from registry.exchange.reader import limit
from registry.extensions import db

blp = Blueprint("exchange_api", __name__, url_prefix="/api/v1", description="Excel/CSV import and export")
guard(blp)


@blp.url_value_preprocessor
def _allow_large_uploads(_endpoint, _values):
    """Workbooks are bigger than the app's 8 MiB body limit; raised here, before CSRF checking reads the form."""
    request.max_content_length = limit("EXCHANGE_MAX_BYTES") + 1024 * 1024  # the file plus the form around it


class SheetSummaryOut(Schema):
    key = fields.String()
    title = fields.String()
    rows = fields.Integer()
    create = fields.Integer()
    update = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.Integer()
    warnings = fields.Integer()


class ProblemOut(Schema):
    sheet = fields.String()
    row = fields.Integer()
    column = fields.String()
    value = fields.Raw(allow_none=True)
    reason = fields.String()
    severity = fields.String(metadata={"description": "error | warning"})


class ImportReportOut(Schema):
    filename = fields.String()
    dry_run = fields.Boolean()
    written = fields.Boolean()
    ok = fields.Boolean()
    message = fields.String()
    error_count = fields.Integer()
    warning_count = fields.Integer()
    sheets = fields.List(fields.Nested(SheetSummaryOut))
    ignored_sheets = fields.List(fields.String())
    problems = fields.List(fields.Nested(ProblemOut))
    problems_not_listed = fields.Integer()


class ImportProblemsOut(ErrorOut):
    """The 422 of an import: the error envelope, plus the whole report when the file was read."""

    report = fields.Nested(ImportReportOut)


UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary", "description": "xlsx, or CSV in UTF-8 or GBK"},
                "dry_run": {"type": "boolean", "description": "Check and count, write nothing (default false)."},
            },
        }}},
    },
    "parameters": [{"in": "query", "name": "format", "schema": {"type": "string", "enum": ["json", "xlsx"]},
                    "description": "xlsx: answer the uploaded workbook with problem cells highlighted and commented."}],
}


def _flag(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on", "是")


@blp.route("/imports")
class Imports(MethodView):
    @login_required
    @blp.doc(**UPLOAD_DOC)
    @blp.response(200, ImportReportOut)
    @errors(blp, 401, 413)
    @blp.alt_response(422, schema=ImportProblemsOut, description="Invalid input, or the file's problems (with the report).")
    def post(self):
        """Import enterprises, lines, equipment and permits from one file: every row is checked first; all or nothing."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            message = _("Choose a file to upload.")
            raise ValidationFailed(message, {"file": [message]})
        dry_run = _flag(request.form.get("dry_run") or request.args.get("dry_run"))
        outcome = ops.import_workbook(actor(), upload.read(), upload.filename, dry_run=dry_run)
        if outcome.report.written:
            unit_of_work.flush()
        else:
            db.session.rollback()
        if request.args.get("format") == "xlsx":
            download = ops.report_workbook(outcome)
            return send_file(_bytes(download.data), mimetype=download.mimetype, as_attachment=True,
                             download_name=download.filename)
        report = outcome.report.as_dict()
        if not outcome.report.ok:
            listed = {}
            for p in report["problems"]:
                if p["severity"] == "error":
                    listed.setdefault(f"{p['sheet']}!{p['column']}{'' if not p['row'] else ' row ' + str(p['row'])}", []).append(p["reason"])
            body = {"code": "invalid_rows", "message": report["message"], "errors": listed, "report": report}
            return make_response(jsonify(body), 422)  # the error envelope, not the 200 schema
        return report


@blp.route("/exports/<string:kind>")
class Exports(MethodView):
    @login_required
    @blp.doc(parameters=[
        {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["xlsx", "csv"], "default": "xlsx"}},
        {"in": "query", "name": "lang", "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"}},
    ], responses={"200": {"description": "The file", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {"schema": {"type": "string", "format": "binary"}}}}})
    @errors(blp, 401, 422)
    def get(self, kind: str):
        """Export what you may see — all (xlsx), enterprises, lines, equipment or permits — with the template's headers."""
        download = ops.export(actor(), kind, request.args.get("format", "xlsx"), request.args.get("lang", "zh"))
        return send_file(_bytes(download.data), mimetype=download.mimetype, as_attachment=True, download_name=download.filename)


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)
