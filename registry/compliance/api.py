"""Compliance API (issue 19): run the checks over a period, list and read anomalies (evidence, settings, reasons),
ask the enterprise to explain, the enterprise's explanation, inspection tasks and records, and the summary.

Thin resources: parse → one operation → the request's unit of work commits → dump. Out of scope → 404, in scope
without permission → 403, a state that forbids the action → 409."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from registry.compliance import operations as ops
from registry.compliance import queries
from registry.compliance.models import CHECKS, OUTCOMES, SEVERITIES, STATUSES
from registry.core import codes, unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import body, errors, json_body
from registry.core.validation import MAX_INT, load

DESCRIPTION = """Verification of orders (issue 19): the cited checks R-CK-01..05 (stopped line still drawing
production power, 000:129; curtailment short of its percentage; pollution-control facility off while production runs,
004:335; online-monitoring transmission below 90 % or missing during shutdown, 001:107 / 003:55 / 002:424; banned
vehicle entering during a transport ban, 000:139 / 001:103 / 004:394) over the readings, for every alert order and
schedule window; anomalies, explanations, inspections and the outcome fed into the grades' findings."""

blp = Blueprint("compliance_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
guard(blp)


class RunInput(Schema):
    first = fields.Date(required=True)
    last = fields.Date(required=True)
    region_code = fields.String(load_default=None, validate=validate.Length(equal=6))


class RunOut(Schema):
    windows = fields.Integer()
    checked = fields.Integer()
    anomalies = fields.Integer()
    new = fields.Integer()
    replaced = fields.Integer()
    kept = fields.Integer()
    cleared_by_data = fields.Integer()


class AnomalyQuery(Schema):
    status = fields.String(load_default="", validate=validate.OneOf(("",) + STATUSES))
    check = fields.String(load_default="", validate=validate.OneOf(("",) + CHECKS))
    severity = fields.String(load_default="", validate=validate.OneOf(("",) + SEVERITIES))
    region = fields.String(load_default="", validate=validate.Regexp(r"^\d{0,6}$"))


class AnomalyOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    region_code = fields.String()
    line_id = fields.Integer(allow_none=True)
    meter_id = fields.Integer(allow_none=True)
    stack_id = fields.Integer(allow_none=True)
    subject = fields.String()
    check = fields.String(attribute="check_code")
    check_label = fields.String()
    rule = fields.String()
    pack_id = fields.String()
    source_kind = fields.String()
    order_id = fields.Integer(allow_none=True)
    episode_id = fields.Integer(allow_none=True)
    schedule_entry_id = fields.Integer(allow_none=True)
    measure = fields.String()
    percentage = fields.Float(allow_none=True)
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    severity = fields.String()
    severity_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    evidence = fields.Dict()
    evidence_text = fields.String()
    settings = fields.List(fields.Dict())
    reasons = fields.List(fields.Dict())
    finding_decision_ids = fields.List(fields.Integer())


class AnomalyListOut(Schema):
    items = fields.List(fields.Nested(AnomalyOut))


class AskInput(Schema):
    hours = fields.Integer(load_default=None, validate=validate.Range(1, 720))


class ExplainInput(Schema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=4000))


class TaskInput(Schema):
    assignee_id = fields.Integer(load_default=None)
    days = fields.Integer(load_default=None, validate=validate.Range(1, 90))


class TaskOut(Schema):
    id = fields.Integer()
    anomaly_id = fields.Integer()
    region_code = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    due_at = fields.DateTime()
    status = fields.String()


class TaskListOut(Schema):
    items = fields.List(fields.Nested(TaskOut))


class RecordInput(Schema):
    inspectors = fields.String(required=True, validate=validate.Length(min=2, max=200))
    visited_at = fields.DateTime(required=True)
    found = fields.String(required=True, validate=validate.Length(min=2, max=8000))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    signatures = fields.String(required=True, metadata={"description": "names, comma-separated"})


class RecordOut(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    anomaly_id = fields.Integer()
    inspectors = fields.String()
    visited_at = fields.DateTime()
    found = fields.String()
    outcome = fields.String()
    signatures = fields.List(fields.Dict())


class ExplanationOut(Schema):
    id = fields.Integer()
    anomaly_id = fields.Integer()
    due_at = fields.DateTime()
    text = fields.String()
    answered_at = fields.DateTime(allow_none=True)


class SummaryQuery(Schema):
    episode = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_INT))
    first = fields.Date(load_default=None)
    last = fields.Date(load_default=None)


