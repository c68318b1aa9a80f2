"""The engine's notes as codes with parameters (issue 15 item 1): the vocabulary of what a Reason says.

A Reason (grading/decisions.py) and an indicator result (grading/rules/grade.py) carry `code` + `params`; `note`
stays the English rendering for the JSON contract and the logs. The registry's pages render code + params in the
reader's language (registry/grades/labels.py: NOTE_LABELS, one label per code here; a unit test keeps them in step).
Only the notes listed here carry a code; the others are English sentences as before.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from grading.decisions import Reason

# code → the English rendering of its params (exactly the sentences the engine wrote before the codes).
NOTES: dict[str, Callable[..., str]] = {
    # grading.rules.grade: indicator results (003:51)
    "grade.no_answer": lambda: "no answer",
    "grade.below_b": lambda value: f"does not meet B ({value!r})",
    "grade.meets": lambda grade, value: f"meets {grade} ({value!r})",
    # R-G-09 / R-G-10 (003:17), fraud in the ultra-low evaluation
    "grade.fraud_to_c": lambda: "fraud in the ultra-low evaluation: emergency grade lowered to C",
    "grade.preferences_cancelled":
        lambda: "preferential policies cancelled: no differentiated emergency measures for ultra-low emission",
    # R-G-02 with the local setting GRADE_VIOLATION_DOWNGRADE (registry/grades/settings.py)
    "grade.violation_downgrade": lambda rule: f"violation: downgrade rule {rule}",
    # R-G-02 (003:51)
    "grade.short_board": lambda: ("short-board principle: each industry takes its worst indicator; "
                                  "a multi-industry enterprise takes its worst industry"),
    # R-E-01 (003:52): the conditions an enterprise fails (grading.rules.grade.EXCLUSION_CONDITIONS keys)
    "grade.excluded": lambda conditions: ("not within grading: fails " + ", ".join(conditions)
                                          + "; shutdown or the strictest curtailment per production line"),
    # R-V-05 (000:71): why a county is listed for supervision (grading.rules.supervision)
    "supervision.low_transmission":
        lambda min_rate, reading, mean: f"effective transmission below {min_rate} % ({reading}: mean {mean})",
    "supervision.exceeding": lambda count, several: f"{count} enterprises exceeding (≥{several})",
    # the listing's two declared readings (pack settings), cited on every row
    "supervision.reading": lambda setting, value: f"local reading (pack setting {setting}={value!r})",
    # issue 16 item 1: the rules' other notes (grading/rules/*, grading/engine.py), English exactly as before
    "setting.reading": lambda setting, value: f"local reading (pack setting {setting}={value!r})",
    "season.reading": lambda start, end, on, inside: (f"local reading (heating season {start}..{end}, not from the "
                                                      f"sources): {on} is {'inside' if inside else 'outside'} it"),
    "alert.level": lambda level: f"{level} alert",
    "emergency.ratios": lambda: "reduction ratios (≥) of society-wide emissions (全社会排放总量)",
    "emergency.ratios_in_principle":
        lambda pollutants: "in principle (原则上) for " + ", ".join(pollutants) + ": an official may decide otherwise",
    "emergency.response_level": lambda level, response: f"{level} = response level {response}",
    "emergency.resplit_accepted": lambda so2, nox, need: f"re-split accepted: SO₂ {so2} % + NOx {nox} % ≥ {need} %",
    "emergency.resplit_rejected": lambda got, need: f"re-split rejected: sum {got} % < {need} %",
    "emergency.baseline":
        lambda baseline_class, days: f"{baseline_class}: daily × {days} days (one-plant-one-policy baseline, R-JY-13)",
    "emergency_list.retrofit_incomplete": lambda: "not every line has completed the retrofit that takes it off the list",
    "emergency_list.residual": lambda: "residual obligation: take part in emergency control",
    "exemption.status_reached": lambda status, deadline, enterprise: (
        f"{status} reached by {deadline}" + ("; " + ENTERPRISE_NOTE + ": every one meets it" if enterprise else "")),
    "exemption.window_closed": lambda: "condition met but the exemption window is not open",
    "exemption.blocked": lambda exemption: (f"{exemption}: {ENTERPRISE_NOTE}; not every line of the enterprise "
                                            "concerned meets the condition, so no line is exempted"),
    "exemption.may_be_exempt": lambda exemption, enterprise: (
        f"{exemption}: may be exempt from stop/curtail (可免于停限产)"
        + ("; " + ENTERPRISE_NOTE + ": every one meets it" if enterprise else "")),
    "exemption.overridden": lambda: "overridden by pack precedence",
    "livelihood_project.missing": lambda missing: "not yet: missing " + ", ".join(missing),
    "livelihood_project.on_record": lambda: "may be left off the stop/curtail list: approval and filing on record",
    "heating.verified_by": lambda method: "verified by " + method,
    "heating.excluded": lambda measure: "excluded from the heating-season measure of " + measure,
    "heating.clean_energy": lambda: "excluded as clean energy",
    "grade.graded_industry": lambda sector: f"{sector} is one of the 15 graded industries",
    "grade.ultra_low_incentive": lambda: "ultra-low: differentiated emergency measures once evaluation confirms it",
    "grade.no_grade": lambda: "no grade on record",
    "eligibility.fails": lambda conditions: "fails: " + ", ".join(conditions),
    "eligibility.gate_not_passed": lambda conditions: "gate not passed: " + ", ".join(conditions),
    "eligibility.fails_gate": lambda: "the enterprise fails the gate (which conditions: summary.eligibility_reasons)",
    "eligibility.permit_met": lambda: "permit held and permit requirements met",
    "transport.key_vehicle_user": lambda: "key vehicle-using enterprise (重点用车企业)",
    "transport.declared_key_vehicle_user":
        lambda: "declared key vehicle-using enterprise (重点用车企业): in scope whatever its fleet count",
    "transport.city_logistics": lambda: "city logistics-distribution enterprise (城市物流配送企业), named by the ban",
    "triggers.penalty": lambda: "penalty (予以处罚); no stop stated",
    "triggers.monitoring_prosecuted": lambda: "prosecuted as abnormal operation of monitoring facilities",
    "livelihood.not_filed": lambda deadline: f"max load not filed by {deadline}",
    "livelihood.filed": lambda load, filed_on: f"max allowed load {load} % filed {filed_on}",
    "tiers.official_decision": lambda by, reason: f"official decision by {by}: {reason}",
    "tiers.adjustable": lambda: "period may be shortened or extended",
    "tiers.benchmark": lambda: "环保标杆企业: may be exempted from curtailment",
}

# grading.rules.exemptions.ENTERPRISE_NOTE (kept here so the notes need no rule module)
ENTERPRISE_NOTE = ("the clause exempts enterprises (…企业), not lines: decided on all of the enterprise's lines "
                   "concerned")


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def render(code: str, params: Mapping[str, Any]) -> str:
    """The English sentence of a note code (KeyError for a code not listed: the engine emits listed codes only)."""
    return NOTES[code](**dict(params))


def freeze(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Params as sorted (name, value) pairs, lists as tuples: a Reason stays hashable."""
    return tuple(sorted((k, _frozen(v)) for k, v in params.items()))


def note_parts(code: str, /, **params: Any) -> tuple[str, str, tuple[tuple[str, Any], ...]]:
    """(note, code, params) of a code: the last three fields of an indicator result."""
    return render(code, params), code, freeze(params)


def note_reason(rule: str, source: str, code: str, /, **params: Any) -> Reason:
    """A Reason whose note is a code with params (its English rendering kept as `note`)."""
    return Reason(rule, source, *note_parts(code, **params))
