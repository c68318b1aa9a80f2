"""Baselines and per-level reductions of lines, enterprises and a city against the pack's targets (§2.11).

Moved from registry/emergency/reductions.py (issue 15 item 1); registry/policy/emergency.py re-exports it.
Pure: plain dataclasses in, plain dataclasses out; no Flask, no database. The pack supplies the
targets (ratios per level and pollutant), the SO₂/NOx re-split rule (R-A-01, 000:149) and the
baseline days per source category (R-A-02, 002:582: 330 / 120 / 365). Nothing here re-types them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

from grading.decisions import Reason
from grading.packs import Pack
from grading.rules.emergency import check_resplit, in_principle_pollutants, reduction_ratios
from grading.vocab import AlertLevel, Pollutant

POLLUTANTS: tuple[str, ...] = ("so2", "nox", "pm", "vocs")
MEASURE_FRACTION_FULL = {"stop": 1.0, "none": 0.0}


@dataclass(frozen=True)
class LineBaseline:
    """One line's normal daily emissions (kg/d) and the source category that fixes its baseline days."""

    enterprise_id: str
    line_id: str
    daily: Mapping[str, float]
    baseline_class: str = "industrial"
    grade: Optional[str] = None  # effective emergency grade A/B/C (003:51), None when ungraded
    capacity_weight: float = 1.0  # what stopping the whole line costs, in the optimizer's unit


@dataclass(frozen=True)
class Action:
    """What a line does at one alert level: a measure and the share of its emissions that falls."""

    measure: str  # none | curtail | stop (grading.vocab.Measure values)
    percent: float = 0.0  # curtailment %, ignored for stop / none

    @property
    def fraction(self) -> float:
        if self.measure in MEASURE_FRACTION_FULL:
            return MEASURE_FRACTION_FULL[self.measure]
        return max(0.0, min(100.0, float(self.percent))) / 100.0


@dataclass(frozen=True)
class BaselineDays:
    """Days per source category and why; `annualised` is False when the pack names no days."""

    days: Mapping[str, int]
    annualised: bool
    reason: Reason

    def of(self, baseline_class: str) -> int:
        if not self.annualised:
            return 1
        try:
            return int(self.days[baseline_class])
        except KeyError:
            raise ValueError(f"pack names no baseline days for source category {baseline_class!r}") from None


def baseline_days(pack: Pack) -> BaselineDays:
    """R-A-02 (002:582) where the pack carries it; otherwise ratios are taken on daily emissions, said so."""
    node = (pack.section("emergency") or {}).get("baseline_days")
    if node:
        return BaselineDays(dict(node["value"]), True, Reason(str(node["rule"]), str(node["source"]),
                                                               "annual base = daily × days of the source category"))
    return BaselineDays({}, False, Reason("R-A-02", "002:582",
                                          f"pack {pack.id} names no baseline days; ratios use daily emissions"))


def annual_baseline(line: LineBaseline, days: BaselineDays) -> dict[str, float]:
    """The line's base per pollutant: normal daily emission × the days of its source category."""
    n = days.of(line.baseline_class)
    return {p: float(line.daily.get(p) or 0.0) * n for p in POLLUTANTS}


def line_reduction(line: LineBaseline, action: Action, days: BaselineDays) -> dict[str, float]:
    """Computed, never typed: the base times the share of emissions the measure removes."""
    share = action.fraction
    return {p: v * share for p, v in annual_baseline(line, days).items()}


@dataclass(frozen=True)
class Targets:
    """The level's minimum reduction per pollutant (% of society-wide emissions) and where it comes from."""

    level: str
    percent: Mapping[str, float]
    reasons: tuple[Reason, ...]
    resplit_applied: bool = False
    resplit_rejected: str = ""
    in_principle: tuple[str, ...] = ()  # pollutants whose target the clause sets 原则上 (004:381, issue 14 point 2)


def level_targets(pack: Pack, level: str, resplit: Optional[Mapping[str, float]] = None) -> Targets:
    """Targets of `level` from the pack; a valid SO₂/NOx re-split (R-A-01) replaces those two ratios."""
    alert = AlertLevel(level)
    ratios = dict(reduction_ratios(pack, alert))
    node = (pack.section("emergency") or {}).get("ratios")
    reasons: list[Reason] = []
    if node:
        reasons.append(Reason(str(node["rule"]), str(node["source"]), f"{level}: {ratios}"))
    soft = in_principle_pollutants(pack, alert)
    if not resplit:
        return Targets(level, ratios, tuple(reasons), in_principle=soft)
    keyed = {Pollutant(k): float(v) for k, v in resplit.items()}
    why, flags = check_resplit(pack, alert, keyed)
    reasons.extend(why)
    if flags:
        return Targets(level, ratios, tuple(reasons), False, flags[0].message, soft)
    ratios.update({k: float(v) for k, v in resplit.items() if k in ("so2", "nox")})
    return Targets(level, ratios, tuple(reasons), True, in_principle=soft)


@dataclass(frozen=True)
class AreaSource:
    """A non-industrial source category of the city's inventory for one pollutant (全社会, 000:143, 000:149): its
    normal daily emission (kg/d) and the share (%) each alert level's measures remove, as the city entered them."""

    category: str  # mobile | dust | residential_burning | other
    pollutant: str
    daily: float
    reductions: Mapping[str, float] = field(default_factory=dict)  # level → %


# R-A-02 (002:582) names the days of mobile and dust sources (365) and residential coal (120); "other" is not named
# and counts a whole year (a reading, said in the totals).
AREA_BASELINE_CLASS = {"mobile": "mobile", "dust": "dust", "residential_burning": "residential_coal", "other": "other"}
BASES = ("industrial", "society_wide")


