"""Pack fields and pack problems in the reader's language (issue 20): the label registry's vocabularies

- "policy.pack_field": a pack field's name (every key of grading.packs.SPEC, the loader's one definition of the
  pack structure), e.g. `percentage_min` → 最低比例（%）; `field_label(path)` names a whole dotted path
  (`sector_measures[2].percentage_min` → 分行业错峰生产措施 第3项 › 最低比例（%）), local settings by their
  "engine.setting" label, alert levels and pollutants by the engine's vocabularies;
- "policy.pack_problem": a loader problem's code (grading.errors.PackError.code) → its message, params filled.

tests/unit/test_pack_labels.py fails when the loader's SPEC gains a field or a problem code without a label here.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import registry.policy.labels  # noqa: F401 - "engine.setting" labels the local settings
from registry.core import codes

FIELDS: dict[str, Any] = {
    "adjustable": _l("Adjustable tier"),
    "alert_ban": _l("Transport ban during alerts"),
    "alert_levels": _l("Alert levels"),
    "alert_measures": _l("Alert-level measures"),
    "also_rule": _l("Also rule"),
    "also_source": _l("Also clause"),
    "applies_to": _l("Applies to"),
    "approval": _l("Approval"),
    "approval_exception": _l("Approval exception"),
    "approve": _l("Approval of grades"),
    "baseline_days": _l("Baseline days"),
    "basis": _l("Basis"),
    "basis_setting": _l("Basis setting"),
    "benchmark": _l("Benchmark enterprises"),
    "building_materials": _l("Building materials"),
    "change_control": _l("Change control"),
    "city_logistics": _l("City logistics"),
    "code": _l("Code"),
    "coking_time_hours": _l("Coking time (hours)"),
    "condition_note": _l("Condition"),
    "conflict": _l("Conflict"),
    "consequence": _l("Consequence"),
    "consequence_rule": _l("Rule of the consequence"),
    "consequence_source": _l("Clause of the consequence"),
    "county_supervision": _l("County supervision"),
    "cupola_requires_cems": _l("Cupola requires CEMS"),
    "curtail": _l("Curtailment"),
    "cycle_setting": _l("Cycle setting"),
    "days": _l("Days"),
    "deadline": _l("Deadline"),
    "deadline_rule": _l("Rule of the deadline"),
    "deadlines": _l("Deadlines"),
    "default": _l("Default"),
    "default_setting": _l("Default setting"),
    "designated": _l("Designated"),
    "dynamic": _l("Dynamic management"),
    "effect": _l("Effect"),
    "effective_from": _l("Effective from"),
    "eligibility": _l("Eligibility"),
    "emergency": _l("Emergency reduction"),
    "emergency_exemptions": _l("Emergency exemptions"),
    "emergency_grading": _l("Emergency performance grading"),
    "emergency_list": _l("Emergency reduction list"),
    "emergency_measures": _l("Emergency measures"),
    "end": _l("End"),
    "end_month_day": _l("End (month-day)"),
    "exception_min_standard": _l("Minimum standard of the exception"),
    "exception_standard_setting": _l("Exception standard setting"),
    "exceptions": _l("Exceptions"),
    "excluded": _l("Excluded"),
    "exemptions": _l("Exemptions"),
    "filed_with": _l("Filed with"),
    "filing": _l("Filing"),
    "filing_deadline": _l("Filing deadline"),
    "flag": _l("Item to decide"),
    "flag_when": _l("Items to decide when"),
    "force": _l("Force"),
    "foundry": _l("Foundry"),
    "fraud_downgrade": _l("Downgrade for fraud"),
    "fuels": _l("Fuels"),
    "gate_without_outcome": _l("Conditions without a stated outcome"),
    "grade_a": _l("A grade"),
    "grade_b": _l("B grade"),
    "grade_c": _l("C grade"),
    "grade_workflow": _l("Grading procedure"),
    "heating_season": _l("Heating season"),
    "heating_season_min_standard": _l("Minimum vehicle standard in the heating season"),
    "heating_season_only": _l("Heating season only"),
    "id": _l("Identifier"),
    "in_principle": _l("In principle"),
    "industries": _l("Industries"),
    "jurisdiction": _l("Jurisdiction"),
    "key_vehicle_user": _l("Key vehicle-using enterprise"),
    "kinds": _l("Kinds of line"),
    "label": _l("Name"),
    "levels": _l("Levels"),
    "levels_setting": _l("Levels setting"),
    "lines": _l("Per line"),
    "livelihood": _l("Livelihood guarantee"),
    "livelihood_projects": _l("Livelihood projects"),
    "local_setting": _l("Local setting"),
    "low": _l("Low tier"),
    "max_percent_of_limit": _l("Maximum share of the limit (%)"),
    "measure": _l("Measure"),
    "measure_ids": _l("Measures it applies to"),
    "measures": _l("Measures"),
    "message": _l("Explanation"),
    "method": _l("Method"),
    "middle": _l("Middle tier"),
    "min_heavy_diesel_vehicles": _l("Minimum heavy diesel vehicles"),
    "min_rate": _l("Minimum rate"),
    "min_status": _l("Minimum emission status"),
    "monitoring_duty": _l("Monitoring duty"),
    "non_key": _l("Non-key industries"),
    "none": _l("No measure tier"),
    "note": _l("Note"),
    "nox": _l("NOx"),
    "objections": _l("Objections"),
    "obligation": _l("Obligation"),
    "open_list": _l("Open list"),
    "open_list_fuels": _l("Open list of fuels"),
    "open_list_sectors": _l("Open list of sectors"),
    "options": _l("Options"),
    "other_key_industries": _l("Other key industries"),
    "outcome": _l("Outcome"),
    "percentage_max": _l("Maximum percentage (%)"),
    "percentage_min": _l("Minimum percentage (%)"),
    "period": _l("Period"),
    "pm": _l("PM"),
    "pm_max": _l("PM maximum"),
    "predicate": _l("Trigger condition"),
    "province": _l("Province"),
    "publish": _l("Publication"),
    "rail_share": _l("Rail share"),
    "rate_setting": _l("Rate setting"),
    "ratio_pollutants_setting": _l("Pollutants of the ratios"),
    "ratios": _l("Reduction ratios"),
    "reference_o2": _l("Reference O₂"),
    "regrade": _l("Re-grading"),
    "replacement_windows": _l("Replacement windows"),
    "requires": _l("Requires"),
    "requires_approvals": _l("Required approvals"),
    "requires_compliant": _l("Requires compliance"),
    "requires_enclosed": _l("Requires enclosure"),
    "requires_no_firing": _l("Requires no firing"),
    "residual": _l("Residual obligation"),
    "resplit_so2_nox": _l("SO₂/NOx re-split"),
    "restricted_category": _l("Restricted category"),
    "review": _l("Review"),
    "rule": _l("Rule"),
    "scope": _l("Scope"),
    "sector_measures": _l("Staggering measures by sector"),
    "sectors": _l("Sectors"),
    "separation": _l("Separation of duties"),
    "setting": _l("Setting"),
    "settings": _l("Local settings"),
    "several_setting": _l('"Several" setting'),
    "so2": _l("SO₂"),
    "so2_max": _l("SO₂ maximum"),
    "source": _l("Clause"),
    "source_file": _l("Source document"),
    "special_limit_sectors": _l("Sectors at special limits"),
    "special_limit_sectors_source": _l("Clause of the special-limit sectors"),
    "stack_height_m": _l("Stack height (m)"),
    "staggering_list": _l("Staggering list"),
    "start": _l("Start"),
    "start_month_day": _l("Start (month-day)"),
    "status": _l("Emission status"),
    "stop": _l("Stop"),
    "stop_days": _l("Days stopped"),
    "sub_types": _l("Sub-types"),
    "sub_types_listed": _l("Listed sub-types"),
    "target_base": _l("Base of the targets"),
    "tasks": _l("Tasks"),
    "threshold": _l("Threshold"),
    "thresholds": _l("Emission thresholds"),
    "tiers": _l("Staggering tiers"),
    "title": _l("Title"),
    "title_en": _l("English title"),
    "transport": _l("Transport"),
    "trigger": _l("Trigger"),
    "triggers": _l("Triggers"),
    "ultra_low_incentive": _l("Ultra-low incentive"),
    "ultra_low_sectors": _l("Ultra-low sectors"),
    "uninterruptible": _l("Uninterruptible lines"),
    "utilisation_above": _l("Utilisation above"),
    "utilisation_raise": _l("Raise for high utilisation"),
    "value": _l("Value"),
    "vehicle_restriction_reporting": _l("Vehicle restriction reporting"),
    "vehicles": _l("Vehicles"),
    "verification": _l("Verification"),
    "voc_health_check": _l("VOC health check"),
    "why": _l("Reason"),
    "window_rule": _l("Rule of the window"),
    "window_setting": _l("Window setting"),
    "windows": _l("Windows"),
}

PROBLEMS: dict[str, Any] = {
    "duplicate_key": _l("Duplicate key (line %(line)s): YAML would keep only the last one"),
    "unknown_key": _l("Unknown field “%(name)s”: packs of this engine have no such field"),
    "missing_citation": _l("Missing citation: give the clause (document line) and the rule, or for a local setting a written reason"),
    "bad_citation": _l("Bad citation %(value)s: want a document number and line, e.g. 000:129"),
    "bad_rule_id": _l("Bad rule identifier %(value)s"),
    "unknown_rule": _l("The engine has no rule %(value)s: a new kind of rule needs new code"),
    "local_setting_without_why": _l("A local setting needs a written reason"),
    "bad_date": _l("Not a date: %(value)s (want YYYY-MM-DD)"),
    "percent_out_of_range": _l("Percentage %(value)s is outside 0–100"),
    "bad_month_day": _l("Not a month and day: %(value)s (want MM-DD)"),
    "bad_windows": _l("Want a list of windows, each with a start and an end"),
    "empty_window": _l("The window %(start)s – %(end)s is empty or reversed"),
    "window_outside_period": _l("The window %(start)s – %(end)s lies outside the pack's period %(period_start)s – %(period_end)s"),
    "overlapping_windows": _l("The windows %(first)s and %(second)s overlap"),
    "deadline_after_period": _l("The deadline %(value)s is not before the end of the pack's period %(period_end)s"),
    "period_reversed": _l("The period's start must be before its end"),
    "bad_alert_levels": _l("Want a non-empty list of alert levels"),
    "unknown_alert_level": _l("Unknown alert level %(value)s"),
    "not_among_options": _l("%(value)s is not one of the options: %(options)s"),
    "bad_official_levels": _l("Want a non-empty list of official levels (county, city, province)"),
    "unknown_official_level": _l("Unknown official level %(value)s"),
    "official_level_twice": _l("A level is listed twice"),
    "required_missing": _l("Required field missing"),
    "grades_abc": _l("Want one entry for each grade A, B and C"),
    "separation_weaker": _l("Separation of duties can only be made stricter"),
    "unknown_setting": _l("Unknown local setting %(value)s"),
    "unknown_setting_name": _l("Nothing in the engine or the registry reads a local setting %(value)s: a new setting needs new code"),
    "unknown_option": _l("The engine has no reading %(value)s of this setting (it knows: %(options)s): a new reading needs new code"),
    "unknown_predicate": _l("The engine has no trigger %(value)s: a new kind of trigger needs new code"),
    "unknown_consequence": _l("The engine has no consequence %(value)s: a new kind of consequence needs new code"),
    "unknown_measure": _l("Unknown measure %(value)s"),
    "yaml_syntax": _l("The file is not valid YAML (line %(line)s)"),
    "not_a_mapping": _l("A pack is a mapping of fields"),
    "id_mismatch": _l("The identifier must equal the file name"),
    "invalid": _l("Invalid value"),
}

SETTING_OPTIONS: dict[str, Any] = {  # a pack setting's or flag's options (`options:`), in words
    "all_categories": _l("All exception categories"),
    "all_measured": _l("Every pollutant measured"),
    "all_refractories": _l("All refractories"),
    "any_enterprise": _l("Any one enterprise below the rate"),
    "applicable_to_sector": _l("The retrofit applicable to the sector"),
    "both": _l("Both retrofits"),
    "by": _l("Extended by the hours"),
    "city_allocation": _l("Allocated by the city's filed plan"),
    "clean_energy_excluded": _l("Clean energy excluded"),
    "county_average": _l("The county's mean rate"),
    "covered_stop": _l("Covered: stop"),
    "emergency_and_heating_season": _l("The emergency list and the heating season"),
    "emergency_exemption": _l("The emergency exemption prevails"),
    "emergency_only": _l("The emergency list only"),
    "enter_ratio_from_filed_plan": _l("Enter the ratio of the filed plan"),
    "enterprise": _l("Per enterprise"),
    "heating_season": _l("The heating season"),
    "industrial": _l("Industrial emissions"),
    "main_pollutants": _l("The main pollutants"),
    "no_measure": _l("No measure"),
    "not_covered": _l("Not covered"),
    "official_choice": _l("An official chooses"),
    "official_exception": _l("An official's exception"),
    "official_measure": _l("An official sets the measure"),
    "per_enterprise": _l("Per enterprise"),
    "per_line": _l("Per production line"),
    "port_service_only": _l("Port-service vehicles only"),
    "pressed_only": _l("Pressed refractories only"),
    "raise_ratio": _l("Raise the ratio"),
    "report_to_province": _l("Report to the province"),
    "sector_rule": _l("The sector rule prevails"),
    "society_wide": _l("Society-wide emissions"),
    "steel_coking_cement_window": _l("The steel, coking and cement window"),
    "stop": _l("Stop"),
    "strictest": _l("The strictest"),
    "sum_not_below_twice_level_ratio": _l("The two ratios together not below twice the level's ratio"),
    "to": _l("Extended to the hours"),
    "traffic_police_alone": _l("The traffic police alone"),
}

TIER_REQUIREMENTS: dict[str, Any] = {  # tiers.*.requires keys: the enterprise's attributes a tier asks for (004:389)
    "ultra_low_retrofit": _l("Ultra-low emission retrofit"),
    "technology_level": _l("Technology level"),
    "transport_structure": _l("Transport structure"),
    "product_level": _l("Product level"),
}

CHOICES: dict[str, dict[str, Any]] = {  # the engine's words a pack field chooses among (schema forms)
    "policy.trigger_predicate": {
        "fugitive_controls_not_done": _l("Fugitive-emission controls not done"),
        "voc_remediation_not_done": _l("VOC remediation not done"),
        "coal_project_without_replacement": _l("Coal project without coal replacement"),
        "coal_unit_or_boiler_below_required_status": _l("Coal unit or boiler below the required emission level"),
        "exceeds_standard": _l("Exceeds the emission standard"),
        "no_permit": _l("No discharge permit"),
        "not_per_permit": _l("Not discharging as the permit requires"),
        "scattered_rectify": _l("Scattered polluting enterprise to rectify"),
        "unlisted_furnace": _l("Furnace found off the management list"),
        "furnace_non_compliant": _l("Furnace not compliant"),
        "elevated_source_without_cems": _l("Elevated source without online monitoring"),
        "cems_transmission_below": _l("Online monitoring transmission below the rate"),
        "key_area_exceeder": _l("Exceeds in a key area"),
        "relocation_overdue": _l("Relocation overdue"),
        "staggering_list_not_filed": _l("Staggering list not filed"),
    },
    "policy.trigger_consequence": {
        "stop": _l("Stop"),
        "staggering_plan": _l("Into the staggering plan"),
        "flag_correct_or_stop": _l("Correct at once or stop (an official decides)"),
        "penalty_only": _l("Penalty only"),
        "prosecute_abnormal_monitoring": _l("Prosecute abnormal monitoring"),
        "flag_no_permit": _l("No permit: an official decides"),
        "flag_not_implementing": _l("Treated as not implementing staggering"),
    },
    "policy.force": {
        "plain": _l("Applies"),
        "may": _l("May (an official decides)"),
        "in_principle": _l("In principle (an official may allow a case)"),
    },
    "policy.applies_to": {
        "enterprise": _l("The whole enterprise"),
        "line": _l("Each production line"),
    },
}

OFFICIAL_LEVELS: dict[str, Any] = {"county": _l("County level"), "city": _l("City level"), "province": _l("Province level")}
SEPARATIONS: dict[str, Any] = {
    "successive": _l("No one performs two successive steps"),
    "all": _l("Reviewer, approver and publisher are three different people"),
}

_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def _part(parent: str, part: str) -> str:
    """One path component's label; keys of data mappings are alert levels, pollutants, grades or settings."""
    if parent == "settings":
        return codes.label("engine.setting", part)
    if parent == "replacement_windows":
        return option_label(part)
    if codes.known("policy.pack_field", part) and parent not in ("value",):
        return codes.label("policy.pack_field", part)
    if parent == "requires" and codes.known("policy.tier_requirement", part):
        return codes.label("policy.tier_requirement", part)
    for vocabulary in ("AlertLevel", "Pollutant", "EmergencyGrade", "Sector", "engine.baseline_class"):
        if codes.known(vocabulary, part):
            return codes.label(vocabulary, part)
    if codes.known("policy.pack_field", part):
        return codes.label("policy.pack_field", part)
    return part


