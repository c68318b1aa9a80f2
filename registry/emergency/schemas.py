"""Input and output schemas of plans, lists and proposals: one validation for pages, API and CLI."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from registry.emergency.explain import load_explanation, render_explanation
from registry.emergency.models import LEVELS, MEASURES

_PERCENT = validate.Range(min=0, max=100)


class EmergencyPlanEntryInput(Schema):
    class Meta:
        unknown = EXCLUDE

    line_id = fields.Integer(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    measure = fields.String(required=True, validate=validate.OneOf(MEASURES))
    percent = fields.Float(load_default=0.0, validate=_PERCENT)
    key_indicators = fields.String(load_default="", validate=validate.Length(max=2000))
    responsible_person = fields.String(load_default="", validate=validate.Length(max=60))
    contact = fields.String(load_default="", validate=validate.Length(max=60))


class EmergencyPlanInput(Schema):
    class Meta:
        unknown = EXCLUDE

    pack_id = fields.String(required=True)
    entries = fields.List(fields.Nested(EmergencyPlanEntryInput), required=True)


class EmergencyResplitInput(Schema):
    so2 = fields.Float(required=True, validate=_PERCENT)
    nox = fields.Float(required=True, validate=_PERCENT)


class EmergencyListInput(Schema):
    class Meta:
        unknown = EXCLUDE

    region_code = fields.String(required=True, validate=validate.Length(equal=6))
    pack_id = fields.String(required=True)
    resplit = fields.Dict(keys=fields.String(validate=validate.OneOf(LEVELS)), values=fields.Nested(EmergencyResplitInput),
                          load_default=dict)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class EmergencyDecisionInput(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(required=True, validate=validate.OneOf(("accept", "reject")))
    measure = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("curtail", "stop")))
    percent = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100))
    version = fields.Integer(load_default=None, allow_none=True)


class EmergencyPollutantTotalOut(Schema):
    pollutant = fields.String()
    baseline = fields.Float(metadata={"description": "on the base the pack's target uses (`base`)"})
    reduction = fields.Float()
    percent = fields.Float()
    target_percent = fields.Float(allow_none=True)
    target_in_principle = fields.Boolean()  # 原则上 (004:381): an official may decide otherwise
    shortfall = fields.Float()
    met = fields.Boolean()
    industrial_baseline = fields.Float()
    industrial_reduction = fields.Float()
    industrial_percent = fields.Float()
    area_baseline = fields.Float(metadata={"description": "non-industrial sources the city entered (全社会, 000:149)"})
    area_reduction = fields.Float()
    society_baseline = fields.Float()
    society_reduction = fields.Float()
    society_percent = fields.Float()


class EmergencyLevelTotalsOut(Schema):
    level = fields.String()
    met = fields.Boolean()
    annualised = fields.Boolean()
    resplit_applied = fields.Boolean()
    base = fields.String(metadata={"description": "industrial | society_wide: what the pack's target ratios are shares of"})
    base_reason = fields.String()
    area_entered = fields.Boolean()
    pollutants = fields.List(fields.Nested(EmergencyPollutantTotalOut))


class AreaSourceInput(Schema):
    """One non-industrial source category of a city's inventory for one pollutant (全社会, 000:143, 000:149)."""

    class Meta:
        unknown = EXCLUDE

    region_code = fields.String(required=True, validate=validate.Length(equal=6))
    category = fields.String(required=True, validate=validate.OneOf(("mobile", "dust", "residential_burning", "other")))
    pollutant = fields.String(required=True, validate=validate.OneOf(("so2", "nox", "pm", "vocs")))
    daily_kg = fields.Decimal(required=True, places=3, validate=validate.Range(min=0, max=10**10))
    reduction_blue = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0, max=100))
    reduction_yellow = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0, max=100))
    reduction_orange = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0, max=100))
    reduction_red = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(load_default=None, allow_none=True)


class AreaSourceOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    region_code = fields.String()
    category = fields.String()
    pollutant = fields.String()
    daily_kg = fields.Float()
    reduction_blue = fields.Float()
    reduction_yellow = fields.Float()
    reduction_orange = fields.Float()
    reduction_red = fields.Float()
    note = fields.String()


