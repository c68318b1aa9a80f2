"""The engine's words in the reader's language (issue 16 item 1): flags, transport restrictions and their
exceptions, pack settings (local readings) and coded notes, registered in the one label registry
(registry/core/codes.py) so every page, notice, export and API `*_label` field names them the same way.

Vocabularies (call `codes.label(vocabulary, code, **params)`):
- "engine.flag": a flag's short title; "engine.flag_detail": its one-line explanation, the flag's `params` filled
  (grading/decisions.py Flag.params);
- "engine.transport": a transport restriction (`no_all_transport_vehicles_in_or_out`,
  `heating_season_minimum_standard` with `minimum="china_4"`); "engine.exception": its exception categories;
- "engine.setting": a pack setting's name; "engine.setting_reason": why the pack reads it so (the local reading,
  shown after "地方设定："); "engine.note": coded notes of reasons (`setting.reading`, `season.reading`).

Parameters that are codes themselves (pollutants, tiers, approval kinds, vehicle standards) are labelled here too,
so no code reaches the reader. tests/unit/test_engine_labels.py walks the engine and the packs: every code they can
emit has a label here, in Chinese for a zh reader.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registry.core import codes

_MISSING = "…"


def _list(vocabulary: str, values: Any) -> str:
    """Codes of one vocabulary as labels, joined in the reader's way."""
    if values is None:
        return _MISSING
    if isinstance(values, str):
        values = [values]
    sep = "、" if codes.is_zh() else ", "
    return sep.join(codes.label(vocabulary, v) for v in values) or _MISSING


def _num(value: Any) -> str:
    if value is None:
        return _MISSING
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# ---- flags: a short title, then a one-line explanation with the flag's params -------------------------------

FLAG_TITLES: dict[str, Any] = {
    "in_principle_stop": _l("Stops in the heating season, in principle"),
    "ratio_in_filed_plan": _l("Ratio from the filed staggering plan"),
    "open_list_building_materials": _l("Building materials: an open list"),
    "no_sector_rule_clean_energy_foundry": _l("Clean-energy foundry: no sector rule"),
    "open_list_clean_energy": _l("Clean energy: an open list"),
    "refractory_exclusion_scope": _l("Refractories: scope of the clean-energy exclusion"),
    "emergency_list_inclusion": _l("On the emergency reduction list or not"),
    "emergency_exemption": _l("Exemption from the emergency plan"),
    "restricted_category_measure": _l("Restricted category: raise the curtailment or stop"),
    "excluded_stop_or_strictest": _l("Not within grading: stop or strictest curtailment"),
    "gate_failed_no_outcome": _l("Tier conditions not met, no outcome stated"),
    "emergency_ratios_in_principle": _l("Reduction ratios set in principle"),
    "resplit_below_requirement": _l("SO₂/NOx re-split too low"),
    "resplit_not_allowed": _l("SO₂/NOx re-split not provided for"),
    "livelihood_project_incomplete": _l("Livelihood project: approvals incomplete"),
    "grade_a_no_reduction": _l("A grade: no reduction in principle"),
    "utilisation_raise": _l("High capacity utilisation: the curtailment may be raised"),
    "other_key_industry_measures": _l("Not one of the 15 graded industries"),
    "grade_c_measures_undefined": _l("C grade: measures not defined"),
    "grade_missing": _l("No performance grade on record"),
    "grade_b_reduction_size": _l("B grade: size of the reduced measures"),
    "approval_applicant_not_named": _l("Applicant for the approval not named"),
    "steel_allocation_from_filed_plan": _l("Steel curtailment allocated by the filed plan"),
    "curtailment_basis_not_stated": _l("Basis of the curtailment not stated"),
    "ultra_low_not_supported": _l("Declared ultra-low, concentrations too high"),
    "tier_mixed_attributes": _l("Attributes in different staggering tiers"),
    "tier_value_in_range": _l("Staggering ratio within a range"),
    "open_list_benchmark": _l("Benchmark test: an open list"),
    "exactly_fifteen_days": _l("Exactly 15 days of vehicle restriction"),
    "key_vehicle_user_designation": _l("Key vehicle-using enterprise: designation"),
    "transport_ban_in_principle": _l("No trucks during the alert, in principle"),
    "not_implementing_staggering": _l("Treated as not implementing staggering"),
    "exceeds_limit_correct_or_stop": _l("Exceeds the emission limit"),
    "no_permit_consequence": _l("No discharge permit"),
    "livelihood_no_load_rule": _l("Livelihood task: no load rule"),
    "livelihood_filing_missed": _l("Maximum load not filed in time"),
    "open_list_livelihood_task": _l("Livelihood tasks: an open list"),
    "open_list_livelihood_sector": _l("Livelihood sectors: an open list"),
    "benchmark_exemption": _l("Benchmark enterprise: exemption from curtailment"),
}

