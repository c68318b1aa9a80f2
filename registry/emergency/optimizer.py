"""The emergency-list optimizer: the least production capacity lost that closes every pollutant's shortfall.

A mixed-integer program solved with HiGHS (highspy). Pure: candidates and shortfalls in, a
report out; no database. Each line takes at most one additional measure from the ones it is
allowed (measures.py: per line from the pack); grade order is a hard constraint (003:51): A-grade lines are untouched where the pack
says A takes no measure, and no B-grade line is touched unless every C-grade line already takes
its strongest allowed measure ("C before B").

How it is solved (issue 18 item 3): the LP relaxation first, with one column per line instead of one per option
(a line's options are fractions of its strongest one, so any mix of them is a point of one segment) and no
at-most-one rows; its optimum is a proven lower bound, and rounding it (up, or down and then repaired greedily,
then trimmed) almost always lands within MIP_REL_GAP of that bound at once. When it does not, reduced-cost
fixing settles every line the bound proves cannot change, and HiGHS's MIP solves the few hundred lines left,
starting from the rounding. The gap reported is always (cost − proven bound) / cost, as HiGHS reports it.
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


MIP_REL_GAP = 1e-3  # the relative optimality gap asked of every proposal: (cost − lower bound) / cost ≤ 0.1 %


def _grade_rank(grade: str | None) -> str:
    return grade or "ungraded"


def optimize(candidates: Sequence[Candidate], shortfall: Mapping[str, float], *, protect_a: bool = True,
             c_before_b: bool = True, time_limit: float = 10.0, mip_rel_gap: float = MIP_REL_GAP) -> Report:
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


_FEASIBLE = 1e-7  # a cover row counts as met within this share of max(1, shortfall) (HiGHS's own feasibility tolerance)


@dataclass
class _Arrays:
    """The covering problem as arrays: option k (of all lines' options, line by line) belongs to line owner[k],
    costs cost[k] and cuts red[k, p] of pollutant p; line i's options are starts[i] .. starts[i] + counts[i] - 1."""

    need: np.ndarray
    cost: np.ndarray
    red: np.ndarray
    owner: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, usable: Sequence[Candidate], need: Mapping[str, float]) -> "_Arrays":
        pollutants = list(need)
        opts = [o for c in usable for o in c.options]
        counts = np.fromiter((len(c.options) for c in usable), dtype=np.int64, count=len(usable))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        red = np.array([[o.reduction.get(p, 0.0) for p in pollutants] for o in opts], dtype=float)
        return cls(np.array([need[p] for p in pollutants], dtype=float),
                   np.fromiter((o.capacity_lost for o in opts), dtype=float, count=len(opts)),
                   red.reshape(len(opts), len(pollutants)), np.repeat(np.arange(len(usable)), counts), starts, counts)

    def met(self, achieved: np.ndarray) -> bool:
        return bool(np.all(achieved >= self.need - _FEASIBLE * np.maximum(1.0, self.need)))

    def totals(self, choice: np.ndarray) -> tuple[float, np.ndarray]:
        picked = choice[choice >= 0]
        return float(self.cost[picked].sum()), self.red[picked].sum(axis=0)


def _highs(time_limit: float, mip_rel_gap: float) -> highspy.Highs:
    with _no_banner():
        h = highspy.Highs()
    h.setOptionValue("output_flag", bool(os.environ.get("HIGHS_LOG")))
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    return h


def _load(h: highspy.Highs, cost: np.ndarray, cuts: np.ndarray, upper: np.ndarray, need: np.ndarray,
          groups: Sequence[np.ndarray], integer: bool) -> None:
    """Columns with their costs and bounds, one cover row per pollutant and an at-most-one row per group of
    columns (a line's options), each added in one call from arrays."""
    n = len(cost)
    idx = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), upper)
    h.changeColsCost(n, idx, cost)
    if integer:
        h.changeColsIntegrality(n, idx, np.full(n, highspy.HighsVarType.kInteger))
    nz = [np.nonzero(cuts[:, p] > 0)[0].astype(np.int32) for p in range(cuts.shape[1])]
    lens = np.fromiter((len(z) for z in nz), dtype=np.int64, count=len(nz))
    h.addRows(len(nz), need, np.full(len(nz), _INF), int(lens.sum()),
              np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int32),
              np.concatenate(nz).astype(np.int32), np.concatenate([cuts[z, p] for p, z in enumerate(nz)]))
    if groups:
        lens = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        h.addRows(len(groups), np.full(len(groups), -_INF), np.ones(len(groups)), int(lens.sum()),
                  np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int32),
                  np.concatenate(groups).astype(np.int32), np.ones(int(lens.sum())))


