"""Emergency-list API: city lists with totals vs targets, the optimizer and its proposals, versions,
alert-day orders, and the enterprise's 一厂一策 plan.

Thin resources: parse → one operation → commit → dump. Out of scope → 404, in scope without
permission → 403, a state that forbids the action (a filed list or plan) → 409.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.core import unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import body, errors, json_body
from registry.core.errors import ValidationFailed
from registry.emergency import auth, queries
from registry.emergency import operations as ops
from registry.emergency.orders import alert_orders
from registry.emergency.presenting import level_totals
from registry.emergency.schemas import (
    AreaSourceInput,
    AreaSourceOut,
    EmergencyDecisionInput,
    EmergencyListInput,
    EmergencyListOut,
    EmergencyOptimizeInput,
    EmergencyOrderOut,
    EmergencyOrdersQuery,
    EmergencyPlanInput,
    EmergencyPlanOut,
    EmergencyPlanQuery,
    EmergencyProposalOut,
    EmergencySolverOut,
    PlansMissingOut,
    PlansMissingQuery,
)
from registry.notices.schemas import LetterheadInput
from registry.policy.emergency import emergency_levels
from registry.policy.packs import get_pack

DESCRIPTION = """Heavy-pollution emergency reduction lists (应急减排清单, 003:50): enterprises' one-plant-one-policy
plans (refused when weaker than the pack requires for the grade), city list versions (immutable once filed)
with per-level totals against the pack's targets (000:149, 001:93, 003:50, 004:381; baselines R-A-02), the
least-capacity optimizer (HiGHS MIP, grade order C before B, A untouched where the pack says so), and
alert-day orders with transport restrictions (§2.13)."""

blp = Blueprint("emergency_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
guard(blp)


class EmergencyListListOut(Schema):
    items = fields.List(fields.Nested(EmergencyListOut))


class EmergencyProposalListOut(Schema):
    items = fields.List(fields.Nested(EmergencyProposalOut))


class EmergencyOrderListOut(Schema):
    items = fields.List(fields.Nested(EmergencyOrderOut))


class AreaSourceListOut(Schema):
    items = fields.List(fields.Nested(AreaSourceOut))


class AreaSourceQuery(Schema):
    region = fields.String(required=True, metadata={"description": "the list's region (a city code, e.g. 131000)"})


def _list(lst, with_totals: bool = True) -> dict:
    out = {c.key: getattr(lst, c.key) for c in lst.__table__.columns}
    out["totals"] = level_totals(lst, get_pack(lst.pack_id)) if with_totals else []
    return out


def _plan(plan) -> dict:
    return {"id": plan.id, "enterprise_id": plan.enterprise_id, "pack_id": plan.pack_id, "number": plan.number,
            "status": plan.status, "grade": plan.grade, "entries": [
                {"line_id": e.line_id, "level": e.level, "measure": e.measure, "percent": float(e.percent),
                 "key_indicators": e.key_indicators, "responsible_person": e.responsible_person, "contact": e.contact}
                for e in plan.entries]}


@blp.route("/emergency-lists")
class Lists(MethodView):
    @login_required
    @blp.response(200, EmergencyListListOut)
    @errors(blp, 401)
    def get(self):
        """The list versions you may see (officials: your region and below; administrators: all)."""
        me = actor()
        return {"items": [_list(x, False) for x in queries.lists_in_scope(None) if auth.can_view_list(me, x.region_code)]}

    @login_required
    @body(EmergencyListInput)
    @blp.response(201, EmergencyListOut)
    @errors(blp, 401, 403)
    def post(self):
        """Compile a new draft version from the covered enterprises' latest filed plans (the region's official)."""
        return _list(unit_of_work.run(ops.compile_list, actor(), json_body()))


@blp.route("/emergency-lists/<int:list_id>")
class ListItem(MethodView):
    @login_required
    @blp.response(200, EmergencyListOut)
    @errors(blp, 401, 404)
    def get(self, list_id: int):
        """One list version with, per level and pollutant, base, reduction, % vs target and shortfall."""
        return _list(ops.get_list(actor(), list_id))


@blp.route("/emergency-lists/<int:list_id>/file")
class ListFile(MethodView):
    @login_required
    @body(LetterheadInput, description="the notices' letterhead, every field optional ({} for the defaults)")
    @blp.response(200, EmergencyListOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, list_id: int):
        """File the version: from now on it never changes (a correction is a new version). Its notices carry the
        issuing authority, document number and date given (default: the region's 生态环境局, today)."""
        return _list(unit_of_work.run(ops.file_list, actor(), list_id, json_body()))


@blp.route("/emergency-lists/<int:list_id>/optimize")
class ListOptimize(MethodView):
    @login_required
    @body(EmergencyOptimizeInput)
    @blp.response(200, EmergencySolverOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, list_id: int):
        """Propose the measures closing the level's shortfall with the least capacity lost (optimality, gap, time)."""
        from registry.core.validation import load

        values = load(EmergencyOptimizeInput(), json_body())
        report = unit_of_work.run(ops.propose, actor(), list_id, values["level"], time_limit=values["time_limit"])
        return {"status": report.status, "gap": report.gap, "seconds": report.seconds,
                "capacity_lost": report.capacity_lost, "reaches_targets": report.reaches_targets,
                "proposals": [p for p in queries.proposals_of(list_id) if p.level == values["level"] and p.status == "proposed"]}


@blp.route("/emergency-lists/<int:list_id>/proposals")
class ListProposals(MethodView):
    @login_required
    @blp.response(200, EmergencyProposalListOut)
    @errors(blp, 401, 404)
    def get(self, list_id: int):
        """Every proposal on this version with its explanation and decision."""
        ops.get_list(actor(), list_id)
        return {"items": queries.proposals_of(list_id)}


@blp.route("/emergency-plans/missing")
class PlansMissing(MethodView):
    @login_required
    @blp.arguments(PlansMissingQuery, location="query")
    @blp.response(200, PlansMissingOut)
    @errors(blp, 401, 404, 422)
    def get(self, query):
        """Enterprises of the region whose 一厂一策 plan is missing, only drafted, or incomplete (a line without an entry
        at a level the pack names, R-A-03 003:50), with the season's filing deadline (a pack setting, cited)."""
        from registry.emergency.completeness import missing_for

        pack, season, deadline, rows = missing_for(actor(), query["region"], query["season"], query["pack"])
        return {"pack": pack.id, "season": season, "deadline": deadline, "items": rows}


@blp.route("/emergency-lists/<int:list_id>/apply")
class ListApply(MethodView):
    @login_required
    @blp.response(201, EmergencyListOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, list_id: int):
        """The next version: a copy with the accepted proposals in place."""
        return _list(unit_of_work.run(ops.apply_proposals, actor(), list_id))


@blp.route("/emergency-lists/<int:list_id>/orders")
class ListOrders(MethodView):
    @login_required
    @blp.arguments(EmergencyOrdersQuery, location="query")
    @blp.response(200, EmergencyOrderListOut)
    @errors(blp, 401, 404, 422)
    def get(self, query, list_id: int):
        """Alert-day orders: per enterprise the lines that stop or curtail and the transport restrictions."""
        lst = ops.get_list(actor(), list_id)
        pack = get_pack(lst.pack_id)  # the engine refuses a date outside the pack's period: say so, as the page does
        if query["level"] not in emergency_levels(pack) or not (pack.period_start <= query["date"] < pack.period_end):
            raise ValidationFailed(_("Some fields are invalid."),
                                   {"date": [_("Enter a date inside the pack's period and one of its alert levels.")]})
        return {"items": alert_orders(lst, query["date"], query["level"])}


@blp.route("/emergency-proposals/<int:proposal_id>/decision")
class ProposalDecision(MethodView):
    @login_required
    @body(EmergencyDecisionInput)
    @blp.response(200, EmergencyProposalOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, proposal_id: int):
        """Accept (as proposed, or with another measure / percentage) or reject one proposal."""
        return unit_of_work.run(ops.decide_proposal, actor(), proposal_id, json_body())


@blp.route("/enterprises/<int:enterprise_id>/emergency-plan")
class EnterprisePlan(MethodView):
    @login_required
    @blp.arguments(EmergencyPlanQuery, location="query")
    @blp.response(200, EmergencyPlanOut)
    @errors(blp, 401, 404)
    def get(self, query, enterprise_id: int):
        """The latest plan for the pack, or the form's starting point (the pack's floor for the grade)."""
        me = actor()
        entries = ops.prefill(me, enterprise_id, query["pack"])
        latest = queries.latest_plan(enterprise_id, query["pack"])
        if latest is not None:
            return _plan(latest)
        return {"id": None, "enterprise_id": enterprise_id, "pack_id": query["pack"], "number": None, "status": None,
                "grade": None, "entries": entries}

    @login_required
    @body(EmergencyPlanInput)
    @blp.response(200, EmergencyPlanOut)
    @errors(blp, 401, 403, 404)
    def put(self, enterprise_id: int):
        """Save the draft plan; refused (422, naming the clause) when weaker than the pack requires."""
        return _plan(unit_of_work.run(ops.save_plan, actor(), enterprise_id, json_body()))


@blp.route("/emergency-plans/<int:plan_id>/file")
class PlanFile(MethodView):
    @login_required
    @blp.response(200, EmergencyPlanOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, plan_id: int):
        """File the plan (the enterprise): immutable from now on."""
        return _plan(unit_of_work.run(ops.file_plan, actor(), plan_id))


@blp.route("/emergency-area-sources")
class AreaSources(MethodView):
    @login_required
    @blp.arguments(AreaSourceQuery, location="query")
    @blp.response(200, AreaSourceListOut)
    @errors(blp, 401, 404, 422)
    def get(self, query):
        """The city's non-industrial sources (mobile, dust, residential burning, other) per pollutant with their
        reduction per alert level: the rest of the society-wide base (全社会, 000:143, 000:149)."""
        return {"items": ops.list_area_sources(actor(), query["region"])}

    @login_required
    @body(AreaSourceInput)
    @blp.response(200, AreaSourceOut)
    @errors(blp, 401, 403, 409)
    def put(self):
        """Enter or correct one category × pollutant (the city's list official); send `version` to correct."""
        return unit_of_work.run(ops.save_area_source, actor(), json_body())


@blp.route("/emergency-area-sources/<int:source_id>")
class AreaSourceItem(MethodView):
    @login_required
    @blp.response(204)
    @errors(blp, 401, 403, 404)
    def delete(self, source_id: int):
        """Remove one category × pollutant from the city's inventory."""
        unit_of_work.run(ops.delete_area_source, actor(), source_id)
        return None