# exemption_<id> flags (grading/rules/exemptions.py, the pack's `exemptions[].id` with a force other than plain)
EXEMPTION_FLAG_PREFIX = "exemption_"


def _exemption_title(**p: Any) -> str:
    return _("Exemption applies in principle") if p.get("force") == "in_principle" else _("Exemption possible")


def _exemption_detail(**p: Any) -> str:
    if p.get("force") == "in_principle":
        return _("The line is exempted in principle (原则上); an official may decide otherwise.")
    return _("The line may be exempted (可); an official decides.")


FLAG_DETAILS: dict[str, Any] = {
    "in_principle_stop": _l("The source stops the line in the heating season in principle (原则上); livelihood needs "
                            "go to the city government for approval."),
    "ratio_in_filed_plan": _l("The source sets no staggering ratio: the district plan filed with the city industry and "
                              "environment bureaus gives it. Enter the filed ratio."),
    "open_list_building_materials": _l("The source's list of building-materials industries ends in 等 (open list): "
                                       "whether this sub-type stops in the heating season is for an official."),
    "no_sector_rule_clean_energy_foundry": _l("The source stops only coal- and coke-fired foundries and is silent on "
                                              "others; the emergency plan still applies."),
    "open_list_clean_energy": _l("The source's list of clean energies ends in 等 (open list): whether this fuel counts "
                                 "as clean energy is for an official."),
    "refractory_exclusion_scope": _l("Whether the clean-energy exclusion covers refractories that are not "
                                     "pressed-formed is unclear; the pack reads it as pressed-formed only."),
    "emergency_list_inclusion": _l("Special-limit and ultra-low retrofits are done: in principle not on the emergency "
                                   "reduction list, but other clauses require taking part in emergency control."),
    "emergency_exemption": _l("The line may be exempted from stop or curtailment in the emergency plan; an official "
                              "decides."),
    "restricted_category_measure": _l("A restricted-category enterprise raises its curtailment ratio or stops; an "
                                      "official chooses which."),
    "excluded_stop_or_strictest": _l("Not within performance grading: each production line stops or takes the "
                                     "strictest curtailment; an official chooses."),
    "gate_failed_no_outcome": lambda **p: _(
        "Does not meet the tier conditions (%(missing)s) but the source names no outcome; an official decides the "
        "measure.", missing=_list("engine.condition", p.get("missing"))),
    "emergency_ratios_in_principle": lambda **p: _(
        "The city's reduction ratios for %(pollutants)s are set in principle (原则上不低于); an official may decide "
        "otherwise, recording who and why.", pollutants=_list("Pollutant", p.get("pollutants"))),
    "resplit_below_requirement": lambda **p: _(
        "The SO₂ + NOx re-split sums to %(got)s %%, below the required %(need)s %%.", got=_num(p.get("got")),
        need=_num(p.get("need"))),
    "resplit_not_allowed": _l("The pack has no rule for re-splitting the reduction between SO₂ and NOx."),
    "livelihood_project_incomplete": lambda **p: _(
        "Leaving a livelihood project off the stop list needs city-government approval and filing with the provincial "
        "air office; missing: %(missing)s.", missing=_list("ApprovalKind", p.get("missing"))),
    "grade_a_no_reduction": _l("An A-grade enterprise may, in principle, take no reduction measures; an official may "
                               "decide otherwise."),
    "utilisation_raise": lambda **p: _(
        "2018 capacity utilisation %(utilisation)s %% is above %(above)s %%: the curtailment ratio may be raised; the "
        "source gives no increment.", utilisation=_num(p.get("utilisation")), above=_num(p.get("above"))),
    "other_key_industry_measures": _l("The province's unified measures or its own grading apply; non-key industries "
                                      "take local measures."),
    "grade_c_measures_undefined": _l("The sources do not define C-grade measures; meanwhile the full emergency-list "
                                     "measures of the enterprise's plan apply."),
    "grade_missing": _l("A graded industry, but no A/B/C grade is on record."),
    "grade_b_reduction_size": _l("A B-grade enterprise takes appropriately reduced measures; the sources give no "
                                 "figure, an official enters it."),
    "approval_applicant_not_named": _l("The sources do not say who applies for this approval or filing; record the "
                                       "applicant."),
    "steel_allocation_from_filed_plan": _l("The city allocates the steel curtailment across the listed lines and "
                                           "equipment; the filed plan's figure applies."),
    "curtailment_basis_not_stated": _l("The source does not say what the percentage is measured against (capacity, "
                                       "output, electricity or time); an official fixes it."),
    "ultra_low_not_supported": lambda **p: _(
        "Declared ultra-low, but the measured concentrations exceed the ultra-low limits (PM %(pm)s, SO₂ %(so2)s, "
        "NOx %(nox)s mg/m³); verify the declaration.", pm=_num(p.get("pm")), so2=_num(p.get("so2")),
        nox=_num(p.get("nox"))),
    "tier_mixed_attributes": lambda **p: _(
        "The enterprise's attributes fall in different tiers (%(tiers)s); an official decides the tier.",
        tiers=_list("StaggeringTier", p.get("tiers"))),
    "tier_value_in_range": lambda **p: _(
        "Staggering %(min)s–%(max)s %%: the source does not say who picks the value or what it is measured against; "
        "an official fixes both.", min=_num(p.get("min")), max=_num(p.get("max"))),
    "open_list_benchmark": _l("The sub-types and clean fuels of the benchmark test are open lists (等): whether this "
                              "one qualifies is for an official."),
    "exactly_fifteen_days": lambda **p: _(
        "Exactly 15 days is both \"within 15 days\" and \"15 days or more\"; the pack reads it as: %(reading)s.",
        reading=codes.label("schedule.choice", p.get("reading")) if p.get("reading") else _MISSING),
    "key_vehicle_user_designation": _l("Key vehicle-using enterprises are designated by screening or the "
                                       "staggered-transport plan; no designation is on record."),
    "transport_ban_in_principle": _l("In principle no trucks enter or leave during the alert; an official may allow "
                                     "a case."),
    "not_implementing_staggering": _l("The staggering list was not filed with the city industry and environment "
                                      "bureaus, or was changed without filing: treated as not implementing staggering."),
    "exceeds_limit_correct_or_stop": _l("Exceeding the limit: an immediate penalty and immediate correction or a stop "
                                        "for rectification; closure if still not compliant."),
    "no_permit_consequence": _l("No discharge permit: this pack's source states no consequence."),
    "livelihood_no_load_rule": _l("A livelihood task: basic needs must be met, but the source sets no load or filing "
                                  "rule; an official fixes the load."),
    "livelihood_filing_missed": lambda **p: _(
        "The maximum allowed load was not filed with the city government by %(deadline)s; the source states no "
        "consequence. Meanwhile the sector rule applies.", deadline=_num(p.get("deadline"))),
    "open_list_livelihood_task": _l("The source's livelihood tasks end in 等 (open list): whether this task counts is "
                                    "for an official."),
    "open_list_livelihood_sector": _l("The source's sectors end in 等 (open list): whether this sector's livelihood "
                                      "load rule applies is for an official."),
    "benchmark_exemption": _l("A benchmark enterprise may be exempted from curtailment; an official decides."),
}

