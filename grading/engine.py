"""The per-enterprise evaluation: compose the rule modules into line decisions and a summary.

`decide_line` and `enterprise_part` are THE implementation; the batch path (grading/batch.py) calls
the very same functions once per distinct fact profile. Neither reads the clock, a DB or a global.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Optional

from grading.decisions import AppliedDecision, EnterpriseDecision, EnterpriseSummary, Grades, LineDecision, Reason
from grading.facts import EnterpriseFacts, LineFacts, OfficialDecision, Query
from grading.notes import note_reason
from grading.packs import Pack
from grading.rules import eligibility, emergency, exemptions, grade, heating, livelihood, thresholds, tiers, transport, triggers
from grading.rules.base import NO_MEASURE, Aggregates, Context, Proposal, coded, flag, line_sector, matches, reason, strictness
from grading.vocab import EmissionStatus, Measure

# ------------------------------------------------------------------ profiles (what a decision depends on)

def line_profile(line: LineFacts) -> LineFacts:
    """The line without identity fields (id, name, capacity) - rules never read those."""
    return replace(line, line_id="", name="", capacity=None, capacity_unit="")


def line_retrofit_done(pack: Pack, enterprise_sector, line: LineFacts) -> bool:
    """X-12 (002:575): the retrofit applicable to the line's sector is complete (pack setting R-JY-12)."""
    node = pack.section("emergency_list")
    if not node:
        return False
    sector = (line.sector or enterprise_sector).value
    if pack.setting("emergency_list_retrofit") == "both":
        return line.emission_status == EmissionStatus.ULTRA_LOW
    if sector in node["ultra_low_sectors"]:
        return line.emission_status == EmissionStatus.ULTRA_LOW
    if sector in node["special_limit_sectors"]:
        return line.emission_status.rank >= EmissionStatus.SPECIAL_LIMITS.rank
    return False


def aggregates(pack: Pack, ent: EnterpriseFacts) -> Aggregates:
    blocked = frozenset().union(*(exemptions.line_blocks(pack, ent.sector, ent.sub_type, l) for l in ent.lines))
    return Aggregates(any_line_non_compliant=any(l.emission_status == EmissionStatus.NON_COMPLIANT for l in ent.lines),
                      blocked_exemptions=blocked)


def enterprise_profile(ent: EnterpriseFacts) -> EnterpriseFacts:
    return replace(ent, lines=(), enterprise_id="", name="")


def decisions_for(decisions: Iterable[OfficialDecision], line_id: Optional[str]) -> tuple[OfficialDecision, ...]:
    """Official decisions concerning one line (or, with None, the whole enterprise), line ids blanked.

    A choice recorded for this very line comes before an enterprise-wide choice on the same flag:
    the more specific decision wins, whatever order the document listed them in.
    """
    own = [replace(d, line=None) for d in decisions if line_id is not None and d.line == line_id]
    return tuple(own + [d for d in decisions if d.line is None])


def decisions_by_line(decisions: Iterable[OfficialDecision]) -> dict[Optional[str], tuple[OfficialDecision, ...]]:
    """decisions_for(decisions, id) for every line id named, in one pass; `None` → the enterprise-wide ones.

    An enterprise's lines look their decisions up here instead of scanning every decision per line
    (lines × decisions work, issue 13 High 1); `.get(id, common)` equals decisions_for for any id."""
    decisions = tuple(decisions)
    common = tuple(d for d in decisions if d.line is None)
    own: dict[Optional[str], list[OfficialDecision]] = {}
    for d in decisions:
        if d.line is not None:
            own.setdefault(d.line, []).append(replace(d, line=None))
    out: dict[Optional[str], tuple[OfficialDecision, ...]] = {k: tuple(v) + common for k, v in own.items()}
    out[None] = common
    return out


# ------------------------------------------------------------------ one line

def _merge(chosen: Proposal, others: list[Proposal]) -> tuple:
    # lists, not dicts: most reasons are the very same (memoised) objects, which `in` finds by identity without
    # hashing or comparing the dataclasses
    reasons, flags, applied, residual = [], {}, [], []
    for p in [chosen] + [o for o in others if o is not chosen]:
        for r in p.reasons:
            if r not in reasons:
                reasons.append(r)
        for f in p.flags:
            flags.setdefault(f.code, f)
        for a in p.applied:
            if a not in applied:
                applied.append(a)
        for r in p.residual:
            if r not in residual:
                residual.append(r)
    resolved = {a.flag for a in applied}
    return tuple(reasons), tuple(f for c, f in flags.items() if c not in resolved), tuple(applied), tuple(residual)


