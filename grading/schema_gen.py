"""Build the evaluate contract's JSON Schemas from the vocabularies (so enums never drift).

`python -m grading.schema_gen` rewrites grading/schemas/*.schema.json; a unit test fails when
the committed files differ from what this module builds.
"""
from __future__ import annotations

import json
from pathlib import Path

from grading import vocab as v

SCHEMA_DIR = Path(__file__).parent / "schemas"
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "ISO date YYYY-MM-DD"}


def _enum(cls, nullable: bool = False) -> dict:
    codes = cls.codes()
    if nullable:
        return {"enum": codes + [None], "description": f"{cls.__name__}: " + ", ".join(f"{c} {cls(c).label_zh}" for c in codes)}
    return {"type": "string", "enum": codes, "description": f"{cls.__name__}: " + ", ".join(f"{c} {cls(c).label_zh}" for c in codes)}


def _pollutant_map() -> dict:
    return {"type": "object", "propertyNames": {"enum": v.Pollutant.codes()},
            "additionalProperties": {"type": "number", "minimum": 0}}


def _num(nullable=True, minimum=0, maximum=None) -> dict:
    d = {"type": ["number", "null"] if nullable else "number", "minimum": minimum}
    if maximum is not None:
        d["maximum"] = maximum
    return d


def _bool(nullable=False) -> dict:
    return {"type": ["boolean", "null"] if nullable else "boolean"}


def _nullable_date() -> dict:
    return {"anyOf": [DATE, {"type": "null"}]}


LINE = {
    "type": "object", "additionalProperties": False, "required": ["line_id", "kind"],
    "properties": {
        "line_id": {"type": "string", "minLength": 1}, "name": {"type": "string"},
        "kind": _enum(v.LineKind), "fuel": _enum(v.Fuel), "sector": _enum(v.Sector, True), "sub_type": _enum(v.SubType),
        "capacity": _num(), "capacity_unit": {"type": "string"},
        "emission_status": _enum(v.EmissionStatus), "status_reached_on": _nullable_date(),
        "concentrations": _pollutant_map(), "percent_of_limit": _pollutant_map(),
        "stack_height_m": _num(), "has_cems": _bool(), "cems_transmission_rate": _num(True, 0, 100),
        "on_furnace_list": _bool(True), "found_unlisted_on": _nullable_date(), "firing_process": _bool(),
        "enclosed": _bool(), "livelihood_task": _enum(v.LivelihoodTask, True),
        "livelihood_max_load": _num(True, 0, 100), "livelihood_filed_on": _nullable_date(),
    },
}

ENTERPRISE = {
    "type": "object", "additionalProperties": False, "required": ["enterprise_id", "sector", "lines"],
    "properties": {
        "enterprise_id": {"type": "string", "minLength": 1}, "name": {"type": "string"},
        "sector": _enum(v.Sector), "sub_type": _enum(v.SubType),
        "permit_status": _enum(v.PermitStatus), "permit_kind": _enum(v.PermitKind),
        "meets_permit_requirements": _bool(), "stably_compliant": _bool(), "autumn_winter_tasks_completed": _bool(),
        "cems_data_valid": _bool(), "conforms_to_industrial_policy": _bool(), "restricted_category": _bool(),
        "capacity_utilisation_2018": _num(), "ultra_low_evaluation_fraud": _bool(),
        "emergency_grades": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["industry"],
            "properties": {"industry": _enum(v.Sector), "grade": _enum(v.EmergencyGrade, True),
                           "indicators": {"type": "object", "additionalProperties": _enum(v.EmergencyGrade)}}}},
        "ultra_low_retrofit": _enum(v.RetrofitProgress), "technology_level": _enum(v.TechnologyLevel, True),
        "transport_structure": _enum(v.TransportStructure, True), "product_level": _enum(v.ProductLevel, True),
        "staggering_tier": _enum(v.StaggeringTier, True), "benchmark_enterprise": _bool(True),
        "voc_class": _enum(v.VocClass, True), "scattered_class": _enum(v.ScatteredClass),
        "location_flags": {"type": "array", "items": _enum(v.LocationFlag), "uniqueItems": True},
        "key_vehicle_user": _bool(True), "city_logistics": _bool(), "heavy_diesel_vehicles": {"type": "integer", "minimum": 0},
        "vehicles": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["vehicle_id", "standard"],
            "properties": {"vehicle_id": {"type": "string"}, "standard": _enum(v.VehicleStandard),
                           "purpose": _enum(v.VehiclePurpose), "heavy_diesel": _bool()}}},
        "coal_project_without_replacement": _bool(), "fugitive_controls_done": _bool(), "voc_remediation_done": _bool(),
        "relocation_overdue": _bool(), "staggering_list_filed": _bool(True), "staggering_list_changed_without_filing": _bool(),
        "approvals": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["kind"],
            "properties": {"kind": _enum(v.ApprovalKind), "date": _nullable_date(), "line": {"type": ["string", "null"]},
                           "by": {"type": "string"}}}},
        "normal_daily_emissions": _pollutant_map(),
        "baseline_class": {"enum": ["industrial", "heating_boiler", "residential_coal", "mobile", "dust", None]},
        "lines": {"type": "array", "minItems": 1, "items": LINE},
    },
}