# R-E-01/02 gate conditions (grading.rules.eligibility.CONDITIONS)
CONDITIONS = {
    "stably_compliant": _l("stably meets the emission standards"),
    "meets_permit_requirements": _l("meets the discharge-permit requirements"),
    "autumn_winter_tasks_completed": _l("autumn–winter treatment tasks completed"),
    "lawful_permit": _l("holds a lawful discharge permit"),
    "cems_data_valid": _l("online monitoring data valid"),
    "conforms_to_industrial_policy": _l("conforms to the industrial policy"),
}


# ---- transport restrictions and their exception categories ----------------------------------------------------

def _minimum(p: Mapping[str, Any]) -> str:
    return codes.label("VehicleStandard", p.get("minimum")) if p.get("minimum") else _MISSING


TRANSPORT: dict[str, Any] = {
    "heating_season_minimum_standard": lambda **p: _(
        "In the heating season all transport vehicles meet %(minimum)s or better", minimum=_minimum(p)),
    "no_all_transport_vehicles_in_or_out": _l("No transport vehicles enter or leave during the alert"),
    "no_heavy_goods_vehicles_in_or_out": _l("No heavy goods vehicles enter or leave during the alert"),
    "no_diesel_trucks_in_or_out": _l("No diesel trucks enter or leave during the alert"),
}