@dataclass
class _Relaxed:
    """The LP relaxation's optimum: its value (a lower bound on the MIP's), each option's fraction t of its
    line's strongest option (NaN where the line is priced option by option), the LP's share of the strongest
    option per line (NaN likewise) with its reduced cost, and the LP value of each option-by-option column."""

    bound: float
    t: np.ndarray
    share: np.ndarray
    reduced: np.ndarray
    value: np.ndarray


def _relaxation(a: _Arrays, time_limit: float) -> _Relaxed | str | None:
    """The LP relaxation, smaller than the MIP's: a line whose options are all fractions t of its strongest one
    (options_for: cut and cost both ∝ the extra share of capacity) needs no at-most-one row — any mix of its
    options is the segment [0, 1] × the strongest option, one column. Other lines keep a column per option and
    their row. "infeasible" when even the relaxation is (then so is the MIP); None if HiGHS gave no optimum."""
    last = a.starts + a.counts - 1
    strongest = last[a.owner]
    size = a.cost + a.red.sum(axis=1)
    t = np.divide(size, size[strongest], out=np.zeros_like(size), where=size[strongest] > 0)
    scale = np.maximum(1.0, np.abs(a.red[strongest]).max(axis=1, initial=0.0))
    proportional = ((np.abs(a.red - t[:, None] * a.red[strongest]).max(axis=1, initial=0.0) <= 1e-9 * scale)
                    & (np.abs(a.cost - t * a.cost[strongest]) <= 1e-9 * np.maximum(1.0, a.cost[strongest]))
                    & (t > 0) & (t <= 1 + 1e-12))
    line_prop = np.logical_and.reduceat(proportional, a.starts)
    prop_lines = np.nonzero(line_prop)[0]
    other = np.nonzero(~line_prop[a.owner])[0]  # options of the other lines, one column each
    groups, first = [], len(prop_lines)
    for i in np.nonzero(~line_prop)[0]:
        if a.counts[i] > 1:
            groups.append(np.arange(first, first + int(a.counts[i])))
        first += int(a.counts[i])
    h = _highs(time_limit, 0.0)
    h.setOptionValue("presolve", "off")  # its LP presolve took 0.8 s on a 2-row relaxation that solves in 0.02 s
    _load(h, np.concatenate((a.cost[last[prop_lines]], a.cost[other])),
          np.vstack((a.red[last[prop_lines]], a.red[other])), np.ones(len(prop_lines) + len(other)), a.need,
          groups, integer=False)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    if status != highspy.HighsModelStatus.kOptimal:
        return None
    solution = h.getSolution()
    x, d = np.asarray(solution.col_value), np.asarray(solution.col_dual)
    share, reduced = np.full(len(a.starts), np.nan), np.full(len(a.starts), np.nan)
    share[prop_lines], reduced[prop_lines] = x[:len(prop_lines)], d[:len(prop_lines)]
    value = np.zeros(len(a.cost))
    value[other] = x[len(prop_lines):]
    return _Relaxed(float(h.getInfo().objective_function_value), np.where(line_prop[a.owner], t, np.nan),
                    share, reduced, value)


