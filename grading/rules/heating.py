"""Heating-season sector measures (采暖季错峰/限停产) of the sector-rule packs (000 R-LF-*, 002 R-JY-*, 001 R-S-08).

The first pack entry whose sectors/sub_types/kinds/fuels match the line applies; its exclusions
(fuel, furnace, grinding station, pressed refractories…) and flagged open lists (等) are pack data.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from grading.facts import LineFacts
from grading.rules.base import Context, Proposal, applied, coded, flag, matches, reason, stably_compliant
from grading.rules.exemptions import EXCLUSION_SETTING
from grading.vocab import Basis, Measure


def matching_entry(ctx: Context, line: LineFacts) -> Optional[dict]:
    for entry in ctx.pack.section("sector_measures", []):
        if matches(entry, ctx, line):
            return entry
    return None


def _excluded_by(entry: dict, ctx: Context, line: LineFacts) -> Optional[dict]:
    for ex in entry.get("excluded", []):
        if not matches(ex, ctx, line):
            continue
        if ex.get("requires_compliant") and (line.emission_status.value == "non_compliant" or not stably_compliant(ctx)):
            continue
        if ex.get("requires_enclosed") and not line.enclosed:
            continue
        if ex.get("requires_no_firing") and line.firing_process:
            continue
        return ex
    return None


def _entry_proposal(ctx: Context, entry: dict) -> Proposal:
    basis = Basis(entry["basis"]) if entry.get("basis") else None
    if "basis_setting" in entry:  # §5 item 5: the pack's reading of an unstated basis (R-JY-01)
        basis = Basis(ctx.pack.setting(entry["basis_setting"]))
    p = Proposal(Measure(entry["measure"]), entry.get("percentage_min"), entry.get("percentage_max"), basis,
                 coking_time_hours=entry.get("coking_time_hours"), windows=(ctx.pack.heating_season_window(ctx.on),),
                 reasons=(reason(entry, entry.get("condition_note", "")),
                          ctx.pack.season_cite(ctx.on)))
    if "verification" in entry:  # R-V-01: checked against actual electricity use
        p = p.plus(reasons=(coded(entry["verification"], "heating.verified_by", method=entry["verification"]["method"]),))
    for key in ("setting", "basis_setting"):
        if key in entry:
            p = p.plus(reasons=(ctx.pack.setting_cite(entry[key]),))
    reading = ctx.pack.setting(entry["setting"]) if "setting" in entry else None
    if entry["measure"] == "extend_coking" and reading == "by" and ctx.pack.setting("coking_normal_cycle_hours") is not None:
        # §5 item 15 read as extend BY 36 h: the new coking time is the normal cycle + 36 h (R-JY-02)
        p = replace(p, coking_time_hours=float(ctx.pack.setting("coking_normal_cycle_hours")) + p.coking_time_hours,
                    reasons=p.reasons + (ctx.pack.setting_cite("coking_normal_cycle_hours"),))
    if reading == "city_allocation":
            p = p.plus(flags=(flag("steel_allocation_from_filed_plan", entry,
                                   "The city allocates the 50 % across the listed lines/equipment; use the filed plan's figure.",
                                   ("filed_plan_figure",), None),))
    if (basis or Basis.NOT_STATED) == Basis.NOT_STATED and entry.get("basis") == "not_stated":
        p = p.plus(flags=(flag("curtailment_basis_not_stated", entry,
                               "The source does not say what the percentage is measured against (capacity, output, "
                               "electricity…); an official fixes it.", ("capacity", "output", "electricity", "time"), None),))
    if "flag" in entry:
        f = entry["flag"]
        fl = flag(f["code"], f, f["message"], f["options"], f.get("default"))
        d = ctx.decision(fl.code)
        if d and d.choice.startswith("covered"):
            return Proposal(Measure.STOP, windows=p.windows, reasons=p.reasons, applied=(applied(d, f),))
        if d and d.choice == "official_exception":
            return Proposal(Measure.NONE, reasons=p.reasons, applied=(applied(d, f),))
        p = p.plus(applied=(applied(d, f),)) if d else p.plus(flags=(fl,))
    return p


def sector_measure(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    """The heating-season measure for a line, or None outside the heating season / when no entry matches."""
    if not ctx.in_heating_season:
        return None
    entry = matching_entry(ctx, line)
    if entry is None:
        return None
    ex = _excluded_by(entry, ctx, line)
    level = ctx.pack.setting(EXCLUSION_SETTING)
    cite = (ctx.pack.setting_cite(EXCLUSION_SETTING),) if ex is not None and level is not None else ()
    if ex is not None and not (level == "enterprise" and "excl:" + entry["id"] in ctx.aggregates.blocked_exemptions):
        return Proposal(Measure.NONE, reasons=(coded(ex, "heating.excluded", measure=entry["id"]),) + cite)
    p = _entry_proposal(ctx, entry).plus(reasons=cite)
    for fw in entry.get("flag_when", []):
        if matches(fw, ctx, line):
            default = ctx.pack.setting(fw["default_setting"]) if "default_setting" in fw else fw.get("default")
            default = {"pressed_only": "covered_stop", "all_refractories": "clean_energy_excluded"}.get(default, default)
            fl = flag(fw["code"], fw, fw["message"], fw["options"], default)
            d = ctx.decision(fl.code)
            choice = d.choice if d else default
            cite = ()
            if "default_setting" in fw and not d:  # the pack's reading decides until an official does (§5)
                cite = (ctx.pack.setting_cite(fw["default_setting"]),)
            if choice == "clean_energy_excluded":
                p = Proposal(Measure.NONE, reasons=(coded(fw, "heating.clean_energy"),))
            p = p.plus(reasons=cite)
            p = p.plus(applied=(applied(d, fw),)) if d else p.plus(flags=(fl,))
    approval = entry.get("approval_exception")
    if approval and p.measure != Measure.NONE:
        ok = [a for a in ctx.enterprise.approvals if a.kind.value == approval["approval"]]
        if ok:  # special case approved by the city government (报市政府批准)
            resolved = entry.get("flag", {}).get("code")  # the approval is the official's exception
            p = Proposal(Measure.NONE, reasons=p.reasons + (reason(approval, approval.get("note", "city-government approval on record")),),
                         flags=tuple(f for f in p.flags if f.code != resolved))
            p = p.plus(reasons=applicant_reasons(ctx), flags=applicant_flags(ctx))
    return p


def applicant_reasons(ctx: Context) -> tuple:
    """The reading behind applicant_flags, cited where it decides (issue 14 point 1)."""
    if ctx.pack.setting("approval_applicant") is None:
        return ()
    return (ctx.pack.setting_cite("approval_applicant"),)


def applicant_flags(ctx: Context) -> tuple:
    """§5 item 22: the sources name no applicant for city-government approvals and filings."""
    if ctx.pack.setting("approval_applicant") != "not_named":
        return ()
    rule, src, note = ctx.pack.setting_reason("approval_applicant")
    return (flag("approval_applicant_not_named", {"rule": rule, "source": "000:131"},
                 "The sources do not name who applies for this approval/filing (D-02, D-04, D-05); record the applicant.",
                 ("record_applicant",), None),)