_UNSET: dict = {}


def _shared(shared: Optional[dict], key: str, compute):
    """compute() once per `shared` dict (one Context, see decide_line); without one, every time."""
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]


def _per_pack(pack: Pack, key, compute):
    """compute() once per pack instance (for what reads the pack only), kept in the pack's own memo."""
    memo = getattr(pack, "_memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _enterprise_level_exemptions(pack: Pack) -> list:
    """exemptions.enterprise_level_exemptions(pack), once per pack instance (it reads the pack only)."""
    return _per_pack(pack, "enterprise_level_exemptions", lambda: exemptions.enterprise_level_exemptions(pack))


def seasonal(ctx: Context, line: LineFacts, entry: Optional[dict] = _UNSET, shared: Optional[dict] = None) -> bool:
    """Whether a heating-season rule of the pack would reach this line (so the season's dates decide for it).
    `entry`: heating.matching_entry(ctx, line) when the caller already has it."""
    gate = ctx.pack.section("eligibility")
    tier_spec = ctx.pack.section("tiers")
    if entry is _UNSET:
        entry = heating.matching_entry(ctx, line)
    return (entry is not None
            or bool(tier_spec and line_sector(ctx, line).value in tier_spec["sectors"]["value"])
            or bool(gate and gate["scope"]["value"] == "heating_season"
                    and _shared(shared, "failed", lambda: eligibility.failed_conditions(ctx)))
            or any(t.get("heating_season_only") for t in triggers.fired_any_season(ctx, line)))


def readings_for_line(ctx: Context, line: LineFacts, entry: Optional[dict] = _UNSET,
                      shared: Optional[dict] = None) -> tuple[Reason, ...]:
    """Issue 14 point 1: the pack's local readings (DOMAIN.md §5 settings, the heating-season dates) that can
    decide this line today, cited whether or not they change the measure - a 'no measure' or 'not covered'
    that rests on a reading says so. `entry` and `shared` as in seasonal / decide_line (work done once)."""
    pack, out = ctx.pack, []
    if seasonal(ctx, line, entry, shared):
        out.append(pack.season_cite(ctx.on))
    ex = exemptions.emergency_exemption(ctx, line) if pack.section("emergency_exemptions") else None
    candidates = [e for e in pack.section("emergency_exemptions", []) if "max_percent_of_limit" in e
                  and line.percent_of_limit and (not e.get("sectors") or line_sector(ctx, line).value in e["sectors"])]
    if candidates and pack.setting("percent_of_limit_pollutants") is not None:
        out.append(pack.setting_cite("percent_of_limit_pollutants"))
    if ex is not None:
        for name in ("emergency_exemption_scope", "foundry_alert_precedence"):
            if pack.setting(name) is not None:
                out.append(pack.setting_cite(name))
    for ex_id, node, kind in _enterprise_level_exemptions(pack):
        if kind != "exclusion" and exemptions.blocked_by_others(ctx, kind, node, line):
            # the reason cites the exemption only: once per pack
            out.append(_per_pack(pack, ("blocked_reason", ex_id), lambda n=node: exemptions.blocked_reason(ctx, n)))
    if ctx.alert:
        for node in pack.section("alert_measures", []):
            if "levels_setting" in node and matches(node, ctx, line):
                out.append(pack.setting_cite(node["levels_setting"]))
    return tuple(dict.fromkeys(out))


def monitoring_duty(ctx: Context, line: LineFacts, measure: Measure) -> tuple[Reason, ...]:
    """Issue 14 point 7 (R-V-07: 003:55, 001:107; 002:424 for Jiyuan): a line with automatic monitoring that is
    curtailed or stopped keeps it running and transmitting; the consequence of not doing so is cited with it."""
    node = ctx.pack.section("monitoring_duty")
    if not node or not line.has_cems or measure.value not in node["measures"]:
        return ()
    return (reason(node, node["obligation"]),
            Reason(str(node["consequence_rule"]), str(node["consequence_source"]), node["consequence"]))


def decide_line(ctx: Context, line: LineFacts, shared: Optional[dict] = None) -> LineDecision:
    """All rules for one line on ctx.on at ctx.alert_level; the strictest proposal wins, all reasons kept.
    = with_monitoring_duty(decide_line_core(...)): see decide_line_core for `shared`."""
    return with_monitoring_duty(ctx, line, decide_line_core(ctx, line, shared))


def with_monitoring_duty(ctx: Context, line: LineFacts, decision: LineDecision) -> LineDecision:
    """The decision with R-V-07's monitoring duty added to its residual obligations (it reads the chosen measure
    and whether the line has CEMS only, so the batch path can add it per CEMS value to a shared core decision)."""
    extra = monitoring_duty(ctx, line, decision.measure)
    return replace(decision, residual_obligations=decision.residual_obligations + extra) if extra else decision


def decide_line_core(ctx: Context, line: LineFacts, shared: Optional[dict] = None) -> LineDecision:
    """decide_line without the monitoring duty (with_monitoring_duty adds it).

    `shared`: a dict the caller keeps for THIS ctx across its lines (the batch path: one per distinct enterprise
    part); the gate's outcome (eligibility.excluded_line_measure, restricted_category_measure - they read the
    context, not the line) and the tier's measure (per line sector) are then computed once per context instead of
    once per line. The per-enterprise path
    passes none, so the property test compares the memoised batch path with the plain rules."""
    props: list[Proposal] = list(triggers.trigger_proposals(ctx, line))
    gate = _shared(shared, "gate", lambda: eligibility.excluded_line_measure(ctx, line))
    if gate is not None:
        props.append(gate)
    restricted = _shared(shared, "restricted", lambda: eligibility.restricted_category_measure(ctx, line))
    if restricted is not None and gate is None:
        props.append(restricted)
    entry = heating.matching_entry(ctx, line) if ctx.pack.section("sector_measures") else None
    if gate is None or gate.measure == Measure.NONE:
        heat = heating.sector_measure(ctx, line)
        if heat is not None:
            heat = livelihood.livelihood_measure(ctx, line, heat)
            heat = exemptions.heating_exemption(ctx, line, entry["id"] if entry else None, heat)
            heat = tiers.benchmark_exemption(ctx, line, heat)
            if (ctx.pack.setting("emergency_exemption_scope") == "emergency_and_heating_season"
                    and exemptions.emergency_exemption(ctx, line) is not None):
                heat = exemptions.apply_force(ctx, exemptions.emergency_exemption(ctx, line), "emergency_exemption",
                                              "000:143 exemption (pack scope includes the heating season).",
                                              Proposal(Measure.NONE, reasons=heat.reasons), heat)
            props.append(heat)
        # tiers.tier_measure reads the context and the line's sector only (004:389 tiers are the enterprise's)
        tier = _shared(shared, "tier:" + line_sector(ctx, line).value, lambda: tiers.tier_measure(ctx, line))
        for p in (tier, exemptions.livelihood_project(ctx, line)):
            if p is not None:
                props.append(p)
    if ctx.alert:
        alert = emergency.alert_overlay(ctx, line) or grade.emergency_measure(ctx, line)
        alert = exemptions.relieve_emergency(ctx, line, alert or NO_MEASURE)
        if alert is not NO_MEASURE:
            props.append(alert)
    flags_only = thresholds.status_check_flags(ctx.pack, line_sector(ctx, line), line)
    readings = readings_for_line(ctx, line, entry, shared)
    if readings:
        props.append(Proposal(Measure.NONE, reasons=readings))
    if not props:
        props = [NO_MEASURE]
    chosen = max(props, key=strictness)  # max keeps the first of equals
    reasons, flags, applied, residual = _merge(chosen, props)
    return LineDecision(
        line_id=line.line_id, measure=chosen.measure, percentage_min=chosen.percentage_min,
        percentage_max=chosen.percentage_max, basis=chosen.basis, coking_time_hours=chosen.coking_time_hours,
        windows=chosen.windows, reasons=reasons, flags=flags + flags_only, applied_decisions=applied,
        residual_obligations=residual,
    )


# ------------------------------------------------------------------ enterprise-level part and summary

@dataclass(frozen=True)
class SummaryPiece:
    """One independent part of the enterprise summary (grades, transport, staggering list, emergency, X-12 list).

    Each piece reads a small set of facts, so the batch path can compute it once per distinct set."""

    grades: Optional[Grades] = None
    transport: tuple = ()
    ratios: tuple = ()
    reasons: tuple = ()
    flags: tuple = ()
    applied: tuple = ()
    baseline: tuple = ()
    emergency_list: Optional[str] = None
    eligibility_reasons: tuple = ()
    ratios_in_principle: tuple = ()


def _ctx(pack: Pack, query: Query, ent: EnterpriseFacts, agg: Aggregates) -> Context:
    return Context(pack, query.on, query.alert_level, ent, agg, decisions_for(query.official_decisions, None))


def grades_piece(pack: Pack, query: Query, ent: EnterpriseFacts, agg: Aggregates) -> SummaryPiece:
    """Grades kept apart by system; gate eligibility and its failures (R-E-*, R-G-*, R-S-*).
    = join_grades(emergency_grade_piece, gate_grades_piece): the batch path computes each part once per distinct
    set of the facts it reads."""
    return join_grades(emergency_grade_piece(ent), gate_grades_piece(pack, query, ent, agg))


def emergency_grade_piece(ent: EnterpriseFacts) -> SummaryPiece:
    """The emergency grade, overall and by industry (short board; fraud → C): reads the grades and the fraud finding."""
    g, g_reasons = grade.enterprise_grade(ent)
    return SummaryPiece(grades=Grades(emergency=g.value if g else None, emergency_by_industry=grade.grades_by_industry(ent)),
                        reasons=g_reasons)


def gate_grades_piece(pack: Pack, query: Query, ent: EnterpriseFacts, agg: Aggregates) -> SummaryPiece:
    """The staggering tier, benchmark, VOC class and the gate's eligibility with its failures."""
    ctx = _ctx(pack, query, ent, agg)
    tier = ent.staggering_tier.value if ent.staggering_tier else None
    if pack.section("tiers") and eligibility.is_eligible(ctx) and tier is None:
        tier = tiers.staggering_tier(ctx)[0]
    elif pack.section("tiers") and eligibility.failed_conditions(ctx):
        tier = "stop"
    grades = Grades(staggering_tier=tier, benchmark=ent.benchmark_enterprise,
                    voc_class=ent.voc_class.value if ent.voc_class else None, eligible=eligibility.is_eligible(ctx))
    return SummaryPiece(grades=grades, eligibility_reasons=eligibility.gate_reasons(ctx))


def join_grades(emergency_: SummaryPiece, gate: SummaryPiece) -> SummaryPiece:
    """The grades piece from its two parts."""
    return SummaryPiece(grades=replace(gate.grades, emergency=emergency_.grades.emergency,
                                       emergency_by_industry=emergency_.grades.emergency_by_industry),
                        reasons=emergency_.reasons, eligibility_reasons=gate.eligibility_reasons)


def transport_piece(pack: Pack, query: Query, ent: EnterpriseFacts) -> SummaryPiece:
    restr, flags, why = transport.transport_restrictions(pack, ent, pack.in_heating_season(query.on), query.alert_level,
                                                         query.on)
    return SummaryPiece(transport=restr, flags=flags, reasons=why)


def staggering_list_piece(pack: Pack, query: Query, ent: EnterpriseFacts) -> SummaryPiece:
    return SummaryPiece(flags=triggers.staggering_list_flags(_ctx(pack, query, ent, Aggregates())))


def emergency_piece(pack: Pack, query: Query, ent: EnterpriseFacts) -> SummaryPiece:
    """Alert-level ratios (§2.11), the SO₂/NOx re-split (R-A-01) and the 330/120/365 baseline (R-A-02)."""
    rs_reasons, rs_flags = emergency.check_resplit(pack, query.alert_level, dict(query.emergency_resplit))
    baseline, b_reasons = emergency.annual_baseline(pack, ent.baseline_class, dict(ent.normal_daily_emissions))
    return SummaryPiece(ratios=emergency.reduction_ratios(pack, query.alert_level),
                        reasons=emergency.ratio_reasons(pack, query.alert_level) + rs_reasons + b_reasons,
                        flags=rs_flags + emergency.in_principle_flags(pack, query.alert_level), baseline=baseline,
                        ratios_in_principle=emergency.in_principle_pollutants(pack, query.alert_level))


def emergency_list_piece(pack: Pack, query: Query, all_lines_retrofit_done: bool) -> SummaryPiece:
    """X-12 (002:575): retrofitted enterprises are in principle off the emergency list - flagged (R-JY-12)."""
    node = pack.section("emergency_list")
    if not node:
        return SummaryPiece()
    retrofit = pack.setting_cite("emergency_list_retrofit")
    if not all_lines_retrofit_done:  # the reading of 已完成特别排放限值和超低排放改造 decides "not done" too
        return SummaryPiece(emergency_list="include", reasons=(
            note_reason("X-12", node["source"], "emergency_list.retrofit_incomplete"),
            retrofit))
    fl = flag("emergency_list_inclusion", node,
              "Special-limit/ultra-low retrofits done: in principle (原则上) not on the emergency reduction list "
              "(002:575), but 002:595-609 require taking part in emergency control; an official decides.",
              ("off_list_in_principle", "include"), "off_list_in_principle")
    d = next((x for x in decisions_for(query.official_decisions, None) if x.flag == fl.code), None)
    reasons = (reason(node), Reason("X-12", node["source"]), retrofit,
               coded(node["conflict"], "emergency_list.residual"))
    if d:
        return SummaryPiece(emergency_list=d.choice, reasons=reasons,
                            applied=(AppliedDecision(d.flag, d.choice, d.by, d.reason, node["rule"], node["source"]),))
    return SummaryPiece(emergency_list="off_list_in_principle", reasons=reasons, flags=(fl,))


def compose(grades: SummaryPiece, transport_: SummaryPiece, staggering: SummaryPiece, emergency_: SummaryPiece,
            em_list: SummaryPiece) -> EnterpriseSummary:
    """The line-independent summary from its pieces (same order in both paths)."""
    return EnterpriseSummary(
        strictest_line=None, strictest_measure=Measure.NONE, grades=grades.grades, transport=transport_.transport,
        emergency_ratios=emergency_.ratios, emergency_ratios_in_principle=emergency_.ratios_in_principle,
        emergency_reasons=emergency_.reasons + em_list.reasons + grades.reasons + transport_.reasons,
        emergency_baseline=emergency_.baseline, emergency_list=em_list.emergency_list,
        eligibility_reasons=grades.eligibility_reasons,
        flags=transport_.flags + staggering.flags + emergency_.flags + em_list.flags,
        applied_decisions=em_list.applied,
    )


def enterprise_part(pack: Pack, query: Query, ent: EnterpriseFacts, agg: Aggregates,
                    all_lines_retrofit_done: bool) -> EnterpriseSummary:
    """Everything in the summary that does not depend on individual line decisions."""
    return compose(grades_piece(pack, query, ent, agg), transport_piece(pack, query, ent),
                   staggering_list_piece(pack, query, ent), emergency_piece(pack, query, ent),
                   emergency_list_piece(pack, query, all_lines_retrofit_done))


def summarise(part: EnterpriseSummary, lines: tuple[LineDecision, ...]) -> EnterpriseSummary:
    """Add the line-dependent items: strictest line, residual obligations (union)."""
    strictest = None
    best = None
    residual: list[Reason] = []
    for ld in lines:
        key = strictness(Proposal(ld.measure, ld.percentage_min, ld.percentage_max))
        if best is None or key > best:
            best, strictest = key, ld
        for r in ld.residual_obligations:
            if r not in residual:
                residual.append(r)
    return replace(part, strictest_line=strictest.line_id if strictest else None,
                   strictest_measure=strictest.measure if strictest else Measure.NONE, residual_obligations=tuple(residual))


def evaluate_enterprise(pack: Pack, query: Query, ent: EnterpriseFacts) -> EnterpriseDecision:
    """Per-enterprise path: every line through decide_line, then the summary."""
    prof = enterprise_profile(ent)
    agg = aggregates(pack, ent)
    done = bool(ent.lines) and all(line_retrofit_done(pack, ent.sector, l) for l in ent.lines)
    per_line = decisions_by_line(query.official_decisions)
    lines = tuple(
        replace(decide_line(Context(pack, query.on, query.alert_level, prof, agg,
                                    per_line.get(l.line_id, per_line[None])), line_profile(l)),
                line_id=l.line_id)
        for l in ent.lines
    )
    return EnterpriseDecision(ent.enterprise_id, lines, summarise(enterprise_part(pack, query, prof, agg, done), lines))
