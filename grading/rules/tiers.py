"""Performance tiers and benchmark enterprises: 004's 0 / 20-30 / 50-60 % / stop (R-S-01…06) and
001's environmental benchmark test (环保标杆企业, R-S-07: X-13 foundry, X-14 clean-energy building materials).
"""
from __future__ import annotations

from typing import Optional

from grading.decisions import Reason
from grading.facts import EnterpriseFacts, LineFacts
from grading.notes import note_reason
from grading.rules.base import Context, Proposal, coded, flag, line_sector, reason, stably_compliant
from grading.rules.eligibility import is_eligible
from grading.rules.exemptions import apply_force
from grading.vocab import Basis, LineKind, Measure, Pollutant

TIER_ORDER = ["none", "middle", "low"]  # mildest → strictest


def candidate_tiers(spec: dict, ent: EnterpriseFacts) -> tuple[list[str], list[str]]:
    """(tiers fully matched, tiers partly matched) by the 004:389 attributes."""
    full, part = [], []
    for name in TIER_ORDER:
        req = spec[name]["requires"]
        hits = [getattr(ent, k) is not None and getattr(ent, k).value in v for k, v in req.items()]
        if all(hits):
            full.append(name)
        elif any(hits):
            part.append(name)
    return full, part


def staggering_tier(ctx: Context) -> tuple[Optional[str], tuple, tuple]:
    """(tier, reasons, flags) for an eligible enterprise in a tiered pack."""
    spec = ctx.pack.section("tiers")
    if ctx.enterprise.staggering_tier is not None:
        t = ctx.enterprise.staggering_tier.value
        return t, (Reason("R-S-06", "004:389", "tier on record"),), ()
    full, part = candidate_tiers(spec, ctx.enterprise)
    if len(full) == 1:
        return full[0], (), ()
    cands = full or part or list(TIER_ORDER)
    rule, src, note = ctx.pack.setting_reason("tier_mixed_attributes")
    fl = flag("tier_mixed_attributes", {"rule": rule, "source": src},
              "Attributes fall in different tiers (" + ", ".join(cands) + "); an official decides the tier.",
              tuple(cands), max(cands, key=TIER_ORDER.index), tiers=list(cands))
    d = ctx.decision(fl.code)
    if d and d.choice in TIER_ORDER:
        return d.choice, (note_reason(rule, src, "tiers.official_decision", by=d.by, reason=d.reason),), ()
    return max(cands, key=TIER_ORDER.index), (ctx.pack.setting_cite("tier_mixed_attributes"),), (fl,)


def tier_measure(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    spec = ctx.pack.section("tiers")
    if not spec or not ctx.in_heating_season or line_sector(ctx, line).value not in spec["sectors"]["value"]:
        return None
    if not is_eligible(ctx):
        return None  # the gate's outcome applies (R-E-02 / R-S-05)
    tier, why, flags = staggering_tier(ctx)
    if tier == "stop":
        return Proposal(Measure.STOP, reasons=why + (reason(spec["sectors"]), Reason("R-S-05", "004:389")))
    node = spec[tier]
    win = (ctx.pack.heating_season_window(ctx.on),)
    base_reasons = why + (reason(node), reason(spec["sectors"]), coded(spec["adjustable"], "tiers.adjustable"))
    if tier == "none":
        return Proposal(Measure.NONE, 0, 0, windows=win, reasons=base_reasons + (Reason("X-15", "004:389"),), flags=flags)
    return Proposal(Measure.CURTAIL, node["percentage_min"], node["percentage_max"], Basis(ctx.pack.setting("tier_basis")),
                    windows=win, reasons=base_reasons + (ctx.pack.setting_cite("tier_basis"),),
                    flags=flags + (flag("tier_value_in_range", node,
                                        f"Staggering {node['percentage_min']}-{node['percentage_max']} %: the source does not "
                                        "say who picks the value or its basis; an official fixes both.",
                                        ("enter_value_and_basis",), None,
                                        min=node["percentage_min"], max=node["percentage_max"]),))


def benchmark_qualifies(ctx: Context, line: LineFacts) -> tuple[Optional[dict], tuple]:
    """Which benchmark test (X-13 foundry, X-14 building materials) the line passes, with open-list flags."""
    spec = ctx.pack.section("benchmark")
    if not spec or not stably_compliant(ctx):
        return None, ()
    sector = line_sector(ctx, line).value
    f = spec.get("foundry")
    if f and sector in f["sectors"] and f.get("applies_to") == "enterprise":
        # 001:99 benchmark ENTERPRISES, tested on their melting equipment (铸造熔炼设备): all of it
        return (f if f["id"] not in ctx.aggregates.blocked_exemptions else None), ()
    if f and sector in f["sectors"]:
        pm, so2 = line.concentration(Pollutant.PM), line.concentration(Pollutant.SO2)
        ok = pm is not None and so2 is not None and pm <= f["pm_max"] and so2 <= f["so2_max"]
        if ok and line.kind == LineKind.CUPOLA and f["cupola_requires_cems"] and not line.has_cems:
            ok = False
        return (f if ok else None), ()
    b = spec.get("building_materials")
    if b:
        listed = sector in b["sectors"] and (sector != "cement" or line.sub_type.value in b["sub_types_listed"])
        open_sector = sector in b["open_list_sectors"] or (sector == "cement" and not listed)
        fuel_ok, open_fuel = line.fuel.value in b["fuels"], line.fuel.value in b["open_list_fuels"]
        if (listed or open_sector) and b.get("applies_to") == "enterprise" and b["id"] in ctx.aggregates.blocked_exemptions:
            return None, ()
        if (listed or open_sector) and (fuel_ok or open_fuel):
            flags = ()
            if open_sector or open_fuel:
                flags = (flag("open_list_benchmark", b,
                              "砖瓦、水泥制品等 / 天然气、电等清洁能源 are open lists; whether this sub-type or fuel "
                              "qualifies for the benchmark test is for an official.", ("qualifies", "does_not_qualify"),
                              "qualifies"),)
            return b, flags
    return None, ()


def benchmark_exemption(ctx: Context, line: LineFacts, base: Proposal) -> Proposal:
    """R-S-07: a benchmark enterprise *may* be exempted from curtailment (可不予限产) - flag, official decides."""
    if base.measure == Measure.NONE:
        return base
    node, flags = benchmark_qualifies(ctx, line)
    if node is None:
        return base
    exempt = Proposal(Measure.NONE, reasons=(coded(node, "tiers.benchmark"),
                                             Reason(node["id"], node["source"])))
    return apply_force(ctx, node, "benchmark_exemption",
                       f"{node['id']} (001:99): benchmark enterprise may be exempted from curtailment; an official decides.",
                       exempt, base).plus(flags=flags)
