"""Exemptions (豁免 / 免于停限产 / 可不予限产): X-01…X-19 with windows, deadlines, replacements, residual duties.

Force matters (DOMAIN.md §2.7): `plain` applies; `in_principle` (原则上) applies by default and is flagged;
`may` (可) only makes the line *eligible* - it applies once an official's recorded decision says so.
"""
from __future__ import annotations

from typing import Optional

from grading.decisions import Reason, Window
from grading.facts import LineFacts
from grading.notes import note_reason
from grading.rules.base import Context, Proposal, applied, coded, flag, matches, reason, status_at_least
from grading.vocab import Basis, Measure, Pollutant

EXEMPT, NOT_EXEMPT = "exempt", "not_exempt"


def _windows(ctx: Context, ex: dict) -> tuple[tuple[Window, ...], Optional[Reason]]:
    if "windows" in ex:
        return tuple(Window(w["start"], w["end"]) for w in ex["windows"]), Reason(ex.get("window_rule", ex["rule"]), ex["source"])
    name = ctx.pack.setting(ex["window_setting"])
    cite = ctx.pack.setting_cite(ex["window_setting"])
    if name == "heating_season":
        return (ctx.pack.heating_season_window(ctx.on),), cite
    rw = ctx.pack.section("replacement_windows")[name]
    return tuple(Window(w["start"], w["end"]) for w in rw["windows"]), cite


def apply_force(ctx: Context, ex: dict, code: str, message: str, exempt: Proposal, base: Proposal) -> Proposal:
    """Apply an exemption according to its force, citing the official's decision if one is recorded."""
    force = ex.get("force", "plain")
    if force == "plain":
        return exempt
    default = EXEMPT if force == "in_principle" else NOT_EXEMPT
    fl = flag(code, ex, message, (EXEMPT, NOT_EXEMPT), default, force=force)
    d = ctx.decision(code)
    choice = d.choice if d else default
    chosen = exempt if choice == EXEMPT else base
    return chosen.plus(applied=(applied(d, ex),)) if d else chosen.plus(flags=(fl,))


# ---- enterprise-level wording (issue 14 point 3): an exemption the clause grants to ENTERPRISES ----

ENTERPRISE_NOTE = ("the clause exempts enterprises (…企业), not lines: decided on all of the enterprise's lines "
                   "concerned")
MELTING_KINDS = {"cupola", "electric_furnace", "gas_furnace"}  # 铸造熔炼设备 (001:99)


def _fits(node: dict, sector: str, sub: str, line: LineFacts) -> bool:
    return (("sectors" not in node or sector in node["sectors"]) and ("sub_types" not in node or sub in node["sub_types"])
            and ("kinds" not in node or line.kind.value in node["kinds"])
            and ("fuels" not in node or line.fuel.value in node["fuels"]))


def _measure_reaches(pack, ex: dict, sector: str, sub: str, line: LineFacts) -> bool:
    """The exempted heating-season measure reaches this line (matches its entry, not excluded by fuel, furnace,
    grinding station…): only such lines must meet the condition (a cement works' grinding station need not be
    ultra-low for the kiln's exemption; 有色金属再生企业 is judged on its 熔铸工序)."""
    ids = set(ex.get("measure_ids", ()))
    for m in pack.section("sector_measures", []):
        if m["id"] in ids and _fits(m, sector, sub, line):
            return not any(_fits(x, sector, sub, line) and (not x.get("requires_enclosed") or line.enclosed)
                           and (not x.get("requires_no_firing") or not line.firing_process)
                           for x in m.get("excluded", []))
    return False


def enterprise_level_exemptions(pack) -> list[tuple[str, dict, str]]:
    """(id, node, kind) of every exemption the pack grants to enterprises, in a fixed order."""
    out = []
    for ex in pack.section("exemptions", []):
        if ex.get("applies_to") == "enterprise":
            out.append((ex["id"], ex, "dated"))
    for ex in pack.section("emergency_exemptions", []):
        if ex.get("applies_to") == "enterprise":
            out.append((ex["id"], ex, "emergency"))
    for key in ("foundry", "building_materials"):
        node = (pack.section("benchmark") or {}).get(key)
        if node and node.get("applies_to") == "enterprise":
            out.append((node["id"], node, key))
    if pack.setting(EXCLUSION_SETTING) == "enterprise":  # the alternative reading of the sector exclusions
        for m in pack.section("sector_measures", []):
            if m.get("excluded"):
                out.append(("excl:" + m["id"], m, "exclusion"))
    return out


