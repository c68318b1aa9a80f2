"""Alert-day rules (重污染天气应急): sector overlays at alert levels, reduction ratios per level (§2.11),
the SO₂/NOx re-split (R-A-01) and the annualised baseline 330/120/365 days (R-A-02, 002:582).
"""
from __future__ import annotations

from typing import Optional

from grading.decisions import Flag, Reason
from grading.facts import LineFacts
from grading.notes import freeze
from grading.rules.base import Context, Proposal, coded, flag, matches
from grading.vocab import AlertLevel, Measure, Pollutant


def alert_levels_of(ctx: Context, node: dict) -> list[str]:
    return ctx.pack.setting(node["levels_setting"]) if "levels_setting" in node else node["levels"]


def alert_overlay(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    """E.g. R-LF-02: electric/gas foundries stop at yellow+; R-LF-03: grinding stations stop during alerts."""
    if not ctx.alert:
        return None
    for node in ctx.pack.section("alert_measures", []):
        if matches(node, ctx, line) and ctx.alert_level.value in alert_levels_of(ctx, node):
            why = [coded(node, "alert.level", level=ctx.alert_level.value)]
            if "levels_setting" in node:
                why.append(ctx.pack.setting_cite(node["levels_setting"]))
            return Proposal(Measure(node["measure"]), reasons=tuple(why))
    return None


def _ratio_pollutants(pack, node: dict) -> Optional[list[str]]:
    """§5 item 21 (004:381): the pollutants the level ratio covers, by the pack's reading; VOCs have their own."""
    if "ratio_pollutants_setting" not in node:
        return None
    return list(pack.setting(node["ratio_pollutants_setting"]) or [])


def reduction_ratios(pack, level: AlertLevel) -> tuple[tuple[str, float], ...]:
    node = (pack.section("emergency") or {}).get("ratios")
    if not node or level == AlertLevel.NONE:
        return ()
    covered = _ratio_pollutants(pack, node)
    return tuple(sorted((k, float(v)) for k, v in (node["value"].get(level.value) or {}).items()
                        if covered is None or k == "vocs" or k in covered))


def in_principle_pollutants(pack, level: AlertLevel) -> tuple[str, ...]:
    """Issue 14 point 2: the pollutants whose target at `level` the clause sets only "in principle" (原则上,
    004:381: the 10/20/30 % ratios, not the VOC ones). The emergency list's totals show them as such."""
    node = (pack.section("emergency") or {}).get("ratios")
    if not node or level == AlertLevel.NONE or not node.get("in_principle"):
        return ()
    ratios = dict(reduction_ratios(pack, level))
    scope = node["in_principle"]
    return tuple(p for p in sorted(ratios) if scope is True or p in scope or (scope == "ratio_pollutants" and p != "vocs"))


def in_principle_flags(pack, level: AlertLevel) -> tuple[Flag, ...]:
    pols = in_principle_pollutants(pack, level)
    if not pols:
        return ()
    node = pack.section("emergency")["ratios"]
    return (flag("emergency_ratios_in_principle", node,
                 "The city's reduction ratios for " + ", ".join(pols) + " are set in principle (原则上 不低于); an "
                 "official may decide otherwise, recording who and why.", ("ratios", "official_exception"), "ratios",
                 pollutants=list(pols)),)


def ratio_reasons(pack, level: AlertLevel) -> tuple[Reason, ...]:
    node = (pack.section("emergency") or {}).get("ratios")
    if not node or level == AlertLevel.NONE:
        return ()
    out = [coded(node, "emergency.ratios")]
    pols = in_principle_pollutants(pack, level)
    if pols:
        out.append(coded(node, "emergency.ratios_in_principle", pollutants=list(pols)))
    if "ratio_pollutants_setting" in node:
        out.append(pack.setting_cite(node["ratio_pollutants_setting"]))
    mapping = pack.setting("response_level_mapping")
    if mapping:
        rule, src, note = pack.setting_reason("response_level_mapping")
        out.append(Reason(rule, src, f"{level.value} = response level {mapping.get(level.value)}; {note}",
                          "emergency.response_level", freeze({"level": level.value, "response": mapping.get(level.value)})))
    return tuple(out)


def check_resplit(pack, level: AlertLevel, resplit: dict) -> tuple[tuple[Reason, ...], tuple[Flag, ...]]:
    """R-A-01 (000:149): SO₂/NOx may be re-split if so2 + nox ≥ 2 × the level's ratio (pack reading)."""
    node = (pack.section("emergency") or {}).get("resplit_so2_nox")
    if not resplit:
        return (), ()
    ratios = dict(reduction_ratios(pack, level))
    if not node:
        return (), (Flag("resplit_not_allowed", "R-A-01", "000:149", "This pack has no SO₂/NOx re-split rule.", ("reject",), "reject"),)
    need = ratios.get("so2", 0) + ratios.get("nox", 0)
    got = resplit.get(Pollutant.SO2, 0) + resplit.get(Pollutant.NOX, 0)
    if got + 1e-9 >= need:
        return (coded(node, "emergency.resplit_accepted", so2=resplit.get(Pollutant.SO2), nox=resplit.get(Pollutant.NOX),
                      need=need),), ()
    return (coded(node, "emergency.resplit_rejected", got=got, need=need),), (
        flag("resplit_below_requirement", node, f"SO₂ + NOx re-split sums to {got} %, below {need} %.", ("reject",), "reject", got=got, need=need),)


def annual_baseline(pack, baseline_class: Optional[str], daily: dict) -> tuple[tuple[tuple[str, float], ...], tuple[Reason, ...]]:
    """R-A-02: annual base = normal daily emission × 330 (industrial) / 120 (heating boilers, residential coal) / 365."""
    node = (pack.section("emergency") or {}).get("baseline_days")
    if not node or not daily or not baseline_class:
        return (), ()
    days = node["value"][baseline_class]
    return (tuple(sorted((p.value, round(v * days, 6)) for p, v in daily.items())),
            (coded(node, "emergency.baseline", baseline_class=baseline_class, days=days),))
