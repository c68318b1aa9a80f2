"""Exemptions (豁免 / 免于停限产 / 可不予限产): X-01…X-19 with windows, deadlines, replacements, residual duties.

Force matters (DOMAIN.md §2.7): `plain` applies; `in_principle` (原则上) applies by default and is flagged;
`may` (可) only makes the line *eligible* - it applies once an official's recorded decision says so.
"""
from __future__ import annotations

from typing import Optional

from grading.decisions import Reason, Window
from grading.facts import LineFacts
from grading.rules.base import Context, Proposal, applied, flag, matches, reason, status_at_least
from grading.vocab import Basis, Measure, Pollutant

EXEMPT, NOT_EXEMPT = "exempt", "not_exempt"


def _windows(ctx: Context, ex: dict) -> tuple[tuple[Window, ...], Optional[Reason]]:
    if "windows" in ex:
        return tuple(Window(w["start"], w["end"]) for w in ex["windows"]), Reason(ex.get("window_rule", ex["rule"]), ex["source"])
    name = ctx.pack.setting(ex["window_setting"])
    rule, src, note = ctx.pack.setting_reason(ex["window_setting"])
    if name == "heating_season":
        return (ctx.pack.heating_season_window(ctx.on),), Reason(rule, src, note)
    rw = ctx.pack.section("replacement_windows")[name]
    return tuple(Window(w["start"], w["end"]) for w in rw["windows"]), Reason(rule, src, note)


def apply_force(ctx: Context, ex: dict, code: str, message: str, exempt: Proposal, base: Proposal) -> Proposal:
    """Apply an exemption according to its force, citing the official's decision if one is recorded."""
    force = ex.get("force", "plain")
    if force == "plain":
        return exempt
    default = EXEMPT if force == "in_principle" else NOT_EXEMPT
    fl = flag(code, ex, message, (EXEMPT, NOT_EXEMPT), default)
    d = ctx.decision(code)
    choice = d.choice if d else default
    chosen = exempt if choice == EXEMPT else base
    return chosen.plus(applied=(applied(d, ex),)) if d else chosen.plus(flags=(fl,))


def heating_exemption(ctx: Context, line: LineFacts, entry_id: Optional[str], base: Proposal) -> Proposal:
    """Jiyuan-style dated exemptions (X-07…X-11): condition met by the deadline, inside the window."""
    for ex in ctx.pack.section("exemptions", []):
        if entry_id not in ex["measure_ids"]:
            continue
        if not status_at_least(line, ex["min_status"], ex.get("deadline")):
            continue
        wins, win_reason = _windows(ctx, ex)
        why = (reason(ex, f"{ex['min_status']} reached by {ex.get('deadline')}"), win_reason)
        if "also_rule" in ex:
            why += (Reason(ex["also_rule"], ex["also_source"]),)
        why += (Reason(ex["id"], ex["source"]),)
        if not any(w.contains(ctx.on) for w in wins):
            return base.plus(reasons=(Reason(ex["id"], ex["source"], "condition met but the exemption window is not open"),
                                      win_reason))
        residual = (reason(ex["residual"], ex["residual"]["obligation"]),)
        if ex["effect"] == "none":
            exempt = Proposal(Measure.NONE, windows=wins, reasons=why, residual=residual)
        else:
            exempt = Proposal(Measure(ex["effect"]), ex.get("percentage_min"), ex.get("percentage_max"), Basis.NOT_STATED,
                              windows=wins, reasons=why, residual=residual)
        force = {"in_principle": "applies in principle (原则上); an official may decide otherwise",
                 "may": "the line may be exempted (可); an official decides"}.get(ex.get("force"), "applies")
        exempt = exempt.plus(reasons=tuple(r for r in base.reasons if r.rule != "R-T-05")[:1])  # the rule it relieves
        return apply_force(ctx, ex, f"exemption_{ex['id']}", f"{ex['id']}: exemption {force}.", exempt, base)
    return base


def _percent_ok(ctx: Context, line: LineFacts, limit: float) -> bool:
    pol = dict(line.percent_of_limit)
    if not pol:
        return False
    if ctx.pack.setting("percent_of_limit_pollutants") == "main_pollutants":
        pol = {k: v for k, v in pol.items() if k in (Pollutant.PM, Pollutant.SO2, Pollutant.NOX)}
    return bool(pol) and all(v <= limit for v in pol.values())


def emergency_exemption(ctx: Context, line: LineFacts) -> Optional[dict]:
    """The first emergency-plan exemption (X-01/X-02/X-03, 000:143) the line qualifies for."""
    for ex in ctx.pack.section("emergency_exemptions", []):
        if not matches(ex, ctx, line):
            continue
        if "min_status" in ex and not status_at_least(line, ex["min_status"]):
            continue
        if "max_percent_of_limit" in ex and not _percent_ok(ctx, line, ex["max_percent_of_limit"]):
            continue
        return ex
    return None


def relieve_emergency(ctx: Context, line: LineFacts, alert_part: Proposal) -> Proposal:
    """At an alert, a 'may be exempt' line is flagged; an official's 'exempt' relieves the emergency measure."""
    ex = emergency_exemption(ctx, line)
    if ex is None or not ctx.alert:
        return alert_part
    note = reason(ex, f"{ex['id']}: may be exempt from stop/curtail (可免于停限产)")
    rule, src, snote = ctx.pack.setting_reason("emergency_exemption_scope")
    exempt = Proposal(Measure.NONE, reasons=(note, Reason(ex["id"], ex["source"]), Reason(rule, src, snote)))
    precedence = ctx.pack.setting("foundry_alert_precedence")
    if (precedence == "sector_rule" and alert_part.measure == Measure.STOP
            and any(r.rule == "R-LF-02" for r in alert_part.reasons)):
        prule, psrc, pnote = ctx.pack.setting_reason("foundry_alert_precedence")
        return alert_part.plus(reasons=(Reason(ex["rule"], ex["source"], "overridden by pack precedence"),
                                        Reason(prule, psrc, pnote)))
    return apply_force(ctx, ex, "emergency_exemption",
                       f"{ex['id']} (000:143): may be exempt from stop/curtail in the emergency plan; an official decides.",
                       exempt, alert_part.plus(reasons=(note,)))


def livelihood_project(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    """X-04 (000:143): major livelihood / key construction projects may be left off the stop list
    with city-government approval AND filing with the provincial air office (可不列入)."""
    node = ctx.pack.section("livelihood_projects")
    sub = line.sub_type if line.sub_type.value != "none" else ctx.enterprise.sub_type
    if not node or sub.value not in node["sub_types"]:
        return None
    have = {a.kind.value for a in ctx.enterprise.approvals}
    missing = [k for k in node["requires_approvals"] if k not in have]
    if missing:
        return Proposal(Measure.NONE, reasons=(reason(node, "not yet: missing " + ", ".join(missing)),),
                        flags=(flag("livelihood_project_incomplete", node,
                                    "Livelihood-project exclusion needs city-government approval and filing with the "
                                    "provincial air office; missing: " + ", ".join(missing), ("await_filing",), None),))
    from grading.rules.heating import applicant_flags, applicant_reasons
    return Proposal(Measure.NONE, reasons=(reason(node, "may be left off the stop/curtail list: approval and filing on record"),
                                           Reason("X-04", node["source"]), Reason("R-L-04", node["source"]))
                    + applicant_reasons(ctx),
                    flags=applicant_flags(ctx))
