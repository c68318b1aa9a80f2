"""Alert reports in the API (issue 17): the episode report, the episodes in your scope by city (the province's
view) and the monthly report (D-20, 001:121), each as JSON; the same dicts as the pages (registry/alerts/report.py)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates

from registry.alerts import auth, report
from registry.alerts import operations as ops
from registry.core import timeutil, unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import body, errors, json_body
from registry.core.errors import Forbidden
from registry.core.validation import load

blp = Blueprint("alert_reports_api", __name__, url_prefix="/api/v1",
                description="Alert reports (issue 17): per episode, per city, per month (D-20, 001:121).")
guard(blp)


class Counts(Schema):
    issued = fields.Integer()
    delivered = fields.Integer()
    read = fields.Integer()
    acknowledged = fields.Integer()
    ack_rate = fields.Float(allow_none=True, metadata={"description": "acknowledged / issued, %"})


class CountyCounts(Counts):
    region_code = fields.String()
    region_name = fields.String()


class OrdersOut(Schema):
    total = fields.Nested(Counts)
    counties = fields.List(fields.Nested(CountyCounts))


class SpanOut(Schema):
    level = fields.String()
    kind = fields.String()
    start = fields.String()
    end = fields.String()
    hours = fields.Float()
    doc_number = fields.String()


class SectorCapacity(Schema):
    sector = fields.String()
    unit = fields.String()
    stopped_lines = fields.Integer()
    stopped_capacity = fields.Float()
    curtailed_lines = fields.Integer()
    curtailed_capacity = fields.Float()
    withheld_capacity = fields.Float(metadata={"description": "stopped capacity + curtailed capacity × percent"})


class CapacityStep(Schema):
    seq = fields.Integer()
    kind = fields.String()
    level = fields.String()
    at = fields.String()
    sectors = fields.List(fields.Nested(SectorCapacity))


class PollutantReduction(Schema):
    pollutant = fields.String()
    baseline = fields.Float()
    reduction = fields.Float()
    percent = fields.Float()
    target_percent = fields.Float(allow_none=True)
    met = fields.Boolean()


class LevelReduction(Schema):
    level = fields.String()
    met = fields.Boolean()
    pollutants = fields.List(fields.Nested(PollutantReduction))


class CityReduction(Schema):
    region_code = fields.String()
    region_name = fields.String()
    list_id = fields.Integer(allow_none=True, metadata={"description": "the filed emergency list used; null: none"})
    list_number = fields.Integer(allow_none=True)
    levels = fields.List(fields.Nested(LevelReduction))


class EpisodeReportOut(Schema):
    id = fields.Integer()
    region_code = fields.String()
    region_name = fields.String()
    pack_id = fields.String()
    scope = fields.String()
    status = fields.String()
    level = fields.String()
    doc_number = fields.String()
    starts_at = fields.String()
    ends_at = fields.String(allow_none=True)
    duration_hours = fields.Float()
    peak_level = fields.String()
    levels = fields.List(fields.String())
    hours_per_level = fields.Dict(keys=fields.String(), values=fields.Float())
    spans = fields.List(fields.Nested(SpanOut))
    enterprises = fields.Integer()
    orders = fields.Nested(OrdersOut)
    capacity = fields.List(fields.Nested(CapacityStep))
    reductions = fields.List(fields.Nested(CityReduction))


class CityRow(Schema):
    region_code = fields.String()
    region_name = fields.String()
    episodes = fields.Integer()
    days = fields.Dict(keys=fields.String(), values=fields.Float())
    issued = fields.Integer()
    delivered = fields.Integer()
    read = fields.Integer()
    acknowledged = fields.Integer()
    ack_rate = fields.Float(allow_none=True)
    levels = fields.List(fields.String())
    reductions = fields.List(fields.Dict())


class EpisodeRow(Schema):
    episode_id = fields.Integer()
    region_code = fields.String()
    doc_number = fields.String()
    status = fields.String()
    starts_at = fields.String()
    lifted_at = fields.String(allow_none=True)
    hours_per_level = fields.Dict(keys=fields.String(), values=fields.Float())
    orders = fields.Nested(Counts)


class SummaryOut(Schema):
    cities = fields.List(fields.Nested(CityRow))
    episodes = fields.List(fields.Nested(EpisodeRow))


class MonthlyOut(SummaryOut):
    month_text = fields.String()
    due = fields.String(metadata={"description": "the 25th of the following month (D-20, 001:121)"})
    region_code = fields.String(allow_none=True)
    totals = fields.Dict()


class MonthlyQuery(Schema):
    month = fields.String(load_default=None, metadata={"description": "YYYY-MM (default: this month in Beijing)"})
    region = fields.String(load_default=None, metadata={"description": "a region code in your scope"})

    @validates("month")
    def _month(self, value, **_kw):
        if value is None:
            return
        try:
            report.parse_month(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


def _official():
    me = actor()
    if not auth.can_list_episodes(me):
        raise Forbidden("officials only")
    return me


@blp.route("/alert-episodes/<int:episode_id>/report")
class EpisodeReport(MethodView):
    @login_required
    @blp.response(200, EpisodeReportOut)
    @errors(blp, 401, 404)
    def get(self, episode_id: int):
        """The report after an episode: levels over time, orders and receipts per county, capacity, reductions."""
        return report.episode_json(report.episode_report(ops.get_episode(actor(), episode_id)))


@blp.route("/alert-reports/cities")
class Cities(MethodView):
    @login_required
    @blp.response(200, SummaryOut)
    @errors(blp, 401, 403)
    def get(self):
        """Every episode in your scope, by city (the province: all its cities together)."""
        return report.summary_json(report.summary(_official()))


@blp.route("/alert-reports/monthly")
class Monthly(MethodView):
    @login_required
    @blp.arguments(MonthlyQuery, location="query")
    @blp.response(200, MonthlyOut)
    @errors(blp, 401, 403, 422)
    def get(self, args):
        """The monthly report (D-20, 001:121): episodes, days per level, orders, receipts, reductions; due date."""
        year, month = report.parse_month(args.get("month") or timeutil.beijing_today().strftime("%Y-%m"))
        return report.summary_json(report.monthly(_official(), year, month, args.get("region")))


class RemindInput(Schema):
    region_code = fields.String(required=True, metadata={"description": "a region in your scope"})
    season = fields.Integer(load_default=None, metadata={"description": "the season's year; default: the latest "
                                                                         "whose filing deadline has passed"})
    pack_id = fields.String(load_default=None, metadata={"description": "default: the region's pack"})


class RemindOut(Schema):
    pack = fields.String()
    season = fields.Integer()
    deadline = fields.String(allow_none=True)
    enterprises = fields.Integer()
    inbox = fields.Integer()
    email = fields.Dict(keys=fields.String(), values=fields.Integer())
    statuses = fields.Dict(keys=fields.String(), values=fields.Integer())


@blp.route("/plan-reminders")
class PlanReminders(MethodView):
    @login_required
    @body(RemindInput)
    @blp.response(201, RemindOut)
    @errors(blp, 401, 403, 404, 422)
    def post(self):
        """Remind every enterprise of the region whose 一厂一策 plan is missing, a draft or incomplete (its alerts
        inbox; e-mail where SMTP is configured); audited."""
        from registry.alerts.reminders import remind_plans

        data = load(RemindInput(), json_body())
        return unit_of_work.run(remind_plans, _official(), data["region_code"], data.get("season"), data.get("pack_id"))
