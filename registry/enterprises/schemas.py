"""Enterprise, line and permit schemas: the one validation used by pages, API and Excel import.

Rules between fields of one record are declared once, in CROSS_FIELD_RULES: marshmallow applies them to one
record (pages, API), the Excel import (exchange/validator.py) to whole columns at once — the same rule object,
so "the end of validity is before the issue date" exists in one place (issue 15 item 5).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from grading.vocab import (
    EmissionStatus,
    Fuel,
    LineKind,
    LivelihoodTask,
    PermitKind,
    PermitManagementClass,
    PermitStatus,
    Pollutant,
    ProductLevel,
    ScatteredClass,
    Sector,
    SubType,
    TechnologyLevel,
    TransportStructure,
)
from registry.core.dictionary import CAPACITY_UNITS, column_max_length
from registry.core.validation import (
    InVocabulary,
    NonNegative,
    OptionalEmail,
    Percentage,
    Required,
    TrimmedString,
    USCCField,
)
from registry.enterprises import subtypes
from registry.enterprises.models import Enterprise, Equipment, Permit, ProductionLine


def _text(column, required: bool = False, **kw):
    """Trimmed text limited by its column's one declared length (core.dictionary.column_max_length)."""
    validators = [validate.Length(max=column_max_length(column))]
    if required:
        validators.insert(0, Required())
        return TrimmedString(required=True, validate=validators, **kw)
    return TrimmedString(load_default="", validate=validators, **kw)


def _decimal(*validators, **kw):
    return fields.Decimal(load_default=None, allow_none=True, places=3, as_string=False, validate=list(validators), **kw)


def _vocab(vocab, required=True, default=None):
    if required:
        return fields.String(required=True, validate=InVocabulary(vocab))
    return fields.String(load_default=default, allow_none=default is None, validate=InVocabulary(vocab, allow_none=True))