class EmergencyListOut(Schema):
    id = fields.Integer()
    region_code = fields.String()
    pack_id = fields.String()
    pack_sha256 = fields.String()
    engine_version = fields.String()
    number = fields.Integer()
    status = fields.String()
    supersedes_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    filed_at = fields.DateTime(allow_none=True)
    issuing_authority = fields.String(metadata={"description": "发文机关 printed on the notices (set on filing)"})
    document_number = fields.String(metadata={"description": "文号 ('' when none was given)"})
    issued_on = fields.Date(allow_none=True, metadata={"description": "the notices' date (set on filing)"})
    area_sources = fields.List(fields.Dict(), allow_none=True,
                               metadata={"description": "the non-industrial inventory frozen with the list (000:149)"})
    totals = fields.List(fields.Nested(EmergencyLevelTotalsOut))


class EmergencyProposalOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    list_id = fields.Integer()
    level = fields.String()
    enterprise_id = fields.Integer()
    line_id = fields.Integer()
    grade = fields.String(allow_none=True)
    measure = fields.String()
    percent = fields.Float()
    reduction = fields.Dict(keys=fields.String(), values=fields.Float())
    capacity_lost = fields.Float()
    explanation = fields.Method("_explanation", metadata={
        "description": "Why this measure, in the request's language (Accept-Language / the user's locale)"})
    explanation_data = fields.Method("_explanation_data", metadata={
        "description": "The same as data: {code, params} (cuts per pollutant, cost, grade order, pack grounds)"})
    status = fields.String()
    solver = fields.Dict()

    def _explanation(self, obj) -> str:
        return render_explanation(obj.explanation)

    def _explanation_data(self, obj):
        return load_explanation(obj.explanation)


class EmergencyOptimizeInput(Schema):
    class Meta:
        unknown = EXCLUDE

    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    time_limit = fields.Float(load_default=10.0, validate=validate.Range(min=0.1, max=60))


class EmergencySolverOut(Schema):
    status = fields.String()
    gap = fields.Float(allow_none=True)
    seconds = fields.Float()
    capacity_lost = fields.Float()
    reaches_targets = fields.Boolean()
    proposals = fields.List(fields.Nested(EmergencyProposalOut))


class EmergencyOrdersQuery(Schema):
    date = fields.Date(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))


class EmergencyOrderOut(Schema):
    enterprise_id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    sector = fields.String()
    grade = fields.String(allow_none=True)
    address = fields.String()
    lines = fields.List(fields.Dict(), metadata={"description": "every line: measure, percent (range), basis, source "
                                                                "plan | pack, reasons [{rule, source}] (R-O-01/02/03)"})
    transport = fields.List(fields.Dict())
    reasons = fields.List(fields.Dict(), metadata={"description": "the level's clauses (ratios, base) for the enterprise"})


class EmergencyPlanQuery(Schema):
    pack = fields.String(required=True)


class EmergencyPlanEntryOut(Schema):
    line_id = fields.Integer()
    level = fields.String()
    measure = fields.String()
    percent = fields.Float()
    key_indicators = fields.String()
    responsible_person = fields.String()
    contact = fields.String()


class EmergencyPlanOut(Schema):
    id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer()
    pack_id = fields.String()
    number = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(EmergencyPlanEntryOut))


class PlansMissingQuery(Schema):
    region = fields.String(required=True, metadata={"description": "a county or city code, e.g. 131002 or 131000"})
    season = fields.Integer(load_default=None, metadata={"description": "the season's year (its heating season starts "
                                                                        "then); default the latest whose deadline passed"})
    pack = fields.String(load_default=None, metadata={"description": "a policy pack id; default the region's pack"})


class PlanGapOut(Schema):
    line_id = fields.Integer()
    code = fields.String(allow_none=True)
    name = fields.String()
    levels = fields.List(fields.String(), metadata={"description": "alert levels the filed plan has no entry for"})


class PlanMissingOut(Schema):
    enterprise_id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    sector = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "missing (no plan) | draft (not filed) | incomplete (a line "
                                                    "without an entry at a level the pack names, R-A-03 003:50)"})
    plan_id = fields.Integer(allow_none=True)
    plan_number = fields.Integer(allow_none=True)
    filed_at = fields.DateTime(allow_none=True)
    filed_late = fields.Boolean(metadata={"description": "filed after the season's deadline"})
    missing = fields.List(fields.Nested(PlanGapOut))
    deadline = fields.Date(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "the deadline has passed"})


class FilingDeadlineOut(Schema):
    date = fields.Date()
    rule = fields.String()
    source = fields.String()
    note = fields.String()
    local_setting = fields.Boolean()


class PlansMissingOut(Schema):
    pack = fields.String()
    season = fields.Integer()
    deadline = fields.Nested(FilingDeadlineOut, allow_none=True)
    items = fields.List(fields.Nested(PlanMissingOut))
