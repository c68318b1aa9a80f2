"""Enterprise, production line and permit forms, grouped as DOMAIN.md §4.3 lists what records carry.

The forms render inputs, carry the CSRF token and the optimistic-lock version, and turn what
was typed into the plain data the operations take. They do not validate: the operations'
schemas do, once for every door, and the views put those messages beside these fields.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField

from registry.core.dictionary import CAPACITY_UNITS
from registry.core.forms import RegionFields, blank_to_none
from registry.core.templating import capacity_unit_label, vocab_choices


@dataclass(frozen=True)
class Spec:
    """One input: its name (the schema's), kind, label and, for selects, the vocabulary."""

    name: str
    kind: str  # text | textarea | bool | date | decimal | int | vocab | vocab_opt | region | unit
    label: object
    vocabulary: str = ""
    help: object = ""
    required: bool = False


ENTERPRISE_GROUPS: list[tuple[object, list[Spec]]] = [
    (_l("Basic information"), [
        Spec("uscc", "text", _l("Unified social credit code"), help=_l("18 characters, with the GB 32100 check character."), required=True),
        Spec("name", "text", _l("Enterprise name"), required=True),
        Spec("region_code", "region", _l("County / district"), required=True),
        Spec("township", "text", _l("Township / street")),
        Spec("address", "text", _l("Address")),
        Spec("sector", "vocab", _l("Sector"), "Sector", required=True),
        Spec("sub_type", "vocab_opt", _l("Sub-type"), "SubType"),
        Spec("cluster_name", "text", _l("Enterprise cluster"), help=_l("Name of the cluster the enterprise belongs to, if any.")),
    ]),
    (_l("Location"), [
        Spec("in_built_up_area", "bool", _l("In a built-up area")),
        Spec("in_main_urban_area", "bool", _l("In the main urban area")),
        Spec("in_key_area", "bool", _l("In a key area")),
        Spec("in_urban_planning_area", "bool", _l("In the urban planning area")),
        Spec("in_coal_ban_zone", "bool", _l("In a coal-ban zone")),
    ]),
    (_l("Policy status"), [
        Spec("restricted_category", "bool", _l("Restricted category (industrial policy)")),
        Spec("conforms_to_industrial_policy", "bool", _l("Conforms to industrial policy")),
        Spec("scattered_class", "vocab_opt", _l("Scattered-polluting class"), "ScatteredClass"),
        Spec("relocation_deadline", "date", _l("Relocation deadline")),
        Spec("coal_project_without_replacement", "bool", _l("New coal project without coal replacement")),
    ]),
    (_l("Compliance"), [
        Spec("stably_compliant", "bool", _l("Stably meets emission standards")),
        Spec("meets_permit_requirements", "bool", _l("Meets discharge-permit requirements")),
        Spec("autumn_winter_tasks_done", "bool", _l("Autumn–winter tasks completed")),
        Spec("cems_data_valid", "bool", _l("Online monitoring (CEMS) data valid")),
        Spec("fugitive_control_done_on", "date", _l("Fugitive-emission control completed on")),
        Spec("voc_remediation_done_on", "date", _l("VOC remediation completed on")),
        Spec("furnace_list_done_on", "date", _l("Furnace management list completed on")),
    ]),
    (_l("Performance"), [
        Spec("technology_level", "vocab_opt", _l("Process technology level"), "TechnologyLevel"),
        Spec("transport_structure", "vocab_opt", _l("Transport structure"), "TransportStructure"),
        Spec("product_level", "vocab_opt", _l("Product level"), "ProductLevel"),
        Spec("capacity_utilisation_2018", "decimal", _l("2018 capacity utilisation (%)")),
    ]),
    (_l("Livelihood tasks"), [
        Spec("livelihood_task", "vocab_opt", _l("Livelihood task"), "LivelihoodTask"),
        Spec("livelihood_task_volume", "text", _l("Task volume")),
        Spec("livelihood_max_load", "decimal", _l("Maximum allowed load (percent of capacity)")),
        Spec("livelihood_filed_on", "date", _l("Filed on")),
        Spec("livelihood_filed_with", "text", _l("Filed with")),
    ]),
    (_l("Transport"), [
        Spec("key_vehicle_user", "bool", _l("Key vehicle-using enterprise")),
        Spec("key_vehicle_basis", "text", _l("Basis of the designation")),
        Spec("city_logistics", "bool", _l("City logistics-distribution enterprise")),
        Spec("heavy_diesel_vehicles", "int", _l("Heavy diesel vehicles")),
        Spec("fleet_china3", "int", _l("Fleet: China III or lower")),
        Spec("fleet_china4", "int", _l("Fleet: China IV")),
        Spec("fleet_china5", "int", _l("Fleet: China V")),
        Spec("fleet_china6", "int", _l("Fleet: China VI")),
        Spec("has_railway_siding", "bool", _l("Railway siding")),
        Spec("rail_share", "decimal", _l("Rail share of freight (%)")),
        Spec("bulk_freight_mt", "decimal", _l("Bulk freight (Mt/a)")),
        Spec("gate_video_retention_months", "int", _l("Gate video kept (months)")),
        Spec("daily_truck_log", "bool", _l("Daily diesel-truck log kept")),
    ]),
    (_l("Monitoring"), [
        Spec("key_pollutant_unit", "bool", _l("On the key pollutant-discharging unit list")),
        Spec("separate_metering", "bool", _l("Separate electricity metering")),
        Spec("has_dcs", "bool", _l("Distributed control system (DCS)")),
    ]),
    (_l("Contacts"), [
        Spec("legal_representative", "text", _l("Legal representative")),
        Spec("contact_person", "text", _l("Contact person"), help=_l("Required before submitting.")),
        Spec("contact_phone", "text", _l("Contact phone"), help=_l("Required before submitting.")),
        Spec("contact_email", "text", _l("Contact email")),
        Spec("resident_inspector", "text", _l("Resident inspector")),
    ]),
]

LINE_GROUPS: list[tuple[object, list[Spec]]] = [
    (_l("Production line"), [
        Spec("code", "text", _l("Line number"), help=_l("The enterprise's own number, unique within the enterprise."), required=True),
        Spec("name", "text", _l("Line name"), required=True),
        Spec("sector", "vocab", _l("Sector"), "Sector", required=True),
        Spec("sub_type", "vocab_opt", _l("Sub-type"), "SubType"),
        Spec("kind", "vocab", _l("Kind"), "LineKind", required=True),
        Spec("fuel", "vocab", _l("Fuel / energy"), "Fuel", required=True),
        Spec("capacity", "decimal", _l("Capacity")),
        Spec("capacity_unit", "unit", _l("Capacity unit")),
        Spec("boiler_tph", "decimal", _l("Boiler size (t/h)")),
        Spec("coke_oven_height_m", "decimal", _l("Coke-oven chamber height (m)")),
        Spec("stack_height_m", "decimal", _l("Stack height (m)")),
        Spec("electricity_meter", "text", _l("Electricity meter used for verification")),
    ]),
    (_l("Monitoring and controls"), [
        Spec("has_cems", "bool", _l("Online monitoring (CEMS)")),
        Spec("cems_transmission_rate", "decimal", _l("Monthly effective transmission rate (%)")),
        Spec("has_bypass_flue", "bool", _l("Bypass flue")),
        Spec("enclosed", "bool", _l("Materials enclosed in sheds and silos")),
        Spec("has_firing_process", "bool", _l("Has a firing process")),
        Spec("on_furnace_list", "bool", _l("On the furnace management list")),
        Spec("furnace_found_on", "date", _l("Furnace found on")),
        Spec("interruptible", "bool", _l("Can be interrupted safely")),
        Spec("safety_measures", "textarea", _l("Safety measures")),
    ]),
    (_l("Emissions"), [
        Spec("reference_o2", "decimal", _l("Reference O₂ (%)")),
        Spec("daily_emission_so2_kg", "decimal", _l("Daily SO₂ (kg)")),
        Spec("daily_emission_nox_kg", "decimal", _l("Daily NOx (kg)")),
        Spec("daily_emission_pm_kg", "decimal", _l("Daily PM (kg)")),
        Spec("daily_emission_vocs_kg", "decimal", _l("Daily VOCs (kg)")),
    ]),
]

EMISSION_SPECS = [
    Spec("pollutant", "vocab_opt", _l("Pollutant"), "Pollutant"),
    Spec("status", "vocab_opt", _l("Emission status"), "EmissionStatus"),
    Spec("reached_on", "date", _l("Reached on")),
    Spec("concentration", "decimal", _l("Concentration (mg/m³)")),
    Spec("limit_value", "decimal", _l("Applicable limit (mg/m³)")),
]

EQUIPMENT_SPECS = [
    Spec("name", "text", _l("Equipment name")),
    Spec("kind", "vocab_opt", _l("Kind"), "LineKind"),
    Spec("fuel", "vocab_opt", _l("Fuel / energy"), "Fuel"),
    Spec("model", "text", _l("Model")),
    Spec("capacity", "decimal", _l("Capacity")),
    Spec("capacity_unit", "unit", _l("Capacity unit")),
    Spec("quantity", "int", _l("Quantity")),
]

PERMIT_GROUPS: list[tuple[object, list[Spec]]] = [
    (_l("Discharge permit"), [
        Spec("number", "text", _l("Permit number"), required=True),
        Spec("kind", "vocab_opt", _l("Permit kind"), "PermitKind"),
        Spec("management_class", "vocab_opt", _l("Management class"), "PermitManagementClass"),
        Spec("status", "vocab_opt", _l("Permit status"), "PermitStatus"),
        Spec("industry", "text", _l("Industry (catalogue)")),
        Spec("issued_on", "date", _l("Issued on")),
        Spec("valid_until", "date", _l("Valid until")),
        Spec("conditions", "textarea", _l("Conditions")),
        Spec("staggering_in_permit", "bool", _l("Staggering measures written into the permit")),
        Spec("discharging_per_permit", "bool", _l("Discharges as the permit allows")),
        Spec("execution_reports_published", "bool", _l("Execution reports published")),
    ]),
]


def all_specs(groups) -> list[Spec]:
    return [s for _title, specs in groups for s in specs]


FIELD_LABELS: dict[str, object] = {
    s.name: s.label
    for s in all_specs(ENTERPRISE_GROUPS) + all_specs(LINE_GROUPS) + all_specs(PERMIT_GROUPS)
}
FIELD_LABELS.update({"emissions": _l("Emission status per pollutant"), "equipment": _l("Equipment"),
                     "status": _l("Status"), "reason": _l("Reason"), "lines": _l("Production lines"),
                     "return_reason": _l("Reason for returning")})


def _field(spec: Spec):
    kw = {"description": spec.help} if spec.help else {}
    if spec.kind == "bool":
        return BooleanField(spec.label, **kw)
    if spec.kind == "textarea":
        return TextAreaField(spec.label, render_kw={"rows": 3}, **kw)
    if spec.kind == "date":
        return StringField(spec.label, render_kw={"type": "date"}, **kw)
    if spec.kind == "decimal":
        return StringField(spec.label, render_kw={"inputmode": "decimal", "class": "num"}, **kw)
    if spec.kind == "int":
        return StringField(spec.label, render_kw={"inputmode": "numeric", "class": "num"}, **kw)
    if spec.kind == "region":  # the cascading picker (macros/forms.html region_picker); a name or code without JS
        return StringField(spec.label, **kw)
    if spec.kind in ("vocab", "vocab_opt", "unit"):
        return SelectField(spec.label, choices=[], validate_choice=False, **kw)
    return StringField(spec.label, **kw)


def _subtype_choices(form, field) -> None:
    """细分类型 offers the chosen sector's sub-types only (issue 16): the server renders those, and hands app.js
    the sector → sub-types map so the select follows a change of sector without a round trip."""
    import json

    from registry.enterprises import subtypes

    labels = dict(vocab_choices("SubType"))
    sector = form["sector"].data if "sector" in form._fields else None
    codes = list(subtypes.subtypes_for(sector))
    if field.data and field.data not in codes and field.data in labels:
        codes.append(field.data)  # a refused mismatch comes back as typed, its message beside the field
    field.choices = [("", "—")] + [(c, labels[c]) for c in codes]
    field.render_kw = {**(field.render_kw or {}), "data-depends-on": "sector", "data-options": json.dumps(
        {"labels": labels, "by_sector": subtypes.BY_SECTOR, "always": [subtypes.NONE]}, ensure_ascii=False)}


def _fill_choices(form, specs: list[Spec]) -> None:
    for spec in specs:
        field = form[spec.name]
        if spec.name == "sub_type":
            _subtype_choices(form, field)
        elif spec.kind == "vocab":
            field.choices = vocab_choices(spec.vocabulary, blank=True)
        elif spec.kind == "vocab_opt":
            field.choices = vocab_choices(spec.vocabulary, blank=True)
        elif spec.kind == "unit":
            field.choices = [(u, capacity_unit_label(u)) for u in CAPACITY_UNITS]


def _payload(form, specs: list[Spec]) -> dict:
    """What the operation receives: booleans as booleans, blanks as 'not given'."""
    data: dict = {}
    for spec in specs:
        raw = form[spec.name].data
        if spec.kind == "bool":
            data[spec.name] = bool(raw)
        elif spec.kind in ("text", "textarea"):
            if spec.name.endswith("email") and not (raw or "").strip():
                continue
            data[spec.name] = raw or ""
        elif spec.kind == "region":
            data[spec.name] = form.region_value(spec.name, level="enterprise")
        elif spec.kind == "vocab":
            data[spec.name] = raw or ""
        elif spec.kind in ("vocab_opt", "unit"):
            value = blank_to_none(raw)
            if value is not None or spec.name not in ("sub_type", "scattered_class", "kind", "status", "capacity_unit"):
                data[spec.name] = value
        else:
            data[spec.name] = blank_to_none(raw)
    return data


def _build(name: str, base, specs: list[Spec], extra: dict | None = None):
    attrs = {s.name: _field(s) for s in specs}
    attrs.update(extra or {})
    return type(name, (base,), attrs)


_EnterpriseBase = _build("_EnterpriseBase", FlaskForm, all_specs(ENTERPRISE_GROUPS), {"version": HiddenField()})


class EnterpriseForm(RegionFields, _EnterpriseBase):
    groups = ENTERPRISE_GROUPS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_choices(self, all_specs(ENTERPRISE_GROUPS))

    def payload(self) -> dict:
        return _payload(self, all_specs(ENTERPRISE_GROUPS))


EmissionRow = _build("EmissionRow", Form, EMISSION_SPECS)
EquipmentRow = _build("EquipmentRow", Form, EQUIPMENT_SPECS)


def _row_is_blank(row_form, specs: list[Spec]) -> bool:
    for spec in specs:
        if spec.kind in ("bool", "unit") or spec.name == "quantity":
            continue
        if blank_to_none(row_form[spec.name].data) is not None:
            return False
    return True


_LineBase = _build(
    "_LineBase",
    FlaskForm,
    all_specs(LINE_GROUPS),
    {
        "version": HiddenField(),
        "emissions": FieldList(FormField(EmissionRow), min_entries=1),
        "equipment": FieldList(FormField(EquipmentRow), min_entries=1),
    },
)


class LineForm(_LineBase):
    groups = LINE_GROUPS
    emission_specs = EMISSION_SPECS
    equipment_specs = EQUIPMENT_SPECS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_choices(self, all_specs(LINE_GROUPS))
        for entry in self.emissions:
            _fill_choices(entry.form, EMISSION_SPECS)
        for entry in self.equipment:
            _fill_choices(entry.form, EQUIPMENT_SPECS)

    def add_row(self, list_name: str) -> None:
        """The server-side 'add a row' button: one more blank row, nothing saved."""
        field = self.emissions if list_name == "emissions" else self.equipment
        field.append_entry()
        _fill_choices(field.entries[-1].form, EMISSION_SPECS if list_name == "emissions" else EQUIPMENT_SPECS)

    def payload(self) -> tuple[dict, dict[str, list[int]]]:
        """The line's data, and which form row became which list item (blank rows are dropped)."""
        data = _payload(self, all_specs(LINE_GROUPS))
        rows: dict[str, list[int]] = {"emissions": [], "equipment": []}
        for list_name, specs in (("emissions", EMISSION_SPECS), ("equipment", EQUIPMENT_SPECS)):
            items = []
            for index, entry in enumerate(self[list_name]):
                if _row_is_blank(entry.form, specs):
                    continue
                item = _payload(entry.form, specs)
                if list_name == "emissions":
                    item.setdefault("pollutant", "")
                    item.setdefault("status", "")
                else:
                    item.setdefault("kind", "")
                    item.setdefault("fuel", "")
                    if item.get("quantity") is None:
                        item.pop("quantity", None)
                items.append(item)
                rows[list_name].append(index)
            data[list_name] = items
        return data, rows


_PermitBase = _build("_PermitBase", FlaskForm, all_specs(PERMIT_GROUPS), {"version": HiddenField()})


class PermitForm(_PermitBase):
    groups = PERMIT_GROUPS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fill_choices(self, all_specs(PERMIT_GROUPS))

    def payload(self) -> dict:
        return _payload(self, all_specs(PERMIT_GROUPS))


class VersionForm(FlaskForm):
    """Submit / reopen / delete buttons: the CSRF token and the version the user saw."""

    version = HiddenField()


class ReviewForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Required when returning; the enterprise sees it."),
        render_kw={"rows": 3},
    )


class FilterForm(RegionFields, FlaskForm):
    """The list's search bar; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), render_kw={"placeholder": _l("Name, credit code or address")})
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    sector = SelectField(_l("Sector"), choices=[], validate_choice=False)
    region_code = StringField(_l("Region"))  # the region picker, inside the official's own region (issue 16)

