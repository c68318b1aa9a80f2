"""Triggers (F-01…F-16) that force a line into stop or into the staggering list (DOMAIN.md §2.9).

Which triggers a pack uses, from when, and with what consequence is pack data; the predicates
below are the only code, one per trigger kind.
"""
from __future__ import annotations

from typing import Callable

from grading.catalogue import TRIGGER_CONSEQUENCES
from grading.decisions import Reason
from grading.facts import LineFacts
from grading.rules.base import Context, Proposal, coded, flag, reason, status_at_least
from grading.vocab import Basis, Fuel, LineKind, LocationFlag, Measure, PermitStatus, ScatteredClass


def _unlisted_furnace(ctx: Context, line: LineFacts, t: dict) -> bool:
    # F-03 (001:69): from 2018-11-01 a furnace found off the management list joins the staggering plan
    return line.on_furnace_list is False and (line.found_unlisted_on is None or line.found_unlisted_on <= ctx.on)


def _coal_unit(ctx: Context, line: LineFacts, t: dict) -> bool:
    # F-06 (000:43-45): coal generating units not ultra-low; coal boilers not at special limits
    if line.kind == LineKind.GENERATING_UNIT and line.fuel == Fuel.COAL:
        return not status_at_least(line, "ultra_low")
    if line.kind == LineKind.BOILER and line.fuel in (Fuel.COAL, Fuel.BIOMASS):
        return not status_at_least(line, "special_limits")
    return False


PREDICATES: dict[str, Callable[[Context, LineFacts, dict], bool]] = {
    "fugitive_controls_not_done": lambda c, l, t: not c.enterprise.fugitive_controls_done,
    "voc_remediation_not_done": lambda c, l, t: not c.enterprise.voc_remediation_done,
    "coal_project_without_replacement": lambda c, l, t: c.enterprise.coal_project_without_replacement,
    "coal_unit_or_boiler_below_required_status": _coal_unit,
    "exceeds_standard": lambda c, l, t: l.emission_status.value == "non_compliant",
    "no_permit": lambda c, l, t: c.enterprise.permit_status == PermitStatus.NONE,
    "not_per_permit": lambda c, l, t: c.enterprise.permit_status != PermitStatus.NONE and not c.enterprise.meets_permit_requirements,
    "scattered_rectify": lambda c, l, t: c.enterprise.scattered_class != ScatteredClass.NONE,
    "unlisted_furnace": _unlisted_furnace,
    "furnace_non_compliant": lambda c, l, t: l.kind.value in t["kinds"] and l.emission_status.value == "non_compliant",
    "elevated_source_without_cems": lambda c, l, t: (l.stack_height_m or 0) > t["stack_height_m"] and (
        not l.has_cems or (l.cems_transmission_rate is not None and l.cems_transmission_rate < t["threshold"])),
    "cems_transmission_below": lambda c, l, t: l.has_cems and l.cems_transmission_rate is not None and l.cems_transmission_rate < t["threshold"],
    "key_area_exceeder": lambda c, l, t: LocationFlag.KEY_AREA in c.enterprise.location_flags and l.emission_status.value == "non_compliant",
    "relocation_overdue": lambda c, l, t: c.enterprise.relocation_overdue,
    "staggering_list_not_filed": lambda c, l, t: False,  # enterprise-level: see staggering_list_flags
}


# What a trigger may do to a line (trigger_proposals); the loader refuses a pack naming another (grading/catalogue.py).
CONSEQUENCES = TRIGGER_CONSEQUENCES


def fired(ctx: Context, line: LineFacts) -> list[dict]:
    out = []
    for t in ctx.pack.section("triggers", []):
        if "effective_from" in t and ctx.on < t["effective_from"]:
            continue
        if t.get("heating_season_only") and not ctx.in_heating_season:
            continue
        if PREDICATES[t["predicate"]](ctx, line, t):
            out.append(t)
    return out


def fired_any_season(ctx: Context, line: LineFacts) -> list[dict]:
    """The triggers that fire for the line, ignoring the heating-season restriction (to tell whether the season decides)."""
    return [t for t in ctx.pack.section("triggers", [])
            if not ("effective_from" in t and ctx.on < t["effective_from"]) and PREDICATES[t["predicate"]](ctx, line, t)]


def trigger_proposals(ctx: Context, line: LineFacts) -> list[Proposal]:
    out = []
    for t in fired(ctx, line):
        why = (reason(t), Reason(t["id"], t["source"]))
        c = t["consequence"]
        if c == "stop":
            note = f"stop {t['stop_days']} days, resume after rectification" if "stop_days" in t else "stop for rectification"
            out.append(Proposal(Measure.STOP, reasons=(reason(t, note), Reason(t["id"], t["source"]))))
        elif c == "staggering_plan":
            out.append(Proposal(Measure.CURTAIL, basis=Basis.NOT_STATED, reasons=why,
                                flags=(flag("ratio_in_filed_plan", t, "Immediately included in the staggering plan; the "
                                            "filed plan gives the measure.", ("enter_ratio_from_filed_plan",), None),)))
        elif c == "flag_correct_or_stop":
            out.append(Proposal(Measure.NONE, reasons=why, flags=(flag(
                "exceeds_limit_correct_or_stop", t, "Exceeds the limit: immediate penalty and immediate correction or "
                "stop for rectification (立行立改或停产整治); closure if still non-compliant.",
                ("correct_immediately", "stop_for_rectification", "closure"), None),)))
        elif c == "penalty_only":
            out.append(Proposal(Measure.NONE, reasons=(coded(t, "triggers.penalty"), Reason(t["id"], t["source"]))))
        elif c == "prosecute_abnormal_monitoring":
            out.append(Proposal(Measure.NONE, reasons=(coded(t, "triggers.monitoring_prosecuted"),
                                                       Reason(t["id"], t["source"]))))
        elif c == "flag_no_permit":
            out.append(Proposal(Measure.NONE, reasons=why, flags=(flag(
                "no_permit_consequence", t, "No discharge permit: this pack's source states no consequence.",
                ("stop", "penalty"), None),)))
    return out


def staggering_list_flags(ctx: Context) -> tuple:
    """F-15 / D-09 (001:101): list not filed by the deadline, or changed without filing = not implementing."""
    node = ctx.pack.section("staggering_list")
    if not node:
        return ()
    ent = ctx.enterprise
    late = ent.staggering_list_filed is False and ctx.on > node["filing"]["deadline"]
    if late or ent.staggering_list_changed_without_filing:
        return (flag("not_implementing_staggering", {"rule": "F-15", "source": node["change_control"]["source"]},
                     "Staggering list not filed with the city 工信委 + 环保局, or changed without filing: treated as not "
                     "implementing staggering (D-09).", ("enforce",), "enforce"),)
    return ()
