"""Readings API (issue 19): load readings by file, by JSON batch and by a streaming body; register meters and stacks;
list batches. Thin resources over readings.operations, with the same checks as the pages and the CLI. A load with
problems is answered 422 in the error envelope with the whole report under `report` (as the Excel import)."""
from __future__ import annotations

from flask import jsonify, make_response, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from registry.core import codes, unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import ErrorOut, body, errors, json_body
from registry.core.errors import ValidationFailed
from registry.core.validation import MAX_INT
from registry.extensions import db
from registry.readings import labels as _labels  # noqa: F401  (registers the vocabularies)
from registry.readings import operations as ops
from registry.readings import queries

DESCRIPTION = """Readings for verifying orders (issue 19): electricity sub-meters (分表计电, every 15 minutes or hourly,
each meter a production or pollution-control facility), CEMS hourly values per stack (CSV, or HJ 212-2017 data
messages with their CRC), truck gate entries (CSV or Excel). Every load is checked in full (row, column, value,
reason); a file with any error stores nothing; loading the same readings again changes nothing. Officials load for
their region, enterprise accounts for their own enterprise."""

blp = Blueprint("readings_api", __name__, url_prefix="/api/v1/readings", description=DESCRIPTION)
guard(blp)


@blp.url_value_preprocessor
def _allow_large_uploads(_endpoint, _values):
    """Readings files and streams are bigger than the app's 8 MiB body limit (the actor's own limit applies in
    operations.limits: enterprise accounts get the smaller one)."""
    request.max_content_length = ops.setting("READINGS_MAX_BYTES") + 1024 * 1024


class ReadingsSheetOut(Schema):
    key = fields.String()
    title = fields.String()
    rows = fields.Integer()
    create = fields.Integer(metadata={"description": "readings stored"})
    unchanged = fields.Integer(metadata={"description": "readings already stored (not written again)"})
    errors = fields.Integer()


class ReadingsProblemOut(Schema):
    sheet = fields.String()
    row = fields.Integer(metadata={"description": "CSV/Excel row (header = 1), list position (from 1), or line"})
    column = fields.String()
    value = fields.Raw(allow_none=True)
    reason = fields.String()
    severity = fields.String()


class LoadReportOut(Schema):
    kind = fields.String()
    kind_label = fields.String()
    filename = fields.String()
    dry_run = fields.Boolean()
    written = fields.Boolean()
    ok = fields.Boolean()
    message = fields.String()
    rows = fields.Integer()
    accepted = fields.Integer()
    duplicates = fields.Integer()
    refused = fields.Integer()
    error_count = fields.Integer()
    first_ts = fields.String(allow_none=True, metadata={"description": "Beijing time"})
    last_ts = fields.String(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    sheets = fields.List(fields.Nested(ReadingsSheetOut))
    problems = fields.List(fields.Nested(ReadingsProblemOut))
    problems_not_listed = fields.Integer()


class LoadProblemsOut(ErrorOut):
    report = fields.Nested(LoadReportOut)


class BatchIn(Schema):
    rows = fields.List(fields.Dict(), required=True, metadata={"description": (
        "electricity: {uscc, meter, ts, kwh}; cems: {mn, ts, so2, nox, pm, o2, flow, status}; gate: {uscc, ts, "
        "plate, emission_standard, fuel, cargo, direction}. ts in Beijing time, 'YYYY-MM-DD hh:mm[:ss]'. An "
        "enterprise account may leave out uscc.")})
    dry_run = fields.Boolean(load_default=False)


class StreamOut(Schema):
    kind = fields.String()
    ok = fields.Boolean()
    lines = fields.Integer()
    blocks = fields.Integer()
    accepted = fields.Integer()
    duplicates = fields.Integer()
    refused = fields.Integer()
    batch_id = fields.Integer()
    problems = fields.List(fields.Nested(ReadingsProblemOut))
    problems_not_listed = fields.Integer()


class BatchOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda b: codes.label("readings.kind", b.kind))
    source = fields.String()
    source_label = fields.Function(lambda b: codes.label("readings.source", b.source))
    filename = fields.String()
    sha256 = fields.String()
    rows_accepted = fields.Integer()
    rows_duplicate = fields.Integer()
    rows_refused = fields.Integer()
    region_code = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    first_day = fields.Date(allow_none=True)
    last_day = fields.Date(allow_none=True)
    created_at = fields.DateTime()


class BatchListOut(Schema):
    items = fields.List(fields.Nested(BatchOut))


class MeterIn(Schema):
    code = fields.String(required=True, metadata={"description": "the meter's own code (unique per enterprise)"})
    facility = fields.String(load_default="")
    role = fields.String(load_default="production", metadata={"description": "production | control"})
    interval_minutes = fields.Integer(load_default=15, metadata={"description": "15 or 60"})
    line_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=MAX_INT))


class MeterOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    line_id = fields.Integer(allow_none=True)
    code = fields.String()
    facility = fields.String()
    role = fields.String()
    role_label = fields.Function(lambda m: codes.label("readings.role", m.role))
    interval_minutes = fields.Integer()
    active = fields.Boolean()


class StackIn(Schema):
    name = fields.String(required=True)
    mn = fields.String(required=True, metadata={"description": "HJ 212 MN code, 1–24 letters or digits"})
    line_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=MAX_INT))


class StackOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    line_id = fields.Integer(allow_none=True)
    name = fields.String()
    mn = fields.String()
    active = fields.Boolean()


