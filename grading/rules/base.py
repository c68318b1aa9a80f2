"""Shared pieces of the rule modules: the evaluation context, a measure proposal, line matching.

A Context holds the pack, the date, the alert level, the enterprise's facts *without* its lines
(plus the cross-line aggregates the rules need) and the official decisions that concern the line:
exactly what the batch path groups by (DESIGN.md §3), so both paths call the same functions.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Iterable, Optional

from grading.decisions import AppliedDecision, Flag, Reason, Window
from grading.facts import EnterpriseFacts, LineFacts, OfficialDecision
from grading.notes import freeze, note_reason
from grading.packs import Pack
from grading.vocab import AlertLevel, Basis, EmissionStatus, Measure, PermitStatus, Sector


@dataclass(frozen=True)
class Aggregates:
    """Cross-line facts that line rules need (computed from all lines of the enterprise)."""

    any_line_non_compliant: bool = False
    # Ids of enterprise-level exemptions (pack `applies_to: enterprise`, e.g. 002:595 …的钢铁企业) that some line
    # of the enterprise fails, so no line is exempted (issue 14 point 3).
    blocked_exemptions: frozenset = frozenset()


@dataclass(frozen=True)
class Context:
    pack: Pack
    on: date
    alert_level: AlertLevel
    enterprise: EnterpriseFacts  # lines stripped, identity fields blanked
    aggregates: Aggregates
    decisions: tuple[OfficialDecision, ...] = ()  # only those for this line or the whole enterprise

    def decision(self, flag_code: str) -> Optional[OfficialDecision]:
        for d in self.decisions:
            if d.flag == flag_code:
                return d
        return None

    @property
    def in_heating_season(self) -> bool:
        return self.pack.in_heating_season(self.on)

    @property
    def alert(self) -> bool:
        return self.alert_level != AlertLevel.NONE


@dataclass(frozen=True)
class Proposal:
    """One rule's proposed measure for a line, with its reasons and flags."""

    measure: Measure
    percentage_min: Optional[float] = None
    percentage_max: Optional[float] = None
    basis: Optional[Basis] = None
    coking_time_hours: Optional[float] = None
    windows: tuple[Window, ...] = ()
    reasons: tuple[Reason, ...] = ()
    flags: tuple[Flag, ...] = ()
    applied: tuple[AppliedDecision, ...] = ()
    residual: tuple[Reason, ...] = ()

    def plus(self, reasons: Iterable[Reason] = (), flags: Iterable[Flag] = (), applied: Iterable[AppliedDecision] = (),
             residual: Iterable[Reason] = ()) -> "Proposal":
        return replace(self, reasons=self.reasons + tuple(reasons), flags=self.flags + tuple(flags),
                       applied=self.applied + tuple(applied), residual=self.residual + tuple(residual))


NO_MEASURE = Proposal(Measure.NONE)


def strictness(p: Proposal) -> tuple:
    """Stop > curtail (higher % stricter) > extend coking > max load > none."""
    pct = p.percentage_max if p.percentage_max is not None else p.percentage_min
    return (p.measure.rank, -1 if pct is None else pct if p.measure == Measure.CURTAIL else -(pct or 0))


def reason(node: dict, note: str = "", rule_key: str = "rule", source_key: str = "source") -> Reason:
    return Reason(str(node[rule_key]), str(node.get(source_key, "local setting")), note)


def coded(node: dict, code: str, /, **params: Any) -> Reason:
    """A Reason citing `node` whose note is a code with params (grading/notes.py), rendered in the reader's language
    by the registry (registry/policy/labels.py "engine.note"); its English `note` stays as before."""
    return note_reason(str(node["rule"]), str(node.get("source", "local setting")), code, **params)


def flag(code: str, node: dict, message: str, options: Iterable[str] = (), default: Optional[str] = None,
         **params: Any) -> Flag:
    """A flag; `params` fill its explanation on the pages (registry/policy/labels.py "engine.flag_detail")."""
    return Flag(code=code, rule=str(node["rule"]), source=str(node.get("source", "local setting")),
                message=message, options=tuple(options), default=default, params=freeze(params))


def applied(decision: OfficialDecision, node: dict) -> AppliedDecision:
    return AppliedDecision(flag=decision.flag, choice=decision.choice, by=decision.by, reason=decision.reason,
                           rule=str(node["rule"]), source=str(node.get("source", "local setting")))


def line_sector(ctx: Context, line: LineFacts) -> Sector:
    return line.sector or ctx.enterprise.sector


def matches(node: dict, ctx: Context, line: LineFacts) -> bool:
    """A pack entry's sectors / sub_types / kinds / fuels (lists are OR, keys are AND)."""
    if "sectors" in node and line_sector(ctx, line).value not in node["sectors"]:
        return False
    sub = line.sub_type if line.sub_type.value != "none" else ctx.enterprise.sub_type
    if "sub_types" in node and sub.value not in node["sub_types"]:
        return False
    if "kinds" in node and line.kind.value not in node["kinds"]:
        return False
    if "fuels" in node and line.fuel.value not in node["fuels"]:
        return False
    return True


def lawful_permit(ent: EnterpriseFacts) -> bool:
    return ent.permit_status in (PermitStatus.ISSUED, PermitStatus.RECTIFY_AFTER)


def stably_compliant(ctx: Context) -> bool:
    return ctx.enterprise.stably_compliant and not ctx.aggregates.any_line_non_compliant


def meets_permit_requirements(ctx: Context) -> bool:
    return ctx.enterprise.meets_permit_requirements and lawful_permit(ctx.enterprise)


def status_at_least(line: LineFacts, status: str, by: Optional[date] = None) -> bool:
    """Line reached `status` (or better), and by the deadline if one is given (e.g. 10月底前)."""
    if line.emission_status.rank < EmissionStatus(status).rank:
        return False
    if by is not None and (line.status_reached_on is None or line.status_reached_on > by):
        return False
    return True
