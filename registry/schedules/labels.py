"""What the schedule pages show instead of stored codes: application kinds and statuses, version statuses,
and the choices a flag offers, in the reader's language (Jinja filters, registered by views.py).
Measures and bases are grading.vocab vocabularies (the `vocab` filter); an unknown code is shown as is."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core import codes

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
    # options of engine flags without a label before (issue 16 item 1)
    "reject": _l("Reject"), "full_emergency_list": _l("Full emergency-list measures"),
    "enter_reduced_measures": _l("Enter the reduced measures"), "record_applicant": _l("Record the applicant"),
    "filed_plan_figure": _l("Figure of the filed plan"), "await_filing": _l("Wait for approval and filing"),
    "enter_max_load": _l("Enter the maximum load"), "verify": _l("Verify"),
    "enter_value_and_basis": _l("Enter the value and its basis"),
    "A": "A", "B": "B", "C": "C",
    "none": _l("No staggering (0 %)"), "middle": _l("Staggering 20–30 %"), "low": _l("Staggering 50–60 %"),
}

# What each choice of the official will do (issue 16 item 1: "what each choice of the official will do"), shown
# next to the choice on the schedule page. The engine re-evaluates the line with the choice when the next version
# is generated.
CHOICE_EFFECTS = {
    "exempt": _l("The line is exempted from the measure in the exemption window."),
    "not_exempt": _l("The line keeps the measure; no exemption."),
    "applies": _l("The rule applies to this line."), "does_not_apply": _l("The rule does not apply to this line."),
    "counts": _l("The task counts as a livelihood task: its load rule applies."),
    "does_not_count": _l("The task does not count: the sector rule applies."),
    "qualifies": _l("It qualifies for the benchmark test."), "does_not_qualify": _l("It does not qualify."),
    "designated": _l("The enterprise is treated as a key vehicle user: transport restrictions apply."),
    "not_designated": _l("No transport restrictions as a key vehicle user."),
    "include": _l("The enterprise stays on the emergency reduction list."),
    "off_list_in_principle": _l("The enterprise is left off the emergency reduction list; it still takes part in "
                                "emergency control."),
    "raise": _l("The curtailment ratio is raised; record by how much in the reason."),
    "keep": _l("The curtailment ratio stays as it is."),
    "raise_ratio": _l("The curtailment ratio is raised."),
    "force": _l("The clause is enforced as written."), "plain": _l("The clause applies as written."),
    "ban": _l("No trucks enter or leave during the alert."),
    "allow_case": _l("This enterprise's trucks may enter and leave during the alert."),
    "stop": _l("The line stops production."), "curtail": _l("The line curtails production."),
    "max_load": _l("The line runs at its maximum allowed load."), "other": _l("Another measure, stated in the reason."),
    "penalty": _l("A penalty; production is not stopped."),
    "strictest_curtailment": _l("The line takes the strictest curtailment of the emergency list."),
    "strictest": _l("The strictest candidate applies."),
    "correct_immediately": _l("The enterprise corrects at once; production continues."),
    "stop_for_rectification": _l("The line stops until it is rectified."),
    "closure": _l("The enterprise is closed."),
    "no_reduction": _l("No reduction measures for this A-grade enterprise."),
    "emergency_list_measures": _l("The emergency-list measures apply."),
    "provincial_unified_measures": _l("The province's unified measures apply."),
    "provincial_grading": _l("The province's own grading applies."),
    "local_measures": _l("Local measures apply."),
    "sector_rule": _l("The sector rule applies."),
    "official_measure": _l("The measure the official states in the reason applies."),
    "official_choice": _l("The official's choice applies."),
    "official_exception": _l("The line is excepted; the reason records who decided and why."),
    "no_measure": _l("No measure for this line."),
    "capacity": _l("The percentage is read against capacity."), "output": _l("The percentage is read against output."),
    "electricity": _l("The percentage is read against electricity use."),
    "time": _l("The percentage is read against production time."),
    "not_stated": _l("The basis stays not stated."),
    "report_to_province": _l("The restriction is reported to the provincial traffic police."),
    "traffic_police_alone": _l("The city traffic police decide alone."),
    "pressed_only": _l("Only pressed-formed refractories are excluded."),
    "all_refractories": _l("All refractories are excluded."),
    "clean_energy_excluded": _l("The line counts as clean energy and does not stop."),
    "covered_stop": _l("The line is covered and stops in the heating season."),
    "not_covered": _l("The line is not covered and does not stop."),
    "ratios": _l("The ratios apply as set."),
    "per_line": _l("Each line is judged on its own."), "enterprise": _l("The whole enterprise is judged together."),
    "enforce": _l("The enterprise is treated as not implementing staggering."),
    "enter_ratio_from_filed_plan": _l("The ratio entered here, from the filed plan, applies."),
    "reject": _l("The re-split is refused; the ratios stay as set."),
    "full_emergency_list": _l("The full emergency-list measures apply."),
    "enter_reduced_measures": _l("The reduced measures stated in the reason apply."),
    "record_applicant": _l("The applicant named in the reason is recorded."),
    "filed_plan_figure": _l("The filed plan's figure applies."),
    "await_filing": _l("The project stays on the list until approval and filing are on record."),
    "enter_max_load": _l("The maximum load stated in the reason applies."),
    "verify": _l("The declaration is checked; the measure stays meanwhile."),
    "enter_value_and_basis": _l("The value and basis stated in the reason apply."),
    "A": _l("The line is treated as A grade."), "B": _l("The line is treated as B grade."),
    "C": _l("The line is treated as C grade."),
    "none": _l("No staggering for this enterprise."), "middle": _l("Staggering 20–30 %."),
    "low": _l("Staggering 50–60 %."),
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


def choice_effect(code) -> str:
    """What choosing `code` will do, in one sentence ('' for a choice without one)."""
    label = CHOICE_EFFECTS.get(str(code))
    return str(label) if label is not None else ""


codes.register("schedule.choice", CHOICES)
codes.register("schedule.choice_effect", CHOICE_EFFECTS)


def flag_title(flag) -> str:
    """A flag's short title in the reader's language (registry/policy/labels.py "engine.flag")."""
    from registry.policy.labels import flag_title as title

    return title(flag)


def flag_detail(flag) -> str:
    """A flag's one-line explanation, its parameters filled ("engine.flag_detail")."""
    from registry.policy.labels import flag_detail as detail

    return detail(flag)


FILTERS = {"schedule_application_kind": application_kind, "schedule_application_status": application_status,
           "schedule_version_status": version_status, "flag_choice": choice,
           "flag_choice_effect": choice_effect, "flag_title": flag_title, "flag_detail": flag_detail}
