"""Eligibility gate (纳入绩效分级/差异化错峰的前提): who may be graded or tiered, and what the excluded get.

R-E-01 (003:52) stop or strictest curtailment per line; R-E-02 (004:389) full shutdown; R-E-03 (001:99)
stop for rectification; R-E-04 (001:99) restricted-category enterprises: higher ratio or stop.
"""
from __future__ import annotations

from typing import Optional

from grading.facts import LineFacts
from grading.notes import note_reason
from grading.rules.base import (
    Context,
    Proposal,
    applied,
    coded,
    flag,
    lawful_permit,
    meets_permit_requirements,
    reason,
    stably_compliant,
)
from grading.vocab import Basis, Measure

CONDITIONS = {
    "stably_compliant": stably_compliant,
    "meets_permit_requirements": meets_permit_requirements,
    "autumn_winter_tasks_completed": lambda ctx: ctx.enterprise.autumn_winter_tasks_completed,
    "lawful_permit": lambda ctx: lawful_permit(ctx.enterprise),
    "cems_data_valid": lambda ctx: ctx.enterprise.cems_data_valid,
    "conforms_to_industrial_policy": lambda ctx: ctx.enterprise.conforms_to_industrial_policy,
}


def failed_conditions(ctx: Context) -> list[str]:
    """Gate conditions (with an outcome) the enterprise fails; empty when it passes or the pack has no gate."""
    gate = ctx.pack.section("eligibility")
    if not gate:
        return []
    return [c for c in gate["requires"]["value"] if not CONDITIONS[c](ctx)]


def failed_without_outcome(ctx: Context) -> list[str]:
    gate = ctx.pack.section("eligibility") or {}
    node = gate.get("gate_without_outcome")
    return [c for c in node["value"] if not CONDITIONS[c](ctx)] if node else []


def gate_reasons(ctx: Context) -> tuple:
    """Enterprise-level: which gate conditions fail, cited (shown once in the summary, not on every line)."""
    gate = ctx.pack.section("eligibility")
    if not gate:
        return ()
    out = []
    failed = failed_conditions(ctx)
    if failed:
        out.append(coded(gate["requires"], "eligibility.fails", conditions=list(failed)))
        if "meets_permit_requirements" in failed:  # R-P-05: a lawful permit met in full is a precondition
            out.append(note_reason("R-P-05", gate["requires"]["source"], "eligibility.permit_met"))
    missing = failed_without_outcome(ctx)
    if missing:
        out.append(coded(gate["gate_without_outcome"], "eligibility.gate_not_passed", conditions=list(missing)))
    return tuple(out)


def is_eligible(ctx: Context) -> bool:
    return not failed_conditions(ctx) and not failed_without_outcome(ctx)


def _in_scope(ctx: Context, gate: dict) -> bool:
    """When the gate's outcome applies: the staggering period (001:99, 004:389) or alert days (003:52)."""
    scope = gate["scope"]["value"]
    return (scope == "always" or (scope == "heating_season" and ctx.in_heating_season)
            or (scope == "alerts" and ctx.alert))


def excluded_line_measure(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    """The measure for a line of an enterprise outside the gate (以生产线计), or None if it passes."""
    gate = ctx.pack.section("eligibility")
    if not gate or not _in_scope(ctx, gate):
        return None
    failed = failed_conditions(ctx)
    if failed:
        outcome = gate["outcome"]
        why = coded(gate["requires"], "eligibility.fails_gate")
        f14 = {"rule": "F-14", "source": outcome["source"], "note": outcome.get("note", "")}
        if outcome["value"] == "stop_or_strictest":  # R-E-01: official chooses per line
            fl = flag("excluded_stop_or_strictest", outcome,
                      "Not graded (R-E-01): shutdown or strictest-level curtailment, per production line; an official chooses.",
                      ("stop", "strictest_curtailment"), "stop")
            d = ctx.decision(fl.code)
            if d and d.choice == "strictest_curtailment":
                return Proposal(Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=(why, reason(outcome, outcome.get("note", "")), reason(f14)),
                                applied=(applied(d, outcome),))
            if d:
                return Proposal(Measure.STOP, reasons=(why, reason(outcome, outcome.get("note", "")), reason(f14)), applied=(applied(d, outcome),))
            return Proposal(Measure.STOP, reasons=(why, reason(outcome, outcome.get("note", "")), reason(f14)), flags=(fl,))
        return Proposal(Measure.STOP, reasons=(why, reason(outcome, outcome.get("note", "")), reason(f14)))
    missing = failed_without_outcome(ctx)
    if missing:  # R-E-02: not eligible for a tier, but 004 names no outcome (T-34)
        node = gate["gate_without_outcome"]
        return Proposal(Measure.NONE, reasons=(coded(node, "eligibility.gate_not_passed", conditions=list(missing)),),
                        flags=(flag("gate_failed_no_outcome", node,
                                    "Fails the tier gate (" + ", ".join(missing) + ") but the source names no outcome; "
                                    "not eligible for a tier; an official decides the measure.",
                                    ("stop", "curtail", "other"), None, missing=list(missing)),))
    return None


def restricted_category_measure(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    """R-E-04 (001:99): 限制类 enterprises get a raised curtailment ratio or shutdown (official's choice)."""
    node = (ctx.pack.section("eligibility") or {}).get("restricted_category")
    if not node or not ctx.enterprise.restricted_category:
        return None
    fl = flag("restricted_category_measure", node,
              "Restricted category (限制类): raise the curtailment ratio or stop (提高限产比例或实施停产); an official chooses.",
              node["options"], node["default"])
    d = ctx.decision(fl.code)
    choice = d.choice if d else node["default"]
    measure = Measure.STOP if choice == "stop" else Measure.CURTAIL
    p = Proposal(measure, basis=None if measure == Measure.STOP else Basis.NOT_STATED, reasons=(reason(node),))
    return p.plus(applied=(applied(d, node),)) if d else p.plus(flags=(fl,))