EXCEPTIONS = {
    "bulk_materials": _l("bulk materials transport"),
    "safe_production": _l("keeping production safe"),
    "livelihood_goods": _l("livelihood goods"),
    "special_demand": _l("products in special demand"),
    "port_service": _l("port collection and distribution of foreign trade goods and passengers"),
    "other": _l("other"),
}


def transport_text(restriction: Mapping[str, Any] | Any) -> str:
    """A TransportRestriction (or its JSON dict) in words: the restriction, its minimum standard, its exceptions."""
    get = restriction.get if isinstance(restriction, Mapping) else lambda k, d=None: getattr(restriction, k, d)
    code = get("restriction")
    text = codes.label("engine.transport", code, minimum=get("minimum_standard"))
    exceptions = list(get("exceptions") or ())
    if exceptions:
        text += _("; except: %(exceptions)s", exceptions=_list("engine.exception", exceptions))
    if get("minimum_standard") and code != "heating_season_minimum_standard":
        text += _(" (excepted vehicles meet %(minimum)s or better)",
                  minimum=codes.label("VehicleStandard", get("minimum_standard")))
    if get("in_principle"):
        text += _(" (in principle)")
    return text


# ---- pack settings: the local readings a decision cites ------------------------------------------------------

SETTINGS = {
    "coking_extension_reading": _l("Reading of the extended coking time"),
    "refractory_clean_energy_scope": _l("Refractories covered by the clean-energy exclusion"),
    "replacement_window": _l("Window of the replacement curtailments"),
    "emergency_list_retrofit": _l("Retrofit that takes a line off the emergency list"),
    "exactly_fifteen_days": _l("Reading of exactly 15 days"),
    "steel_basis": _l("Basis of the steel curtailment"),
    "grade_approval": _l("Who approves a grade"),
    "coking_normal_cycle_hours": _l("Normal coking cycle (hours)"),
    "sector_exclusion_level": _l("Level of the heating-season exclusions"),
    "exception_standard_scope": _l("Scope of the exception vehicles' emission standard"),
    "response_level_mapping": _l("Alert levels and response levels"),
    "steel_allocation": _l("Allocation of the steel curtailment"),
    "alert_period_levels": _l("Alert levels of \"during a heavy-pollution alert\""),
    "emergency_exemption_scope": _l("Scope of the emergency exemptions"),
    "foundry_alert_precedence": _l("Foundries: sector rule or alert rule first"),
    "percent_of_limit_pollutants": _l("Pollutants of the percent-of-limit test"),
    "county_rate_reading": _l("Whose transmission rate lists a county"),
    "several_exceeding_enterprises": _l("How many enterprises are \"several\""),
    "approval_applicant": _l("Who applies for approvals"),
    "tier_basis": _l("Basis of the staggering tiers"),
    "tier_mixed_attributes": _l("Tier of an enterprise with mixed attributes"),
    "ratio_pollutants": _l("Pollutants of the reduction ratios"),
    # heavy-pollution alerts (the alerts branch's pack settings, R-W-02/03/06, plan deadlines)
    "alert_lift_hours": _l("Hours of improvement before an alert is lifted"),
    "alert_advance_notice_hours": _l("Advance notice of an alert (hours)"),
    "plan_filing_deadline": _l("Deadline for filing the emergency plans"),
}