class WholeNumber(fields.Integer):
    """An integer that refuses 2.5 (marshmallow's Integer would truncate it to 2), as the import does."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


@dataclass(frozen=True)
class CrossFieldRule:
    """A rule between fields of one record, checked only when every one of its fields is given.

    `broken` receives the fields' values in order and says whether the rule is broken; it must work on plain
    values (one record) and on pandas Series (a whole sheet column at a time, where it returns a mask).
    """

    fields: tuple[str, ...]
    report_on: str
    message: Any  # a lazy translation
    broken: Callable[..., Any]

    def problem(self, data: dict[str, Any]) -> str | None:
        values = [data.get(f) for f in self.fields]
        if any(v is None for v in values):
            return None
        return str(self.message) if self.broken(*values) else None


# Per schema (keyed like the data dictionary's sheets: enterprises, lines, equipment, permits).
_SUBTYPE_RULE = CrossFieldRule(("sector", "sub_type"), "sub_type",
                               _l("This sub-type does not belong to the chosen sector: choose one of the sector's sub-types, or none."),
                               subtypes.mismatch)

CROSS_FIELD_RULES: dict[str, tuple[CrossFieldRule, ...]] = {
    "enterprises": (_SUBTYPE_RULE,),  # issue 16: 细分类型 is the sector's (enterprises/subtypes.py)
    "lines": (_SUBTYPE_RULE,),
    "permits": (
        CrossFieldRule(("issued_on", "valid_until"), "valid_until", _l("The end of validity is before the issue date."),
                       lambda issued_on, valid_until: valid_until < issued_on),
    ),
}


class _CrossChecked(Schema):
    """Applies the CROSS_FIELD_RULES of its sheet after the fields themselves loaded cleanly."""

    sheet_key = ""

    @validates_schema
    def _cross_field_rules(self, data: dict[str, Any], **_kw) -> None:
        errors: dict[str, list[str]] = {}
        for rule in CROSS_FIELD_RULES.get(self.sheet_key, ()):
            message = rule.problem(data)
            if message:
                errors.setdefault(rule.report_on, []).append(message)
        if errors:
            raise ValidationError(errors)


class EnterpriseInput(_CrossChecked):
    sheet_key = "enterprises"

    class Meta:
        unknown = EXCLUDE

    uscc = USCCField(required=True, metadata={"description": "统一社会信用代码 (GB 32100)"})
    name = _text(Enterprise.__table__.c.name, required=True)
    region_code = fields.String(required=True, validate=Required(), metadata={"description": "county-level GB/T 2260 code, or the code of a city without counties (不设区的市, e.g. 441900)"})
    township = _text(Enterprise.__table__.c.township)
    address = _text(Enterprise.__table__.c.address)
    sector = _vocab(Sector)
    sub_type = _vocab(SubType, required=False, default=SubType.NONE.value)
    in_built_up_area = fields.Boolean(load_default=False)
    in_main_urban_area = fields.Boolean(load_default=False)
    in_key_area = fields.Boolean(load_default=False)
    in_urban_planning_area = fields.Boolean(load_default=False)
    in_coal_ban_zone = fields.Boolean(load_default=False)
    cluster_name = _text(Enterprise.__table__.c.cluster_name)
    restricted_category = fields.Boolean(load_default=False)
    conforms_to_industrial_policy = fields.Boolean(load_default=True)
    scattered_class = _vocab(ScatteredClass, required=False, default=ScatteredClass.NONE.value)
    relocation_deadline = fields.Date(load_default=None, allow_none=True)
    coal_project_without_replacement = fields.Boolean(load_default=False)
    stably_compliant = fields.Boolean(load_default=True)
    meets_permit_requirements = fields.Boolean(load_default=True)
    autumn_winter_tasks_done = fields.Boolean(load_default=True)
    cems_data_valid = fields.Boolean(load_default=True)
    fugitive_control_done_on = fields.Date(load_default=None, allow_none=True)
    voc_remediation_done_on = fields.Date(load_default=None, allow_none=True)
    furnace_list_done_on = fields.Date(load_default=None, allow_none=True)
    technology_level = _vocab(TechnologyLevel, required=False)
    transport_structure = _vocab(TransportStructure, required=False)
    product_level = _vocab(ProductLevel, required=False)
    capacity_utilisation_2018 = _decimal(NonNegative(), validate.Range(max=1000))
    livelihood_task = _vocab(LivelihoodTask, required=False)
    livelihood_task_volume = _text(Enterprise.__table__.c.livelihood_task_volume)
    livelihood_max_load = _decimal(Percentage())
    livelihood_filed_on = fields.Date(load_default=None, allow_none=True)
    livelihood_filed_with = _text(Enterprise.__table__.c.livelihood_filed_with)
    key_vehicle_user = fields.Boolean(load_default=False)
    key_vehicle_basis = _text(Enterprise.__table__.c.key_vehicle_basis)
    city_logistics = fields.Boolean(load_default=False)  # 城市物流配送企业 (004:394)
    heavy_diesel_vehicles = WholeNumber(load_default=None, allow_none=True, validate=NonNegative())
    fleet_china3 = WholeNumber(load_default=None, allow_none=True, validate=NonNegative())
    fleet_china4 = WholeNumber(load_default=None, allow_none=True, validate=NonNegative())
    fleet_china5 = WholeNumber(load_default=None, allow_none=True, validate=NonNegative())
    fleet_china6 = WholeNumber(load_default=None, allow_none=True, validate=NonNegative())
    has_railway_siding = fields.Boolean(load_default=False)
    rail_share = _decimal(Percentage())
    bulk_freight_mt = _decimal(NonNegative())
    gate_video_retention_months = WholeNumber(load_default=None, allow_none=True, validate=NonNegative())
    daily_truck_log = fields.Boolean(load_default=False)
    key_pollutant_unit = fields.Boolean(load_default=False)
    separate_metering = fields.Boolean(load_default=False)
    has_dcs = fields.Boolean(load_default=False)
    legal_representative = _text(Enterprise.__table__.c.legal_representative)
    contact_person = _text(Enterprise.__table__.c.contact_person)
    contact_phone = _text(Enterprise.__table__.c.contact_phone)
    contact_email = OptionalEmail(load_default="", validate=validate.Length(max=254))
    resident_inspector = _text(Enterprise.__table__.c.resident_inspector)


class EmissionInput(Schema):
    class Meta:
        unknown = EXCLUDE

    pollutant = _vocab(Pollutant)
    status = _vocab(EmissionStatus)
    reached_on = fields.Date(load_default=None, allow_none=True)
    concentration = _decimal(NonNegative())
    limit_value = _decimal(NonNegative())


class EquipmentInput(Schema):
    class Meta:
        unknown = EXCLUDE

    name = _text(Equipment.__table__.c.name, required=True)
    kind = _vocab(LineKind)
    fuel = _vocab(Fuel)
    model = _text(Equipment.__table__.c.model)
    capacity = _decimal(NonNegative())
    capacity_unit = fields.String(load_default="t/a", validate=InVocabulary(list(CAPACITY_UNITS)))
    quantity = WholeNumber(load_default=1, validate=validate.Range(min=1))  # its message is translated (core.validation)


class LineInput(_CrossChecked):
    sheet_key = "lines"

    class Meta:
        unknown = EXCLUDE

    code = _text(ProductionLine.__table__.c.code, required=True)
    name = _text(ProductionLine.__table__.c.name, required=True)
    sector = _vocab(Sector)
    sub_type = _vocab(SubType, required=False, default=SubType.NONE.value)
    kind = _vocab(LineKind)
    fuel = _vocab(Fuel)
    capacity = _decimal(NonNegative())
    capacity_unit = fields.String(load_default="t/a", validate=InVocabulary(list(CAPACITY_UNITS)))
    boiler_tph = _decimal(NonNegative())
    coke_oven_height_m = _decimal(NonNegative())
    stack_height_m = _decimal(NonNegative())
    has_cems = fields.Boolean(load_default=False)
    cems_transmission_rate = _decimal(Percentage())
    has_bypass_flue = fields.Boolean(load_default=False)
    enclosed = fields.Boolean(load_default=False)
    has_firing_process = fields.Boolean(load_default=True)
    on_furnace_list = fields.Boolean(load_default=True)
    furnace_found_on = fields.Date(load_default=None, allow_none=True)
    interruptible = fields.Boolean(load_default=True)
    safety_measures = _text(ProductionLine.__table__.c.safety_measures)
    electricity_meter = _text(ProductionLine.__table__.c.electricity_meter)
    reference_o2 = _decimal(Percentage())
    daily_emission_so2_kg = _decimal(NonNegative())
    daily_emission_nox_kg = _decimal(NonNegative())
    daily_emission_pm_kg = _decimal(NonNegative())
    daily_emission_vocs_kg = _decimal(NonNegative())
    emissions = fields.List(fields.Nested(EmissionInput), load_default=list)
    equipment = fields.List(fields.Nested(EquipmentInput), load_default=list)


class PermitInput(_CrossChecked):
    sheet_key = "permits"

    class Meta:
        unknown = EXCLUDE

    number = _text(Permit.__table__.c.number, required=True)
    kind = _vocab(PermitKind, required=False, default=PermitKind.FULL.value)
    management_class = _vocab(PermitManagementClass, required=False, default=None)
    status = _vocab(PermitStatus, required=False, default=PermitStatus.ISSUED.value)
    industry = _text(Permit.__table__.c.industry)
    issued_on = fields.Date(load_default=None, allow_none=True)
    valid_until = fields.Date(load_default=None, allow_none=True)
    conditions = _text(Permit.__table__.c.conditions)
    staggering_in_permit = fields.Boolean(load_default=False)
    discharging_per_permit = fields.Boolean(load_default=True)
    execution_reports_published = fields.Boolean(load_default=False)


class ReviewInput(Schema):
    class Meta:
        unknown = EXCLUDE

    reason = TrimmedString(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(required=True)


class VersionInput(Schema):
    class Meta:
        unknown = EXCLUDE

    version = fields.Integer(required=True)


# ---- output ----

class EmissionOut(EmissionInput):
    id = fields.Integer()


class EquipmentOut(EquipmentInput):
    id = fields.Integer()


class LineOut(LineInput):
    id = fields.Integer()
    version = fields.Integer()
    enterprise_id = fields.Integer()
    emissions = fields.List(fields.Nested(EmissionOut))
    equipment = fields.List(fields.Nested(EquipmentOut))
    plausibility_warnings = fields.List(fields.Dict(), dump_only=True, metadata={
        "description": "contradictions saved but to be checked (field, message, blocking=false); only in the answer to a save"})


class PermitOut(PermitInput):
    id = fields.Integer()
    version = fields.Integer()
    enterprise_id = fields.Integer()
    plausibility_warnings = fields.List(fields.Dict(), dump_only=True, metadata={
        "description": "contradictions saved but to be checked (field, message, blocking=false); only in the answer to a save"})


class EnterpriseSummaryOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    uscc = fields.String()
    name = fields.String()
    region_code = fields.String()
    sector = fields.String()
    status = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class EnterpriseOut(EnterpriseInput):
    id = fields.Integer()
    version = fields.Integer()
    uscc = fields.String()
    status = fields.String()
    return_reason = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    lines = fields.List(fields.Nested(LineOut))
    permits = fields.List(fields.Nested(PermitOut))


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    summary = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    action_label = fields.Method("_action_label", metadata={"description": "the action in the reader's language"})
    object_type_label = fields.Method("_object_type_label",
                                      metadata={"description": "the kind of object in the reader's language"})

    def _action_label(self, obj) -> str:
        from registry.core import codes

        return codes.label("audit.action", obj.get("action") if isinstance(obj, dict) else getattr(obj, "action", ""))

    def _object_type_label(self, obj) -> str:
        from registry.core import codes

        kind = obj.get("object_type") if isinstance(obj, dict) else getattr(obj, "object_type", "")
        return codes.label("audit.object", kind)