def _anomaly(a) -> dict:
    out = {c.key: getattr(a, c.key) for c in a.__table__.columns}
    out.update(check_label=codes.label("compliance.check", a.check_code),
               severity_label=codes.label("compliance.severity", a.severity),
               status_label=codes.label("compliance.status", a.status), evidence_text=queries.evidence_text(a))
    return out


@blp.route("/compliance/checks")
class Checks(MethodView):
    @login_required
    @body(RunInput)
    @blp.response(200, RunOut)
    @errors(blp, 401, 403)
    def post(self):
        """Run every check for every alert order and schedule window of the days [first, last] in your region;
        idempotent (an open anomaly of the same check and window is replaced, never duplicated)."""
        data = load(RunInput(), json_body())
        return unit_of_work.run(ops.run_checks, actor(), data["first"], data["last"], None, data.get("region_code"))


@blp.route("/compliance/anomalies")
class Anomalies(MethodView):
    @login_required
    @blp.arguments(AnomalyQuery, location="query")
    @blp.response(200, AnomalyListOut)
    @errors(blp, 401)
    def get(self, args):
        """Anomalies in your region (officials) or your own (an enterprise), newest window first."""
        return {"items": [_anomaly(a) for a in queries.anomalies(actor(), **args)]}


@blp.route("/compliance/anomalies/<int:anomaly_id>")
class AnomalyOne(MethodView):
    @login_required
    @blp.response(200, AnomalyOut)
    @errors(blp, 401, 404)
    def get(self, anomaly_id: int):
        """One anomaly with its evidence (numbers and hourly series), the settings it read and its reasons."""
        return _anomaly(ops.get_anomaly(actor(), anomaly_id))


@blp.route("/compliance/anomalies/<int:anomaly_id>/ask")
class Ask(MethodView):
    @login_required
    @body(AskInput)
    @blp.response(201, ExplanationOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, anomaly_id: int):
        """Ask the enterprise (its inbox) to explain within `hours` (default the local setting, 48)."""
        data = load(AskInput(), json_body())
        return unit_of_work.run(ops.ask_explanation, actor(), anomaly_id, data.get("hours"))


@blp.route("/compliance/anomalies/<int:anomaly_id>/explanation")
class Explain(MethodView):
    @login_required
    @body(ExplainInput)
    @blp.response(200, ExplanationOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, anomaly_id: int):
        """The enterprise's explanation of its own anomaly."""
        data = load(ExplainInput(), json_body())
        return unit_of_work.run(ops.explain, actor(), anomaly_id, data["text"])


@blp.route("/compliance/anomalies/<int:anomaly_id>/task")
class Task(MethodView):
    @login_required
    @body(TaskInput)
    @blp.response(201, TaskOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, anomaly_id: int):
        """Assign the county's inspection of the anomaly, due in `days`."""
        data = load(TaskInput(), json_body())
        return unit_of_work.run(ops.assign_inspection, actor(), anomaly_id, data.get("assignee_id"), data.get("days"))


@blp.route("/compliance/inspections")
class Tasks(MethodView):
    @login_required
    @blp.response(200, TaskListOut)
    @errors(blp, 401)
    def get(self):
        """Open inspection tasks in your region."""
        return {"items": queries.tasks(actor(), "open")}


@blp.route("/compliance/inspections/<int:task_id>/record")
class Record(MethodView):
    @login_required
    @body(RecordInput)
    @blp.response(201, RecordOut)
    @errors(blp, 401, 404, 409)
    def post(self, task_id: int):
        """Record the visit (photos: the page's form); violation and falsified go into the grades' findings."""
        data = load(RecordInput(), json_body())
        return unit_of_work.run(ops.record_inspection, actor(), task_id, data)


@blp.route("/compliance/summary")
class Summary(MethodView):
    @login_required
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200)
    @errors(blp, 401, 403)
    def get(self, args):
        """Share of orders verified compliant per episode (or days first..last), by sector and county."""
        season = (args["first"], args["last"]) if args.get("first") and args.get("last") else None
        return queries.summary(actor(), args.get("episode"), season)