def target_base(pack: Pack) -> tuple[str, Reason]:
    """What the pack's ratios are shares of: the industrial lines of the registry or the city's whole inventory."""
    node = (pack.section("emergency") or {}).get("target_base")
    if node:
        return str(node["value"]), Reason(str(node["rule"]), str(node["source"]),
                                          f"targets are shares of {node['value']} emissions")
    return "industrial", Reason("R-A-02", "local setting", f"pack {pack.id} names no base: industrial lines only")


def area_days(days: BaselineDays, category: str) -> int:
    if not days.annualised:
        return 1
    return int(days.days.get(AREA_BASELINE_CLASS.get(category, category), 365))


@dataclass(frozen=True)
class PollutantTotal:
    """One pollutant at one level. `baseline` / `reduction` are on the base the pack's target uses (`base`); the
    industrial-only and society-wide figures are both kept, so the totals can show both bases."""

    pollutant: str
    baseline: float
    reduction: float
    target_percent: Optional[float]
    industrial_baseline: Optional[float] = None
    industrial_reduction: Optional[float] = None
    area_baseline: float = 0.0
    area_reduction: float = 0.0
    base: str = "industrial"

    @property
    def industrial_percent(self) -> float:
        b = self.baseline if self.industrial_baseline is None else self.industrial_baseline
        r = self.reduction if self.industrial_reduction is None else self.industrial_reduction
        return 100.0 * r / b if b else 0.0

    @property
    def society_percent(self) -> float:
        b = (self.baseline if self.industrial_baseline is None else self.industrial_baseline) + self.area_baseline
        r = (self.reduction if self.industrial_reduction is None else self.industrial_reduction) + self.area_reduction
        return 100.0 * r / b if b else 0.0

    @property
    def percent(self) -> float:
        return 100.0 * self.reduction / self.baseline if self.baseline else 0.0

    @property
    def required(self) -> float:
        return 0.0 if self.target_percent is None else self.baseline * self.target_percent / 100.0

    @property
    def shortfall(self) -> float:
        """Amount still missing to reach the target (0 when met); tiny float noise counts as met."""
        gap = self.required - self.reduction
        return gap if gap > 1e-9 * max(1.0, self.required) else 0.0

    @property
    def met(self) -> bool:
        return self.shortfall == 0.0


@dataclass(frozen=True)
class LevelTotals:
    """A city's position at one level: per pollutant totals and each enterprise's contribution."""

    level: str
    targets: Targets
    days: BaselineDays
    pollutants: tuple[PollutantTotal, ...]
    contributions: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # enterprise → pollutant → kg
    base: str = "industrial"
    base_reason: Optional[Reason] = None
    area_entered: bool = False  # the city entered non-industrial sources (else society-wide = industrial)

    @property
    def met(self) -> bool:
        return all(p.met for p in self.pollutants)

    def shortfall(self) -> dict[str, float]:
        return {p.pollutant: p.shortfall for p in self.pollutants if p.shortfall > 0}

    def by_pollutant(self) -> dict[str, PollutantTotal]:
        return {p.pollutant: p for p in self.pollutants}


def city_totals(pack: Pack, level: str, lines: Iterable[LineBaseline], actions: Mapping[tuple[str, str], Action],
                resplit: Optional[Mapping[str, float]] = None, area: Iterable[AreaSource] = ()) -> LevelTotals:
    """Sum every line's base and reduction at `level`; `actions` is keyed by (enterprise_id, line_id).
    A line without an action counts in the base (the list covers all emitters, R-A-03) and reduces nothing.
    `area`: the city's non-industrial sources; where the pack's targets are shares of all emissions (target_base
    society_wide: 000:143/149, 001:93, 003:50, 004:381), the percentages and shortfalls are on the whole inventory."""
    days = baseline_days(pack)
    targets = level_targets(pack, level, resplit)
    base = dict.fromkeys(POLLUTANTS, 0.0)
    cut = dict.fromkeys(POLLUTANTS, 0.0)
    contributions: dict[str, dict[str, float]] = {}
    none = Action("none")
    for line in lines:
        n = days.of(line.baseline_class)
        share = actions.get((line.enterprise_id, line.line_id), none).fraction
        mine = contributions.setdefault(line.enterprise_id, dict.fromkeys(POLLUTANTS, 0.0))
        for p in POLLUTANTS:
            amount = float(line.daily.get(p) or 0.0) * n
            base[p] += amount
            cut[p] += amount * share
            mine[p] += amount * share
    area = list(area)
    a_base = dict.fromkeys(POLLUTANTS, 0.0)
    a_cut = dict.fromkeys(POLLUTANTS, 0.0)
    for src in area:
        if src.pollutant not in a_base:
            continue
        amount = float(src.daily or 0.0) * area_days(days, src.category)
        a_base[src.pollutant] += amount
        a_cut[src.pollutant] += amount * max(0.0, min(100.0, float(src.reductions.get(level) or 0.0))) / 100.0
    which, why = target_base(pack)
    society = which == "society_wide"
    totals = tuple(PollutantTotal(p, base[p] + (a_base[p] if society else 0.0), cut[p] + (a_cut[p] if society else 0.0),
                                  targets.percent.get(p), base[p], cut[p], a_base[p], a_cut[p], which) for p in POLLUTANTS)
    return LevelTotals(level, targets, days, totals, contributions, which, why, bool(area))


def emergency_levels(pack: Pack) -> list[str]:
    """The pack's alert levels that carry a response (blue only where the pack has it, 000:149)."""
    return [lvl.value for lvl in pack.alert_levels if lvl != AlertLevel.NONE]