# Why each pack reads a setting so (the pack's `why`, in the reader's language).
SETTING_REASONS = {
    "coking_extension_reading": _l("\"Extend the coking time by 36 hours or more\" is read as extending it to 36 hours "
                                   "or more."),
    "refractory_clean_energy_scope": _l("The clean-energy exclusion is read as covering pressed-formed refractories "
                                        "only."),
    "replacement_window": _l("The source gives no window for the carbon and non-ferrous replacement curtailments; "
                             "they apply in the heating season."),
    "emergency_list_retrofit": _l("\"Special limits and ultra-low retrofits done\" is read as the retrofit applicable "
                                  "to the sector."),
    "exactly_fifteen_days": _l("\"Within 15 days\" and \"15 days or more\" both include 15; the safer reading reports "
                               "it to the province."),
    "steel_basis": _l("\"Curtail 30 percent or more\" names no basis; the decision says not stated and asks an official."),
    "grade_approval": _l("No source says who approves a grade; set in the registry."),
    "coking_normal_cycle_hours": _l("Not from the sources: the source names the extended coking time but not the "
                                    "normal cycle."),
    "sector_exclusion_level": _l("The heating-season exclusions name enterprises or processes; they are read per "
                                 "production line."),
    "exception_standard_scope": _l("\"China V or better\" is read as qualifying all exception categories (the safer "
                                   "reading)."),
    "response_level_mapping": _l("Not from the sources: the ratios are stated for response levels III/II/I; yellow, "
                                 "orange and red are mapped to them as national practice does."),
    "steel_allocation": _l("The 50 percent of steel capacity is read per enterprise."),
    "alert_period_levels": _l("\"During a heavy-pollution alert\" names no level; read as every alert level."),
    "emergency_exemption_scope": _l("The exemptions sit in the emergency-plan clause; they relieve only the emergency "
                                    "stop or curtailment."),
    "foundry_alert_precedence": _l("Two clauses conflict for electric and gas foundries; the more specific sector "
                                   "rule applies."),
    "percent_of_limit_pollutants": _l("\"Stably at or below 30 percent of the limit\" names no pollutant; every measured "
                                      "pollutant must meet it."),
    "county_rate_reading": _l("The source does not say whose rate; the stricter reading lists a county as soon as one "
                              "enterprise is below it."),
    "several_exceeding_enterprises": _l("Not from the sources: \"several enterprises exceeding\" names no number; read "
                                        "as two or more."),
    "approval_applicant": _l("The sources do not name who applies for city-government approvals and filings."),
    "tier_basis": _l("The source does not say what the staggering percentage is measured against; decisions say not "
                     "stated and ask an official."),
    "tier_mixed_attributes": _l("An enterprise whose attributes fall in different tiers gets the strictest candidate "
                                "tier, and an official is asked."),
    "ratio_pollutants": _l("\"Pollutant reduction ratios\" names no pollutants; read as SO₂, NOx and PM, VOCs "
                           "separately."),
    "alert_lift_hours": _l("An alert may be lifted when air quality is expected to stay at light pollution or better for "
                           "this many hours; the same gap decides whether two alerts are one episode."),
    "alert_advance_notice_hours": _l("The alert is published one to two days before it starts."),
    "plan_filing_deadline": _l("The emergency plans (one plant, one policy), with each enterprise's measures, are due by "
                               "this day of the season's year."),
}