EXCLUSION_SETTING = "sector_exclusion_level"


def excluded_line_only(entry: dict, sector: str, sub: str, line: LineFacts) -> bool:
    return any(_fits(x, sector, sub, line) and (not x.get("requires_enclosed") or line.enclosed)
               and (not x.get("requires_no_firing") or not line.firing_process)
               and (not x.get("requires_compliant") or line.emission_status.value != "non_compliant")
               for x in entry.get("excluded", []))


def _concerned(pack, kind: str, node: dict, sector: str, line: LineFacts, sub: str = "none") -> bool:
    if kind == "exclusion":
        return _fits(node, sector, sub, line)
    if kind == "dated":
        return _measure_reaches(pack, node, sector, sub, line)
    if kind == "foundry":
        return sector in node["sectors"] and line.kind.value in MELTING_KINDS
    if kind == "building_materials":
        return sector in node["sectors"] or sector in node.get("open_list_sectors", [])
    return "sectors" not in node or sector in node["sectors"]


def _line_fails(pack, kind: str, node: dict, line: LineFacts, sector: str = "", sub: str = "none") -> bool:
    if kind == "exclusion":
        return not excluded_line_only(node, sector, sub, line)
    if kind == "dated":
        return not status_at_least(line, node["min_status"], node.get("deadline"))
    if kind == "foundry":
        pm, so2 = line.concentration(Pollutant.PM), line.concentration(Pollutant.SO2)
        ok = pm is not None and so2 is not None and pm <= node["pm_max"] and so2 <= node["so2_max"]
        return not ok or (line.kind.value == "cupola" and node["cupola_requires_cems"] and not line.has_cems)
    if kind == "building_materials":
        return line.fuel.value not in ("none", *node["fuels"], *node.get("open_list_fuels", []))
    if "min_status" in node and not status_at_least(line, node["min_status"]):
        return True
    if "max_percent_of_limit" in node and not percent_ok(pack, line, node["max_percent_of_limit"]):
        return True
    return "fuels" in node and line.fuel.value not in ("none", *node["fuels"])


def line_blocks(pack, ent_sector, ent_sub_type, line: LineFacts) -> frozenset:
    """Enterprise-level exemptions this line keeps its enterprise from: it is concerned and fails the condition.
    Reads only the line and the enterprise's sector and sub-type, so the batch path computes it once per distinct
    line profile."""
    sector = (line.sector or ent_sector).value
    sub = line.sub_type.value if line.sub_type.value != "none" else ent_sub_type.value
    return frozenset(i for i, node, kind in enterprise_level_exemptions(pack)
                     if _concerned(pack, kind, node, sector, line, sub) and _line_fails(pack, kind, node, line, sector, sub))


def concerned(ctx: Context, kind: str, node: dict, line: LineFacts) -> bool:
    sub = line.sub_type if line.sub_type.value != "none" else ctx.enterprise.sub_type
    return _concerned(ctx.pack, kind, node, (line.sector or ctx.enterprise.sector).value, line, sub.value)


def blocked_by_others(ctx: Context, kind: str, node: dict, line: LineFacts) -> bool:
    """The enterprise-level reading decides for this line: it meets the condition itself, another line does not."""
    key = "excl:" + node["id"] if kind == "exclusion" else node["id"]
    if key not in ctx.aggregates.blocked_exemptions or not concerned(ctx, kind, node, line):
        return False
    sub = line.sub_type if line.sub_type.value != "none" else ctx.enterprise.sub_type
    return not _line_fails(ctx.pack, kind, node, line, (line.sector or ctx.enterprise.sector).value, sub.value)


def blocked_reason(ctx: Context, ex: dict) -> Reason:
    return note_reason(ex["rule"], ex["source"], "exemption.blocked", exemption=ex["id"])