def _fixed(a: _Arrays, lp: _Relaxed, best: float) -> np.ndarray:
    """Reduced-cost fixing (exact): a line the LP leaves at 0 with reduced cost d > 0 costs at least
    bound + d·t_min more if it takes any option, and a line the LP puts at its strongest option with d < 0 costs
    at least bound + |d|·(1 − t_next) if it takes less; where that exceeds the best cost found the line keeps
    its LP choice in every better solution. Returns per line: the option index it is fixed at, -1 for none,
    -2 when free."""
    margin = 1e-7 * max(1.0, abs(best))
    fix = np.full(len(a.starts), -2)
    last = a.starts + a.counts - 1
    t_min = lp.t[a.starts]
    t_next = np.where(a.counts > 1, lp.t[np.maximum(last - 1, a.starts)], 0.0)
    prop = ~np.isnan(lp.share)
    at_zero = prop & (lp.share <= 1e-9) & (lp.reduced > 0) & (lp.bound + lp.reduced * t_min > best + margin)
    at_one = prop & (lp.share >= 1 - 1e-9) & (lp.reduced < 0) & (lp.bound - lp.reduced * (1 - t_next) > best + margin)
    fix[at_zero] = -1
    fix[at_one] = last[at_one]
    return fix


def _roundings(a: _Arrays, lp: _Relaxed) -> list[np.ndarray]:
    """Two integer points from the LP optimum (an option per line or -1): each line's share rounded up to the
    next option, and rounded down. At most one line per cover row is fractional at a vertex."""
    eps = 1e-9
    n = len(a.cost)
    k = np.arange(n)
    t, y, value = lp.t, lp.share[a.owner], lp.value
    prop = ~np.isnan(t)
    up_ok = prop & (y > eps) & (t >= y - eps)
    down_ok = prop & (y > eps) & (t <= y + eps)
    up = np.minimum.reduceat(np.where(up_ok, k, n), a.starts)
    down = np.maximum.reduceat(np.where(down_ok, k, -1), a.starts)
    up[up == n] = -1
    for i in np.unique(a.owner[~prop]):  # lines priced option by option: their largest and any whole option
        s, c = int(a.starts[i]), int(a.counts[i])
        v = value[s:s + c]
        up[i] = s + int(np.argmax(v)) if v.sum() > eps else -1
        down[i] = s + int(np.argmax(v)) if v.max() >= 1 - eps else -1
    return [up, down]


def _repair(a: _Arrays, choice: np.ndarray) -> np.ndarray | None:
    """Greedy: while a pollutant is short, make the change (a line to another of its options) with the least
    added cost per share of the remaining shortfall it closes."""
    choice = choice.copy()
    while True:
        _, achieved = a.totals(choice)
        if a.met(achieved):
            return choice
        short = np.maximum(a.need - achieved, 0.0)
        cur = choice[a.owner]
        has = cur >= 0
        cur_red = np.where(has[:, None], a.red[np.maximum(cur, 0)], 0.0)
        cur_cost = np.where(has, a.cost[np.maximum(cur, 0)], 0.0)
        useful = (np.minimum(np.maximum(a.red - cur_red, 0.0), short) / np.maximum(a.need, 1e-300)).sum(axis=1)
        useful[cur == np.arange(len(a.cost))] = 0.0
        if not np.any(useful > 0):
            return None
        score = np.where(useful > 0, (a.cost - cur_cost) / np.where(useful > 0, useful, 1.0), np.inf)
        best = int(np.argmin(score))
        choice[a.owner[best]] = best


def _trim(a: _Arrays, choice: np.ndarray) -> np.ndarray:
    """Each chosen line, dearest first, moves to its cheapest option (or none) that keeps every row met."""
    choice = choice.copy()
    _, achieved = a.totals(choice)
    floor = a.need - _FEASIBLE * np.maximum(1.0, a.need)
    chosen = np.nonzero(choice >= 0)[0]
    for i in chosen[np.argsort(-a.cost[choice[chosen]], kind="stable")]:
        k = int(choice[i])
        without = achieved - a.red[k]
        if np.all(without >= floor):
            choice[i], achieved = -1, without
            continue
        s = int(a.starts[i])
        for j in range(s, s + int(a.counts[i])):
            if a.cost[j] < a.cost[k] and np.all(without + a.red[j] >= floor):
                choice[i], achieved = j, without + a.red[j]
                break
    return choice