def setting_value(name: str, value: Any) -> str:
    """A setting's value in words: choice codes and vocabulary codes as labels, lists joined, numbers as they are."""
    if isinstance(value, Mapping):
        return "; ".join(f"{setting_value(name, k)} → {setting_value(name, v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ("、" if codes.is_zh() else ", ").join(setting_value(name, v) for v in value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return _num(value)
    for vocabulary in ("AlertLevel", "Pollutant", "Basis", "schedule.choice", "engine.setting_value"):
        if codes.known(vocabulary, value):
            return codes.label(vocabulary, value)
    return str(value)


BASELINE_CLASSES = {  # the pack's emergency.baseline_days keys (002:582)
    "industrial": _l("industrial sources"), "heating_boiler": _l("heating boilers"),
    "residential_coal": _l("residential coal"), "mobile": _l("mobile sources"), "dust": _l("dust sources"),
}

VERIFICATIONS = {  # sector_measures[].verification.method
    "electricity": _l("electricity use"),
}

SETTING_VALUES = {
    "not_in_sources": _l("not in the sources"),
    "not_named": _l("not named"),
    "III": "Ⅲ", "II": "Ⅱ", "I": "Ⅰ",
    "any_enterprise": _l("any one enterprise below the rate"),
    "county_mean": _l("the county's mean rate"),
}


def setting_text(name: str, value: Any = None) -> str:
    """'地方设定：<setting>: <value> — <why>' in the reader's language (a local reading, not the sources' words)."""
    reason = codes.label("engine.setting_reason", name, default="")
    text = _("Local setting: %(setting)s: %(value)s", setting=codes.label("engine.setting", name),
             value=setting_value(name, value))
    return f"{text}{'。' if codes.is_zh() else '. '}{reason}" if reason else text


def _enterprise_scope(p: Mapping[str, Any]) -> str:
    return _("; the clause names enterprises: decided on all the enterprise's lines concerned") if p.get("enterprise") else ""


NOTES = {
    "alert.level": lambda **p: _("%(level)s in force", level=codes.label("AlertLevel", p.get("level"))),
    "emergency.ratios": _l("Reduction ratios (at least) of the society-wide emissions"),
    "emergency.ratios_in_principle": lambda **p: _(
        "In principle for %(pollutants)s: an official may decide otherwise",
        pollutants=_list("Pollutant", p.get("pollutants"))),
    "emergency.response_level": lambda **p: _(
        "%(level)s corresponds to the level %(response)s emergency response (local setting)",
        level=codes.label("AlertLevel", p.get("level")), response=setting_value("", p.get("response"))),
    "emergency.resplit_accepted": lambda **p: _(
        "Re-split accepted: SO₂ %(so2)s %% + NOx %(nox)s %% is at least %(need)s %%", so2=_num(p.get("so2")),
        nox=_num(p.get("nox")), need=_num(p.get("need"))),
    "emergency.resplit_rejected": lambda **p: _(
        "Re-split refused: the sum %(got)s %% is below %(need)s %%", got=_num(p.get("got")), need=_num(p.get("need"))),
    "emergency.baseline": lambda **p: _(
        "Annual base: daily emissions × %(days)s days (%(kind)s)", days=_num(p.get("days")),
        kind=codes.label("engine.baseline_class", p.get("baseline_class"))),
    "emergency_list.retrofit_incomplete": _l("Not every line has completed the retrofit that takes it off the list"),
    "emergency_list.residual": _l("Remaining obligation: take part in emergency control"),
    "exemption.status_reached": lambda **p: _(
        "%(status)s reached by %(deadline)s", status=codes.label("EmissionStatus", p.get("status")),
        deadline=_num(p.get("deadline"))) + _enterprise_scope(p),
    "exemption.window_closed": _l("Condition met, but the exemption window is not open"),
    "exemption.blocked": _l("The clause names enterprises: not every line of the enterprise concerned meets the "
                            "condition, so no line is exempted"),
    "exemption.may_be_exempt": lambda **p: str(_l("May be exempted from stop or curtailment")) + _enterprise_scope(p),
    "exemption.overridden": _l("Overridden by the pack's order of precedence"),
    "livelihood_project.missing": lambda **p: _(
        "Not yet: missing %(missing)s", missing=_list("ApprovalKind", p.get("missing"))),
    "livelihood_project.on_record": _l("May be left off the stop and curtailment list: approval and filing on record"),
    "heating.verified_by": lambda **p: _(
        "Verified by %(method)s", method=codes.label("engine.verification", p.get("method"))),
    "heating.excluded": _l("Excluded from the heating-season measure"),
    "heating.clean_energy": _l("Excluded as clean energy"),
    "grade.graded_industry": lambda **p: _(
        "%(sector)s is one of the 15 graded industries", sector=codes.label("Sector", p.get("sector"))),
    "grade.ultra_low_incentive": _l("Ultra-low emission: differentiated emergency measures once the evaluation "
                                    "confirms it"),
    "grade.no_grade": _l("No grade on record"),
    "eligibility.fails": lambda **p: _(
        "Does not meet: %(conditions)s", conditions=_list("engine.condition", p.get("conditions"))),
    "eligibility.gate_not_passed": lambda **p: _(
        "Tier conditions not met: %(conditions)s", conditions=_list("engine.condition", p.get("conditions"))),
    "eligibility.fails_gate": _l("The enterprise does not meet the grading conditions"),
    "eligibility.permit_met": _l("Permit held and its requirements met"),
    "transport.key_vehicle_user": _l("Key vehicle-using enterprise"),
    "transport.declared_key_vehicle_user": _l("Declared a key vehicle-using enterprise: in scope whatever its fleet"),
    "transport.city_logistics": _l("City logistics-distribution enterprise, named by the ban"),
    "triggers.penalty": _l("Penalty; no stop stated"),
    "triggers.monitoring_prosecuted": _l("Prosecuted as abnormal operation of monitoring facilities"),
    "livelihood.not_filed": lambda **p: _("Maximum load not filed by %(deadline)s", deadline=_num(p.get("deadline"))),
    "livelihood.filed": lambda **p: _(
        "Maximum allowed load %(load)s %% filed on %(filed_on)s", load=_num(p.get("load")),
        filed_on=_num(p.get("filed_on"))),
    "tiers.official_decision": lambda **p: _(
        "Decided by the official %(by)s: %(reason)s", by=p.get("by", _MISSING), reason=p.get("reason", _MISSING)),
    "tiers.adjustable": _l("The period may be shortened or extended"),
    "tiers.benchmark": _l("Environmental benchmark enterprise: may be exempted from curtailment"),
    "setting.reading": lambda **p: setting_text(p.get("setting", ""), p.get("value")),
    "season.reading": lambda **p: _(
        "Local setting: heating season %(start)s to %(end)s, end excluded (not from the sources); %(on)s is "
        "%(where)s it.",
        start=p.get("start", _MISSING), end=p.get("end", _MISSING), on=p.get("on", _MISSING),
        where=_("inside") if p.get("inside") else _("outside")),
}


def note_text(reason: Mapping[str, Any] | Any) -> str:
    """A reason's note in the reader's language when it carries a code this module labels, else ''."""
    get = reason.get if isinstance(reason, Mapping) else lambda k, d=None: getattr(reason, k, d)
    code = get("code")
    if not code or not codes.known("engine.note", code):
        return ""
    params = get("params") or {}
    return codes.label("engine.note", code, **(dict(params) if not isinstance(params, Mapping) else params))


# ---- flags as a whole ----------------------------------------------------------------------------------------

def _params(flag: Mapping[str, Any] | Any) -> dict[str, Any]:
    params = flag.get("params") if isinstance(flag, Mapping) else getattr(flag, "params", ())
    return dict(params or {}) if not isinstance(params, Mapping) else dict(params)


def _code(flag: Mapping[str, Any] | Any) -> str:
    return str(flag.get("code") if isinstance(flag, Mapping) else getattr(flag, "code", ""))


def flag_title(flag: Mapping[str, Any] | Any) -> str:
    code = _code(flag)
    if code.startswith(EXEMPTION_FLAG_PREFIX) and not codes.known("engine.flag", code):
        return _exemption_title(**_params(flag))
    return codes.label("engine.flag", code, default=_("A point for an official to decide"), **_params(flag))


def flag_detail(flag: Mapping[str, Any] | Any) -> str:
    code = _code(flag)
    if code.startswith(EXEMPTION_FLAG_PREFIX) and not codes.known("engine.flag_detail", code):
        return _exemption_detail(**_params(flag))
    return codes.label("engine.flag_detail", code, default="", **_params(flag))


def flag_known(code: str) -> bool:
    return codes.known("engine.flag", code) or str(code).startswith(EXEMPTION_FLAG_PREFIX)


def _exemption_flags() -> tuple[dict[str, Any], dict[str, Any]]:
    """exemption_<id> for every pack exemption that an official may decide (force other than plain), so
    `codes.label("engine.flag", "exemption_X-07")` answers too (params: force)."""
    from grading.packs import load_packs

    codes_ = {f"{EXEMPTION_FLAG_PREFIX}{ex['id']}" for pack in load_packs().values()
              for ex in pack.section("exemptions") or [] if ex.get("force", "plain") != "plain"}
    return ({c: _exemption_title for c in sorted(codes_)}, {c: _exemption_detail for c in sorted(codes_)})


def register() -> None:
    titles, details = _exemption_flags()
    codes.register("engine.flag", {**titles, **FLAG_TITLES})
    codes.register("engine.flag_detail", {**details, **FLAG_DETAILS})
    codes.register("engine.condition", CONDITIONS)
    codes.register("engine.transport", TRANSPORT)
    codes.register("engine.exception", EXCEPTIONS)
    codes.register("engine.setting", SETTINGS)
    codes.register("engine.setting_reason", SETTING_REASONS)
    codes.register("engine.setting_value", SETTING_VALUES)
    codes.register("engine.note", NOTES)
    codes.register("engine.baseline_class", BASELINE_CLASSES)
    codes.register("engine.verification", VERIFICATIONS)


def vocabulary_codes() -> Iterable[str]:
    return ("engine.flag", "engine.flag_detail", "engine.condition", "engine.transport", "engine.exception",
            "engine.setting", "engine.setting_reason", "engine.setting_value", "engine.note", "engine.baseline_class",
            "engine.verification")


register()
