"""Benchmark: emergency-list totals and the optimizer on a synthetic city (5,000 enterprises / 25,000 lines).

    .venv/bin/python -m bench.emergency [--pack jjj-2019-20] [--level all|red] [--gap 0.001] [--rounds 3]

Pure path (grading/rules/reductions.py + registry/emergency/optimizer.py, no database): time to the city totals of every
level, then per level short of its target: time (wall and this process's CPU, which other processes' load does
not inflate) to a proposal within the requested gap (default optimizer.MIP_REL_GAP) closing the level's
shortfall, the solver's status and proven gap, and as floor the CPU of the LP relaxation alone in the same round.
Never a timed assertion: figures go to stdout and bench/results/emergency-<pack>-<level>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import time
from pathlib import Path

from grading.packs import get_pack
from registry.emergency.optimizer import MIP_REL_GAP, Candidate, _Arrays, _relaxation, optimize, options_for
from registry.policy.emergency import Action, LineBaseline, LineFacts, MeasureRules, baseline_days, city_totals, emergency_levels

# What the synthetic lines are, for each line's allowed measures (measures.py): industry, process, fuel,
# interruptible, livelihood task — weights roughly like a Hebei city's registry.
FACTS = [(LineFacts("coking", "none", "coke_oven", "coke_oven_gas"), 5),
         (LineFacts("steel", "steel_blast_furnace", "blast_furnace", "coke"), 4),
         (LineFacts("steel", "steel_sinter", "sinter_machine", "coke_oven_gas"), 4),
         (LineFacts("recycled_nonferrous", "recycled_aluminium", "melting_casting", "natural_gas"), 4),
         (LineFacts("cement", "cement_kiln", "cement_kiln", "coal"), 6),
         (LineFacts("cement", "cement_kiln", "cement_kiln", "coal", livelihood=True), 1),
         (LineFacts("glass", "glass_flat", "glass_furnace", "natural_gas", interruptible=False), 5),
         (LineFacts("chemicals", "chem_resin", "voc_process", "natural_gas", interruptible=False), 5),
         (LineFacts("packaging_printing", "none", "voc_process", "electricity"), 20),
         (LineFacts("foundry", "none", "electric_furnace", "electricity"), 10),
         (LineFacts("other", "none", "boiler", "natural_gas"), 36)]
# kg/d medians per pollutant; VOCs only on a third of the lines (coatings, printing, chemicals)
MEDIANS = {"so2": 40.0, "nox": 80.0, "pm": 30.0, "vocs": 25.0}


def synthetic_city(enterprises: int, seed: int):
    """Lines with lognormal daily emissions, grades A/B/C/ungraded 10/40/40/10 %, and the plans' measures
    (none / curtail 30 % / curtail 50 % / stop) so that the city lands short of the higher levels."""
    rng = random.Random(seed)
    lines: list[LineBaseline] = []
    facts: dict[str, LineFacts] = {}
    kinds, weights = zip(*FACTS)
    actions: dict[str, dict[tuple[str, str], Action]] = {}
    levels = ("blue", "yellow", "orange", "red")
    for e in range(enterprises):
        grade = rng.choices(["A", "B", "C", None], weights=[10, 40, 40, 10])[0]
        for n in range(rng.choice([3, 4, 5, 6, 7])):
            daily = {p: (rng.lognormvariate(0, 1.0) * m if (p != "vocs" or rng.random() < 0.33) else 0.0)
                     for p, m in MEDIANS.items()}
            line = LineBaseline(str(e), f"{e}-{n}", daily, "heating_boiler" if rng.random() < 0.05 else "industrial",
                                grade, rng.lognormvariate(0, 0.5))
            lines.append(line)
            facts[line.line_id] = rng.choices(kinds, weights=weights)[0]
            for i, level in enumerate(levels):
                share = [0.0, 0.05, 0.1, 0.15][i] + (0.1 if grade == "C" else 0.0)
                if rng.random() < share * 2:
                    actions.setdefault(level, {})[(line.enterprise_id, line.line_id)] = Action("curtail", 30)
    return lines, actions, facts


def candidates(lines, actions, days, facts, rules):
    """As operations.candidates: each line's allowed measures from the pack, stronger than its plan's."""
    out = []
    for line in lines:
        allowed = rules.allowed(facts[line.line_id])
        n = days.of(line.baseline_class)
        base = {p: v * n for p, v in line.daily.items()}
        current = actions.get((line.enterprise_id, line.line_id), Action("none")).fraction
        opts = options_for(base, current, line.capacity_weight, allowed.steps, allowed.label)
        if opts:
            out.append(Candidate(line.enterprise_id, line.line_id, line.grade, opts,
                                 tuple(g.as_dict() for g in allowed.grounds)))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(cands, shortfall, protect_a) -> float:
    """CPU seconds of the LP relaxation alone (arrays built, one HiGHS LP): what any exact method must at least do."""
    need = {p: float(v) for p, v in shortfall.items() if v and v > 0}
    usable = [c for c in cands if c.options and not (protect_a and c.grade == "A")]
    if not need or not usable:
        return 0.0
    t0 = time.process_time()
    _relaxation(_Arrays.of(usable, need), 60.0)
    return time.process_time() - t0


def run_level(pack, lines, actions, facts, level_name: str, totals, gap: float, rounds: int) -> dict:
    days = baseline_days(pack)
    level = totals[level_name]
    protect_a = ((pack.section("emergency_grading") or {}).get("grade_a") or {}).get("measure") == "none"
    best: dict | None = None
    for _ in range(rounds):  # each round: candidates, proposal, floor one after the other (same load); best kept
        w0, c0 = time.perf_counter(), time.process_time()
        cands = candidates(lines, actions.get(level_name, {}), days, facts, MeasureRules(pack))
        build_w, build_c = time.perf_counter() - w0, time.process_time() - c0
        w1, c1 = time.perf_counter(), time.process_time()
        report = optimize(cands, level.shortfall(), protect_a=protect_a, mip_rel_gap=gap, time_limit=60)
        solve_w, solve_c = time.perf_counter() - w1, time.process_time() - c1
        floor = _floor(cands, level.shortfall(), protect_a)
        row = {
            "level": level_name, "shortfall_kg": {p: round(v, 1) for p, v in level.shortfall().items()},
            "percent_before": {p.pollutant: round(p.percent, 2) for p in level.pollutants},
            "targets": dict(level.targets.percent), "candidates": len(cands), "variables": report.variables,
            "mip_rel_gap": gap, "solver_status": report.status, "gap": report.gap,
            "build_candidates_s": round(build_w, 3), "build_candidates_cpu_s": round(build_c, 3),
            "solve_s": round(solve_w, 3), "solve_cpu_s": round(solve_c, 3),
            "proposal_s": round(build_w + solve_w, 3), "proposal_cpu_s": round(build_c + solve_c, 3),
            "floor_lp_cpu_s": round(floor, 3), "solve_over_floor_cpu": round(solve_c / floor, 2) if floor else None,
            "proposals": len(report.proposals), "reaches_targets": report.reaches_targets,
            "capacity_lost": round(report.capacity_lost, 2), "protect_a": protect_a, "load": os.getloadavg(),
        }
        if best is None or row["proposal_cpu_s"] < best["proposal_cpu_s"]:
            best = row
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="jjj-2019-20")
    ap.add_argument("--level", default="all", help="an alert level, or all (every level the pack names)")
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--gap", type=float, default=MIP_REL_GAP, help="relative optimality gap asked of HiGHS")
    ap.add_argument("--rounds", type=int, default=1, help="rounds per level; the best (least CPU) is kept")
    args = ap.parse_args()
    pack = get_pack(args.pack)
    t0 = time.perf_counter()
    lines, actions, facts = synthetic_city(args.enterprises, args.seed)
    generated = time.perf_counter() - t0

    t0 = time.perf_counter()
    totals = {lvl: city_totals(pack, lvl, lines, actions.get(lvl, {})) for lvl in emergency_levels(pack)}
    totals_s = time.perf_counter() - t0
    levels = list(emergency_levels(pack)) if args.level == "all" else [args.level]
    rows = [run_level(pack, lines, actions, facts, lvl, totals, args.gap, args.rounds) for lvl in levels
            if not totals[lvl].met]
    out = {
        "pack": pack.id, "enterprises": args.enterprises, "lines": len(lines),
        "generate_s": round(generated, 3), "totals_all_levels_s": round(totals_s, 3), "levels": rows,
        "peak_rss_mb": round(rss_mb(), 1),
        "machine": {"python": platform.python_version(), "nproc": os.cpu_count(), "load": os.getloadavg()},
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    Path(f"bench/results/emergency-{pack.id}-{args.level}.json").write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