class DeviceListOut(Schema):
    meters = fields.List(fields.Nested(MeterOut))
    stacks = fields.List(fields.Nested(StackOut))


def _flag(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on", "是")


def _answer(report):
    if report.written:
        unit_of_work.flush()
    out = report.as_dict()
    if not report.ok:
        db.session.rollback()
        listed: dict[str, list[str]] = {}
        for p in out["problems"]:
            listed.setdefault(f"{p['column']} row {p['row']}", []).append(p["reason"])
        return make_response(jsonify({"code": "invalid_rows", "message": out["message"], "errors": listed,
                                      "report": out}), 422)
    return out


UPLOAD_DOC = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "CSV (UTF-8 or GBK); gate also xlsx; CEMS also HJ 212 messages one per line"},
            "dry_run": {"type": "boolean", "description": "Check only, store nothing (default false)."}}}}}},
}
STREAM_DOC = {
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": "uscc,meter,ts,kwh\n..."},
        "application/x-ndjson": {"schema": {"type": "string"}, "example": '{"uscc": "...", "meter": "M1", "ts": "2026-12-01 08:00", "kwh": 12.5}'},
        "text/plain": {"schema": {"type": "string", "description": "CEMS: HJ 212-2017 messages, one per line"}}}},
}
KIND_PARAM = {"in": "path", "name": "kind", "required": True, "schema": {"type": "string", "enum": ["electricity", "cems", "gate"]}}


@blp.route("/<string:kind>/files")
class Files(MethodView):
    @login_required
    @blp.doc(parameters=[KIND_PARAM], **UPLOAD_DOC)
    @blp.response(200, LoadReportOut)
    @errors(blp, 401, 403, 413)
    @blp.alt_response(422, schema=LoadProblemsOut, description="Invalid input, or the file's problems (with the report).")
    def post(self, kind: str):
        """Load one file of readings: every row is checked first; all or nothing; duplicates of stored readings are counted, not written."""
        ops.require_use(actor())
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            message = _("Choose a file to upload.")
            raise ValidationFailed(message, {"file": [message]})
        dry_run = _flag(request.form.get("dry_run") or request.args.get("dry_run"))
        return _answer(ops.load_file(actor(), kind, upload.read(), upload.filename, source="api", dry_run=dry_run))


@blp.route("/<string:kind>/batch")
class Batch(MethodView):
    @login_required
    @blp.doc(parameters=[KIND_PARAM])
    @body(BatchIn)
    @blp.response(200, LoadReportOut)
    @errors(blp, 401, 403, 413)
    @blp.alt_response(422, schema=LoadProblemsOut, description="Invalid input, or the rows' problems (with the report).")
    def post(self, kind: str):
        """Load a JSON batch of readings (at most READINGS_API_MAX_ROWS rows), checked like a file."""
        ops.require_use(actor())
        data = json_body()
        rows = data.get("rows")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValidationFailed(_("Some fields are invalid."), {"rows": [_("A list of objects.")]})
        return _answer(ops.load_rows(actor(), kind, rows, dry_run=_flag(data.get("dry_run"))))


@blp.route("/<string:kind>/stream")
class Stream(MethodView):
    @login_required
    @blp.doc(parameters=[KIND_PARAM], **STREAM_DOC)
    @blp.response(200, StreamOut)
    @errors(blp, 401, 403, 413, 422)
    def post(self, kind: str):
        """Load a streaming body (chunked transfer welcome): CSV with a header line, NDJSON, or HJ 212 messages;
        checked and stored block by block as it arrives (each block all or nothing)."""
        ops.require_use(actor())
        stream = request.stream

        def chunks():
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    return
                yield chunk

        out = ops.load_stream(actor(), kind, chunks(), content_type=request.content_type or "text/csv")
        unit_of_work.flush()
        return out


@blp.route("/batches")
class Batches(MethodView):
    @login_required
    @blp.response(200, BatchListOut)
    @errors(blp, 401)
    def get(self):
        """The newest loads you may see (your region's, or your enterprise's)."""
        ops.require_use(actor())
        return {"items": queries.batches(actor())}


@blp.route("/enterprises/<int:enterprise_id>/devices")
class Devices(MethodView):
    @login_required
    @blp.response(200, DeviceListOut)
    @errors(blp, 401, 404)
    def get(self, enterprise_id: int):
        """An enterprise's meters and stacks."""
        ops.device_enterprise(actor(), enterprise_id)
        return {"meters": queries.meters(enterprise_id), "stacks": queries.stacks(enterprise_id)}


@blp.route("/enterprises/<int:enterprise_id>/meters")
class Meters(MethodView):
    @login_required
    @body(MeterIn)
    @blp.response(201, MeterOut)
    @errors(blp, 401, 404, 409, 422)
    def post(self, enterprise_id: int):
        """Register an electricity sub-meter: its code, facility, production or pollution control, interval, line."""
        meter = ops.register_meter(actor(), enterprise_id, json_body())
        unit_of_work.flush()
        return meter


@blp.route("/enterprises/<int:enterprise_id>/stacks")
class Stacks(MethodView):
    @login_required
    @body(StackIn)
    @blp.response(201, StackOut)
    @errors(blp, 401, 404, 409, 422)
    def post(self, enterprise_id: int):
        """Register a monitored stack (排放口) by its HJ 212 MN code."""
        stack = ops.register_stack(actor(), enterprise_id, json_body())
        unit_of_work.flush()
        return stack