def heating_exemption(ctx: Context, line: LineFacts, entry_id: Optional[str], base: Proposal) -> Proposal:
    """Jiyuan-style dated exemptions (X-07…X-11): condition met by the deadline, inside the window."""
    for ex in ctx.pack.section("exemptions", []):
        if entry_id not in ex["measure_ids"]:
            continue
        if not status_at_least(line, ex["min_status"], ex.get("deadline")):
            continue
        if ex.get("applies_to") == "enterprise" and ex["id"] in ctx.aggregates.blocked_exemptions:
            return base.plus(reasons=(blocked_reason(ctx, ex),))
        wins, win_reason = _windows(ctx, ex)
        why = (coded(ex, "exemption.status_reached", status=ex["min_status"], deadline=ex.get("deadline"),
                     enterprise=ex.get("applies_to") == "enterprise"),
               win_reason)
        if "also_rule" in ex:
            why += (Reason(ex["also_rule"], ex["also_source"]),)
        why += (Reason(ex["id"], ex["source"]),)
        if not any(w.contains(ctx.on) for w in wins):
            return base.plus(reasons=(note_reason(ex["id"], ex["source"], "exemption.window_closed"),
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


def percent_ok(pack, line: LineFacts, limit: float) -> bool:
    pol = dict(line.percent_of_limit)
    if not pol:
        return False
    if pack.setting("percent_of_limit_pollutants") == "main_pollutants":
        pol = {k: v for k, v in pol.items() if k in (Pollutant.PM, Pollutant.SO2, Pollutant.NOX)}
    return bool(pol) and all(v <= limit for v in pol.values())


def emergency_exemption(ctx: Context, line: LineFacts) -> Optional[dict]:
    """The first emergency-plan exemption (X-01/X-02/X-03, 000:143) the line qualifies for."""
    for ex in ctx.pack.section("emergency_exemptions", []):
        if not matches(ex, ctx, line):
            continue
        if "min_status" in ex and not status_at_least(line, ex["min_status"]):
            continue
        if "max_percent_of_limit" in ex and not percent_ok(ctx.pack, line, ex["max_percent_of_limit"]):
            continue
        if ex.get("applies_to") == "enterprise" and ex["id"] in ctx.aggregates.blocked_exemptions:
            continue  # the line meets it, another line of the enterprise does not (cited by readings_for_line)
        return ex
    return None


def relieve_emergency(ctx: Context, line: LineFacts, alert_part: Proposal) -> Proposal:
    """At an alert, a 'may be exempt' line is flagged; an official's 'exempt' relieves the emergency measure."""
    ex = emergency_exemption(ctx, line)
    if ex is None or not ctx.alert:
        return alert_part
    note = coded(ex, "exemption.may_be_exempt", exemption=ex["id"], enterprise=ex.get("applies_to") == "enterprise")
    exempt = Proposal(Measure.NONE, reasons=(note, Reason(ex["id"], ex["source"]),
                                             ctx.pack.setting_cite("emergency_exemption_scope")))
    precedence = ctx.pack.setting("foundry_alert_precedence")
    if (precedence == "sector_rule" and alert_part.measure == Measure.STOP
            and any(r.rule == "R-LF-02" for r in alert_part.reasons)):
        return alert_part.plus(reasons=(note_reason(ex["rule"], ex["source"], "exemption.overridden"),
                                        ctx.pack.setting_cite("foundry_alert_precedence")))
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
        return Proposal(Measure.NONE, reasons=(coded(node, "livelihood_project.missing", missing=list(missing)),),
                        flags=(flag("livelihood_project_incomplete", node,
                                    "Livelihood-project exclusion needs city-government approval and filing with the "
                                    "provincial air office; missing: " + ", ".join(missing), ("await_filing",), None,
                                    missing=list(missing)),))
    from grading.rules.heating import applicant_flags, applicant_reasons
    return Proposal(Measure.NONE, reasons=(coded(node, "livelihood_project.on_record"),
                                           Reason("X-04", node["source"]), Reason("R-L-04", node["source"]))
                    + applicant_reasons(ctx),
                    flags=applicant_flags(ctx))