def _solve(usable: Sequence[Candidate], need: Mapping[str, float], time_limit: float,
           mip_rel_gap: float) -> tuple[str, float | None, list[tuple[Candidate, Option]], int]:
    """The covering MIP; (status, gap, chosen options, variables = options).

    First its LP relaxation (one column per line, see _relaxation) gives a lower bound and a point that is
    rounded (up, and down then repaired greedily) and trimmed. If the best rounding is within mip_rel_gap of the
    bound it is returned as HiGHS would return it (optimal within the tolerance, the same gap definition:
    (cost − bound) / cost). Otherwise the lines that reduced-cost fixing settles keep their LP choice and HiGHS
    solves the MIP of the remaining lines, starting from the rounding as its incumbent."""
    if not need:
        return "optimal", 0.0, [], 0
    started = time.perf_counter()
    a = _Arrays.of(usable, need)
    n = len(a.cost)
    if n == 0:
        return "infeasible", None, [], 0
    lp = _relaxation(a, time_limit)
    if lp == "infeasible":
        return "infeasible", None, [], n
    incumbent, bound, best = None, 0.0, np.inf
    fix = np.full(len(usable), -2)
    if isinstance(lp, _Relaxed):
        points = [p for p in (_repair(a, r) for r in _roundings(a, lp)) if p is not None]
        if points:
            incumbent = min((_trim(a, p) for p in points), key=lambda p: a.totals(p)[0])
            best, bound = a.totals(incumbent)[0], lp.bound
            gap = _gap(best, bound)
            if gap <= mip_rel_gap:
                return "optimal", gap, _chosen(usable, a, incumbent), n
            fix = _fixed(a, lp, best)
    free = np.nonzero(fix == -2)[0]
    settled = np.where(fix >= -1, fix, -1)
    fixed_cost, fixed_cut = a.totals(settled)
    cols = np.concatenate([np.arange(a.starts[i], a.starts[i] + a.counts[i]) for i in free]) if len(free) else \
        np.zeros(0, dtype=np.int64)
    rest = a.need - fixed_cut
    rest[rest <= _FEASIBLE * np.maximum(1.0, a.need)] = 0.0  # met by the fixed lines (within the tolerance)
    h = _highs(time_limit - (time.perf_counter() - started), mip_rel_gap)
    if np.isfinite(best):
        h.setOptionValue("mip_abs_gap", float(mip_rel_gap * bound))  # the whole problem's gap, not the part's
    position = np.full(n, -1)
    position[cols] = np.arange(len(cols))
    groups = [position[a.starts[i]:a.starts[i] + a.counts[i]] for i in free if a.counts[i] > 1]
    _load(h, a.cost[cols], a.red[cols], np.ones(len(cols)), rest, groups, integer=True)
    if incumbent is not None:
        x = np.zeros(len(cols))
        x[position[incumbent[free][incumbent[free] >= 0]]] = 1.0
        h.setSolution(len(cols), np.arange(len(cols), dtype=np.int32), x)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible and incumbent is None:
        return "infeasible", None, [], n
    if info.primal_solution_status != 2 and incumbent is None:  # no feasible point found before the time limit
        return "time_limit", None, [], n
    choice = settled.copy()
    if info.primal_solution_status == 2:
        x = np.asarray(h.getSolution().col_value)
        picked = cols[np.nonzero(x > 0.5)[0]]
        choice[a.owner[picked]] = picked
        if incumbent is not None and a.totals(incumbent)[0] < a.totals(choice)[0]:
            choice = incumbent
    else:
        choice = incumbent
    if np.isfinite(info.mip_dual_bound):
        bound = max(bound, fixed_cost + float(info.mip_dual_bound))
    total = a.totals(choice)[0]
    gap = _gap(total, bound)
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal or gap <= mip_rel_gap else "gap"
    return label, gap, _chosen(usable, a, choice), n


def _gap(cost: float, bound: float) -> float:
    """HiGHS's relative gap: (cost − bound) / cost, 0 when nothing is lost."""
    return max(cost - bound, 0.0) / cost if cost > 1e-12 else 0.0


def _chosen(usable: Sequence[Candidate], a: _Arrays, choice: np.ndarray) -> list[tuple[Candidate, Option]]:
    return [(usable[i], usable[i].options[int(choice[i] - a.starts[i])]) for i in np.nonzero(choice >= 0)[0]]


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