INPUT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://lantian-registry/schemas/evaluate-input.schema.json",
    "title": "Lantian Registry evaluate input (评估输入)",
    "type": "object", "additionalProperties": False, "required": ["pack", "date", "alert_level", "enterprise"],
    "properties": {
        "pack": {"type": "string", "description": "policy pack id, see list_packs()"},
        "date": DATE,
        "alert_level": _enum(v.AlertLevel),
        "enterprise": ENTERPRISE,
        "official_decisions": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["flag", "choice", "by"],
            "properties": {"flag": {"type": "string"}, "line": {"type": ["string", "null"]}, "choice": {"type": "string"},
                           "by": {"type": "string", "minLength": 1}, "reason": {"type": "string"}, "date": _nullable_date()}}},
        "emergency_resplit": _pollutant_map(),
    },
}

REASON = {"type": "object", "required": ["rule", "source", "note"], "additionalProperties": False,
          "properties": {"rule": {"type": "string"}, "source": {"type": "string"}, "note": {"type": "string"},
                         "code": {"type": "string", "description": "grading/notes.py: the note as a code (optional)"},
                         "params": {"type": "object", "description": "the code's parameters (with code only)"}}}
FLAG = {"type": "object", "required": ["code", "rule", "source", "message", "options", "default", "line"],
        "additionalProperties": False,
        "properties": {"code": {"type": "string"}, "rule": {"type": "string"}, "source": {"type": "string"},
                       "message": {"type": "string"}, "options": {"type": "array", "items": {"type": "string"}},
                       "default": {"type": ["string", "null"]}, "line": {"type": ["string", "null"]},
                       "params": {"type": "object",
                                  "description": "what fills the flag's explanation (registry labels), optional"}}}
APPLIED = {"type": "object", "required": ["flag", "choice", "by", "reason", "rule", "source", "line"],
           "additionalProperties": False,
           "properties": {k: {"type": ["string", "null"]} for k in ["flag", "choice", "by", "reason", "rule", "source", "line"]}}
WINDOW = {"type": "object", "required": ["start", "end"], "additionalProperties": False,
          "properties": {"start": DATE, "end": DATE}}
PCT = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
LINE_OUT = {
    "type": "object", "additionalProperties": False,
    "required": ["line_id", "measure", "percentage_min", "percentage_max", "basis", "coking_time_hours", "windows",
                 "reasons", "flags", "applied_decisions", "residual_obligations"],
    "properties": {"line_id": {"type": "string"}, "measure": _enum(v.Measure), "percentage_min": PCT, "percentage_max": PCT,
                   "basis": _enum(v.Basis, True), "coking_time_hours": {"type": ["number", "null"]},
                   "windows": {"type": "array", "items": WINDOW}, "reasons": {"type": "array", "items": REASON},
                   "flags": {"type": "array", "items": FLAG}, "applied_decisions": {"type": "array", "items": APPLIED},
                   "residual_obligations": {"type": "array", "items": REASON}},
}
OUTPUT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://lantian-registry/schemas/evaluate-output.schema.json",
    "title": "Lantian Registry evaluate output (评估结果)",
    "type": "object", "additionalProperties": False,
    "required": ["contract_version", "pack", "date", "alert_level", "enterprise_id", "lines", "summary"],
    "properties": {
        "contract_version": {"type": "string"}, "pack": {"type": "string"}, "date": DATE, "alert_level": _enum(v.AlertLevel),
        "enterprise_id": {"type": "string"}, "lines": {"type": "array", "items": LINE_OUT},
        "summary": {"type": "object", "additionalProperties": False,
                    "required": ["strictest_line", "strictest_measure", "grades", "residual_obligations", "transport",
                                 "emergency_ratios", "emergency_ratios_in_principle", "emergency_reasons", "emergency_baseline", "emergency_list", "eligibility_reasons", "flags",
                                 "applied_decisions"],
                    "properties": {
                        "strictest_line": {"type": ["string", "null"]}, "strictest_measure": _enum(v.Measure),
                        "grades": {"type": "object", "additionalProperties": False,
                                   "required": ["emergency", "emergency_by_industry", "staggering_tier", "benchmark", "voc_class", "eligible"],
                                   "properties": {"emergency": _enum(v.EmergencyGrade, True),
                                                  "emergency_by_industry": {"type": "object", "additionalProperties": _enum(v.EmergencyGrade)},
                                                  "staggering_tier": _enum(v.StaggeringTier, True), "benchmark": _bool(True),
                                                  "voc_class": _enum(v.VocClass, True), "eligible": _bool()}},
                        "residual_obligations": {"type": "array", "items": REASON},
                        "transport": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                      "required": ["rule", "source", "restriction", "minimum_standard", "exceptions", "vehicles_not_allowed",
                                                   "in_principle"],
                                      "properties": {"rule": {"type": "string"}, "source": {"type": "string"},
                                                     "restriction": {"type": "string"},
                                                     "minimum_standard": _enum(v.VehicleStandard, True),
                                                     "exceptions": {"type": "array", "items": {"type": "string"}},
                                                     "vehicles_not_allowed": {"type": "array", "items": {"type": "string"}},
                                                     "in_principle": {"type": "boolean"}}}},
                        "emergency_ratios": {"type": "object", "propertyNames": {"enum": v.Pollutant.codes()},
                                             "additionalProperties": PCT},
                        "emergency_ratios_in_principle": {"type": "array", "items": {"enum": v.Pollutant.codes()}},
                        "emergency_reasons": {"type": "array", "items": REASON},
                        "emergency_baseline": {"type": "object", "additionalProperties": {"type": "number"}},
                        "emergency_list": {"enum": ["off_list_in_principle", "include", None]},
                        "eligibility_reasons": {"type": "array", "items": REASON},
                        "flags": {"type": "array", "items": FLAG}, "applied_decisions": {"type": "array", "items": APPLIED}}},
    },
}


def write() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in (("evaluate-input", INPUT), ("evaluate-output", OUTPUT)):
        (SCHEMA_DIR / f"{name}.schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
