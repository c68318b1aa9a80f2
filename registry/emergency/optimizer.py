"""The emergency-list optimizer: the least production capacity lost that closes every pollutant's shortfall.

A mixed-integer program solved with HiGHS (highspy). Pure: candidates and shortfalls in, a
report out; no database. Each line takes at most one additional measure from the ones it is
allowed (measures.py: per line from the pack); grade order is a hard constraint (003:51): A-grade lines are untouched where the pack
says A takes no measure, and no B-grade line is touched unless every C-grade line already takes
its strongest allowed measure ("C before B").
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import highspy
import numpy as np

from registry.policy.emergency import POLLUTANTS

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Option:
    """One measure a line may add: its extra reduction per pollutant (kg, annual base) and capacity cost."""

    measure: str  # curtail | stop
    percent: float
    reduction: Mapping[str, float]
    capacity_lost: float
    label: str = "curtail"  # how a curtailment is done: curtail | extend_coking (coke ovens, 002:595)


@dataclass(frozen=True)
class Candidate:
    enterprise_id: str
    line_id: str
    grade: str | None
    options: tuple[Option, ...]  # strongest last
    grounds: tuple[Mapping[str, str], ...] = ()  # why these options: measures.Ground.as_dict() per pack rule


@dataclass(frozen=True)
class Proposal:
    enterprise_id: str
    line_id: str
    grade: str | None
    measure: str
    percent: float
    reduction: Mapping[str, float]
    capacity_lost: float
    explanation: dict  # {"code": "proposal", "params": {...}}: rendered in the reader's language (explain.py)


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


_banner_shown = False


@contextlib.contextmanager
def _no_banner():
    """HiGHS writes a banner to file descriptor 1 the first time a solver is made in a process; `flask emergency`
    prints JSON lines there, so the first construction runs with fd 1 pointed at /dev/null."""
    global _banner_shown
    if _banner_shown:
        yield
        return
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
        _banner_shown = True


def _grade_rank(grade: str | None) -> str:
    return grade or "ungraded"


def optimize(candidates: Sequence[Candidate], shortfall: Mapping[str, float], *, protect_a: bool = True,
             c_before_b: bool = True, time_limit: float = 10.0, mip_rel_gap: float = 1e-4) -> Report:
    """Choose measures reaching every pollutant's shortfall with the least capacity lost.

    MIP: x[l,o] ∈ {0,1} (line l takes option o); Σ_o x[l,o] ≤ 1 per line; Σ reduction[p]·x ≥ shortfall[p] per
    pollutant; minimise Σ capacity_lost·x. "C before B" (B lines only once every C line takes its strongest
    measure) is solved exactly in two phases instead of with a switch variable u and one row per C line, which
    made HiGHS's presolve 4× slower: phase 1 leaves B lines out (the optimum with u = 0); phase 2 fixes every
    C line at its strongest option and lets B lines in (the optimum with u = 1). Phase 2 runs only when phase 1
    is infeasible or the C lines' strongest measures alone cost less than phase 1's optimum; the cheaper wins.
    """
    started = time.perf_counter()
    need = {p: float(v) for p, v in shortfall.items() if v and v > 0}
    if not need:
        return Report("nothing_to_do", 0.0, time.perf_counter() - started, 0.0, [], {}, {})
    usable = [c for c in candidates if c.options and not (protect_a and c.grade == "A")]
    b_lines = [c for c in usable if c.grade == "B"]
    fixed: list[tuple[Candidate, Option]] = []
    b_opened = False
    if c_before_b and b_lines:
        status, gap, chosen, n = _solve([c for c in usable if c.grade != "B"], need, time_limit, mip_rel_gap)
        cost = sum(o.capacity_lost for _, o in chosen)
        strongest = [(c, max(c.options, key=lambda o: o.capacity_lost)) for c in usable if c.grade == "C"]
        floor = sum(o.capacity_lost for _, o in strongest)
        if status in ("infeasible", "time_limit") or floor < cost:  # opening B could still be cheaper (u = 1)
            rest = {p: v - sum(o.reduction.get(p, 0.0) for _, o in strongest) for p, v in need.items()}
            left = max(time_limit - (time.perf_counter() - started), 0.1)
            s2, g2, c2, n2 = _solve([c for c in usable if c.grade != "C"], {p: v for p, v in rest.items() if v > 0},
                                    left, mip_rel_gap)
            if s2 in ("optimal", "gap") and (status not in ("optimal", "gap")
                                               or floor + sum(o.capacity_lost for _, o in c2) < cost):
                status, gap, chosen, n = s2, g2, c2, n + n2
                fixed, b_opened = strongest, True
    else:
        status, gap, chosen, n = _solve(usable, need, time_limit, mip_rel_gap)
    seconds = time.perf_counter() - started
    if status in ("infeasible", "time_limit"):
        return Report(status, None, seconds, 0.0, [], need, {}, n)
    chosen = fixed + chosen
    achieved = {p: sum(o.reduction.get(p, 0.0) for _, o in chosen) for p in need}
    proposals = [Proposal(c.enterprise_id, c.line_id, c.grade, o.measure, o.percent, dict(o.reduction),
                          o.capacity_lost, _explain(c, o, need, b_opened)) for c, o in chosen]
    proposals.sort(key=lambda q: (_grade_rank(q.grade) != "ungraded", q.grade or "", -q.capacity_lost))
    return Report(status, gap, seconds, float(sum(o.capacity_lost for _, o in chosen)), proposals, need, achieved, n)


def _solve(usable: Sequence[Candidate], need: Mapping[str, float], time_limit: float,
           mip_rel_gap: float) -> tuple[str, float | None, list[tuple[Candidate, Option]], int]:
    """One HiGHS run of the covering MIP; (status, gap, chosen options, variables)."""
    if not need:
        return "optimal", 0.0, [], 0
    cols: list[tuple[int, int]] = [(i, j) for i, c in enumerate(usable) for j in range(len(c.options))]
    n = len(cols)
    if n == 0:
        return "infeasible", None, [], 0
    opts = [usable[i].options[j] for i, j in cols]
    cost = np.fromiter((o.capacity_lost for o in opts), dtype=float, count=n)
    with _no_banner():
        h = highspy.Highs()
    h.setOptionValue("output_flag", bool(os.environ.get("HIGHS_LOG")))
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    idx = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, idx, cost)
    h.changeColsIntegrality(n, idx, np.full(n, highspy.HighsVarType.kInteger))
    # one row per line: at most one option
    counts = np.fromiter((len(c.options) for c in usable), dtype=np.int64, count=len(usable))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
    h.addRows(len(usable), np.full(len(usable), -_INF), np.ones(len(usable)), n, starts, idx, np.ones(n))
    # one row per pollutant short of its target: the chosen reductions cover the shortfall
    for p, amount in need.items():
        values = np.fromiter((o.reduction.get(p, 0.0) for o in opts), dtype=float, count=n)
        nz = np.nonzero(values > 0)[0].astype(np.int32)
        h.addRows(1, np.array([amount]), np.array([_INF]), len(nz), np.array([0], dtype=np.int32), nz, values[nz])
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None, [], n
    if info.primal_solution_status != 2:  # no feasible point found before the time limit
        return "time_limit", None, [], n
    x = np.asarray(h.getSolution().col_value)
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "gap"
    return label, gap, [(usable[i], opts[k]) for k, (i, j) in enumerate(cols) if x[k] > 0.5], n


def _explain(c: Candidate, o: Option, need: Mapping[str, float], b_opened: bool) -> dict:
    """Why this measure, as data (a code and parameters; explain.py renders it in the reader's language):
    its share of each shortfall it closes, its cost, the grade-order reason and the pack grounds of the
    line's allowed measures."""
    cuts = [{"pollutant": p, "kg": round(o.reduction.get(p, 0.0), 1),
             "share": round(100 * o.reduction.get(p, 0.0) / v, 1)}
            for p, v in need.items() if o.reduction.get(p, 0.0) > 0]
    order = "b_opened" if (c.grade == "B" and b_opened) else ("c_first" if c.grade == "C" else "")
    return {"code": "proposal", "params": {
        "grade": c.grade, "line": c.line_id, "measure": o.measure, "percent": o.percent, "label": o.label,
        "cuts": cuts, "cost": round(o.capacity_lost, 4), "order": order, "grounds": [dict(g) for g in c.grounds]}}


def options_for(base: Mapping[str, float], current_fraction: float, capacity_weight: float,
                allowed: Sequence[tuple[str, float]], label: str = "curtail") -> tuple[Option, ...]:
    """Options a line can add on top of its current measure: each allowed (measure, %) stronger than now."""
    out = []
    for measure, percent in allowed:
        fraction = 1.0 if measure == "stop" else percent / 100.0
        extra = fraction - current_fraction
        if extra <= 1e-9:
            continue
        out.append(Option(measure, 100.0 if measure == "stop" else percent,
                          {p: float(base.get(p) or 0.0) * extra for p in POLLUTANTS}, capacity_weight * extra,
                          "stop" if measure == "stop" else label))
    return tuple(sorted(out, key=lambda o: o.capacity_lost))