def field_label(path: str) -> str:
    """A dotted pack path in words: `triggers[0].effective_from` → 触发情形 第1项 › 生效日期."""
    if path in ("", "<root>", "<yaml>"):
        return _("The whole pack")
    words: list[str] = []
    parent = ""
    parts = path.split(".")
    for n, part in enumerate(parts):
        if part == "value" and n < len(parts) - 1:
            parent = part  # a cited value's inner keys (levels, pollutants) name it well enough
            continue
        m = _INDEX.match(part)
        name, index = (m.group(1), int(m.group(2))) if m else (part, None)
        word = _part(parent, name)
        if index is not None:
            word = _("%(field)s item %(n)s", field=word, n=index + 1)
        words.append(word)
        parent = name
    return " › ".join(words)


def option_label(code: Any) -> str:
    """A setting's or flag's option in words: the engine's setting values, then the options registered here, then
    the engine's bases and measures."""
    for vocabulary in ("engine.setting_value", "policy.setting_option", "Basis", "Measure"):
        if codes.known(vocabulary, code):
            return codes.label(vocabulary, code)
    return str(code)


def problem_message(code: str, params: dict[str, Any] | None = None) -> str:
    """A loader problem in the reader's language."""
    return codes.label("policy.pack_problem", code, default=str(PROBLEMS["invalid"]), **(params or {}))


def register() -> None:
    codes.register("policy.pack_field", FIELDS)
    codes.register("policy.pack_problem", PROBLEMS)
    codes.register("policy.official_level", OFFICIAL_LEVELS)
    codes.register("policy.setting_option", SETTING_OPTIONS)
    codes.register("policy.tier_requirement", TIER_REQUIREMENTS)
    for vocabulary, labels in CHOICES.items():
        codes.register(vocabulary, labels)
    codes.register("policy.separation", SEPARATIONS)


register()
