"""The emergency-list optimizer: the least production capacity lost that closes every pollutant's shortfall.

A mixed-integer program solved with HiGHS (highspy). Pure: candidates and shortfalls in, a
report out; no database. Each line takes at most one additional measure from the ones it is
allowed; grade order is a hard constraint (003:51): A-grade lines are untouched where the pack
says A takes no measure, and no B-grade line is touched unless every C-grade line already takes
its strongest allowed measure ("C before B").
"""
from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import highspy
import numpy as np

from registry.emergency.reductions import POLLUTANTS

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Option:
    """One measure a line may add: its extra reduction per pollutant (kg, annual base) and capacity cost."""

    measure: str  # curtail | stop
    percent: float
    reduction: Mapping[str, float]
    capacity_lost: float


@dataclass(frozen=True)
class Candidate:
    enterprise_id: str
    line_id: str
    grade: str | None
    options: tuple[Option, ...]  # strongest last


@dataclass(frozen=True)
class Proposal:
    enterprise_id: str
    line_id: str
    grade: str | None
    measure: str
    percent: float
    reduction: Mapping[str, float]
    capacity_lost: float
    explanation: str


@dataclass
class Report:
    status: str  # optimal | gap | infeasible | nothing_to_do | time_limit
    gap: float | None
    seconds: float
    capacity_lost: float
    proposals: list[Proposal] = field(default_factory=list)
    shortfall: Mapping[str, float] = field(default_factory=dict)
    achieved: Mapping[str, float] = field(default_factory=dict)
    variables: int = 0

    @property
    def reaches_targets(self) -> bool:
        return self.status in ("optimal", "gap", "nothing_to_do") and all(
            self.achieved.get(p, 0.0) + 1e-6 * max(1.0, v) >= v for p, v in self.shortfall.items())


def _grade_rank(grade: str | None) -> str:
    return grade or "ungraded"


def optimize(candidates: Sequence[Candidate], shortfall: Mapping[str, float], *, protect_a: bool = True,
             c_before_b: bool = True, time_limit: float = 10.0, mip_rel_gap: float = 1e-4) -> Report:
    """Choose measures reaching every pollutant's shortfall with the least capacity lost.

    Variables x[l,o] ∈ {0,1} (line l takes option o) and, with `c_before_b`, u ∈ {0,1} (B lines opened).
    Rows: Σ_o x[l,o] ≤ 1 per non-B line; Σ_o x[l,o] − u ≤ 0 per B line; u − x[c,strongest] ≤ 0 per C line;
    Σ reduction[p]·x ≥ shortfall[p] per pollutant. Objective: Σ capacity_lost·x.
    """
    started = time.perf_counter()
    need = {p: float(v) for p, v in shortfall.items() if v and v > 0}
    if not need:
        return Report("nothing_to_do", 0.0, time.perf_counter() - started, 0.0, [], {}, {})
    usable = [c for c in candidates if c.options and not (protect_a and c.grade == "A")]
    has_b = c_before_b and any(c.grade == "B" for c in usable)
    cols: list[tuple[int, int]] = [(i, j) for i, c in enumerate(usable) for j in range(len(c.options))]
    n = len(cols) + (1 if has_b else 0)
    u = n - 1 if has_b else None
    first_col = np.zeros(len(usable) + 1, dtype=np.int64)
    for i, c in enumerate(usable):
        first_col[i + 1] = first_col[i] + len(c.options)
    cost = np.array([usable[i].options[j].capacity_lost for i, j in cols] + ([0.0] if has_b else []), dtype=float)

    with contextlib.redirect_stdout(io.StringIO()):  # HiGHS prints a banner on first use; CLI output is JSON
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))

    lower: list[float] = []
    upper: list[float] = []
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []

    def row(lo: float, hi: float, idx: Sequence[int], val: Sequence[float]) -> None:
        lower.append(lo)
        upper.append(hi)
        starts.append(len(index))
        index.extend(idx)
        value.extend(val)

    for i, c in enumerate(usable):
        own = list(range(int(first_col[i]), int(first_col[i + 1])))
        if has_b and c.grade == "B":
            row(-_INF, 0.0, own + [u], [1.0] * len(own) + [-1.0])
        else:
            row(-_INF, 1.0, own, [1.0] * len(own))
        if has_b and c.grade == "C":
            row(-_INF, 0.0, [u, own[-1]], [1.0, -1.0])
    for p, amount in need.items():
        idx = [k for k, (i, j) in enumerate(cols) if usable[i].options[j].reduction.get(p, 0.0) > 0]
        row(amount, _INF, idx, [usable[cols[k][0]].options[cols[k][1]].reduction[p] for k in idx])
    h.addRows(len(lower), np.array(lower), np.array(upper), len(index), np.array(starts, dtype=np.int32),
              np.array(index, dtype=np.int32), np.array(value, dtype=float))
    h.run()
    status = h.getModelStatus()
    seconds = time.perf_counter() - started
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return Report("infeasible", None, seconds, 0.0, [], need, {}, n)
    if info.primal_solution_status != 2:  # no feasible point found (time limit before any)
        return Report("time_limit", None, seconds, 0.0, [], need, {}, n)
    x = np.asarray(h.getSolution().col_value)
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "gap"
    chosen = [(usable[i], usable[i].options[j]) for k, (i, j) in enumerate(cols) if x[k] > 0.5]
    achieved = {p: sum(o.reduction.get(p, 0.0) for _, o in chosen) for p in need}
    proposals = [Proposal(c.enterprise_id, c.line_id, c.grade, o.measure, o.percent, dict(o.reduction),
                          o.capacity_lost, _explain(c, o, need, has_b)) for c, o in chosen]
    proposals.sort(key=lambda q: (_grade_rank(q.grade) != "ungraded", q.grade or "", -q.capacity_lost))
    return Report(label, gap, seconds, float(sum(o.capacity_lost for _, o in chosen)), proposals, need, achieved, n)


def _explain(c: Candidate, o: Option, need: Mapping[str, float], b_opened: bool) -> str:
    """Why this measure: its share of each shortfall it closes, its cost, and the grade-order reason."""
    parts = [f"{p}: {o.reduction.get(p, 0.0):,.0f} kg ({100 * o.reduction.get(p, 0.0) / v:.1f} % of the shortfall)"
             for p, v in need.items() if o.reduction.get(p, 0.0) > 0]
    what = "stop" if o.measure == "stop" else f"curtail {o.percent:g} %"
    grade = c.grade or "ungraded"
    order = ""
    if c.grade == "B" and b_opened:
        order = "; every C-grade line already takes its strongest measure, so B-grade lines may be used (003:51)"
    elif c.grade == "C":
        order = "; C-grade lines are used before B-grade ones (003:51)"
    return f"{grade}-grade line {c.line_id}: {what} cuts {', '.join(parts)} at capacity cost {o.capacity_lost:g}{order}"


def options_for(base: Mapping[str, float], current_fraction: float, capacity_weight: float,
                allowed: Sequence[tuple[str, float]]) -> tuple[Option, ...]:
    """Options a line can add on top of its current measure: each allowed (measure, %) stronger than now."""
    out = []
    for measure, percent in allowed:
        fraction = 1.0 if measure == "stop" else percent / 100.0
        extra = fraction - current_fraction
        if extra <= 1e-9:
            continue
        out.append(Option(measure, 100.0 if measure == "stop" else percent,
                          {p: float(base.get(p) or 0.0) * extra for p in POLLUTANTS}, capacity_weight * extra))
    return tuple(sorted(out, key=lambda o: o.capacity_lost))
