"""What the schedule pages show instead of stored codes: application kinds and statuses, version statuses,
and the choices a flag offers, in the reader's language (Jinja filters, registered by views.py).
Measures and bases are grading.vocab vocabularies (the `vocab` filter); an unknown code is shown as is."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

APPLICATION_KINDS = {"exemption": _l("Exemption"), "livelihood_max_load": _l("Livelihood maximum load")}
APPLICATION_STATUSES = {"submitted": _l("Awaiting decision"), "approved": _l("Approved"), "rejected": _l("Rejected")}
VERSION_STATUSES = {"draft": _l("draft"), "published": _l("published")}

# The options of the flags the engine raises (grading/rules, grading/packs/*.yaml), for the official's choice.
CHOICES = {
    "exempt": _l("Exempt"), "not_exempt": _l("Not exempt"),
    "applies": _l("Applies"), "does_not_apply": _l("Does not apply"),
    "counts": _l("Counts"), "does_not_count": _l("Does not count"),
    "qualifies": _l("Qualifies"), "does_not_qualify": _l("Does not qualify"),
    "designated": _l("Designated"), "not_designated": _l("Not designated"),
    "include": _l("Include"), "off_list_in_principle": _l("Off the list in principle"),
    "raise": _l("Raise"), "keep": _l("Keep"), "raise_ratio": _l("Raise the ratio"),
    "force": _l("Enforce"), "plain": _l("As written"),
    "ban": _l("Ban"), "allow_case": _l("Allow case by case"),
    "stop": _l("Stop production"), "curtail": _l("Curtail"), "max_load": _l("Maximum load"), "other": _l("Other"),
    "penalty": _l("Penalty"), "strictest_curtailment": _l("Strictest curtailment"), "strictest": _l("Strictest"),
    "correct_immediately": _l("Correct immediately"), "stop_for_rectification": _l("Stop for rectification"),
    "closure": _l("Closure"),
    "no_reduction": _l("No reduction"), "emergency_list_measures": _l("Emergency list measures"),
    "provincial_unified_measures": _l("Provincial unified measures"), "provincial_grading": _l("Provincial grading"),
    "local_measures": _l("Local measures"),
    "sector_rule": _l("Sector rule"), "official_measure": _l("Measure set by the official"),
    "official_choice": _l("Official's choice"), "official_exception": _l("Official's exception"),
    "no_measure": _l("No measure"),
    "capacity": _l("Capacity"), "output": _l("Output"), "electricity": _l("Electricity"), "time": _l("Time"),
    "not_stated": _l("Not stated"),
    "stably_compliant": _l("Stably compliant"), "meets_permit_requirements": _l("Meets permit requirements"),
    "autumn_winter_tasks_done": _l("Autumn-winter tasks done"),
    "report_to_province": _l("Report to the province"), "traffic_police_alone": _l("Traffic police alone"),
    "by": _l("By the date"), "to": _l("Until the date"),
    "pressed_only": _l("Pressed products only"), "all_refractories": _l("All refractories"),
    "heating_season": _l("Heating season"), "steel_coking_cement_window": _l("Steel, coking and cement window"),
    "applicable_to_sector": _l("Applicable to the sector"), "both": _l("Both"),
    "clean_energy_excluded": _l("Clean energy excluded"), "covered_stop": _l("Covered: stop"),
    "not_covered": _l("Not covered"),
    "all_categories": _l("All categories"), "all_measured": _l("All measured"), "main_pollutants": _l("Main pollutants"),
    "city_allocation": _l("City allocation"), "per_enterprise": _l("Per enterprise"),
    "emergency_and_heating_season": _l("Emergency and heating season"), "emergency_only": _l("Emergency only"),
    "emergency_exemption": _l("Emergency exemption"), "port_service_only": _l("Port service only"),
    "enter_ratio_from_filed_plan": _l("Ratio from the filed plan"),
    "sum_not_below_twice_level_ratio": _l("Sum not below twice the level's ratio"),
    # issue 14: the in-principle ratios of 004:381 and the per-line / enterprise reading of exclusions
    "ratios": _l("The ratios as set"), "per_line": _l("Per line"), "enterprise": _l("Whole enterprise"),
    "enforce": _l("Enforce"),
}


def _label(table: dict, code) -> str:
    if code is None or code == "":
        return ""
    label = table.get(str(code))
    return str(label) if label is not None else str(code)


def application_kind(code) -> str:
    return _label(APPLICATION_KINDS, code)


def application_status(code) -> str:
    return _label(APPLICATION_STATUSES, code)


def version_status(code) -> str:
    return _label(VERSION_STATUSES, code)


def choice(code) -> str:
    return _label(CHOICES, code)


FILTERS = {"schedule_application_kind": application_kind, "schedule_application_status": application_status,
           "schedule_version_status": version_status, "flag_choice": choice}
