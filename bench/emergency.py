"""Benchmark: emergency-list totals and the optimizer on a synthetic city (5,000 enterprises / 25,000 lines).

    .venv/bin/python -m bench.emergency [--pack jjj-2019-20] [--level red] [--enterprises 5000] [--seed 2019]

Pure path (grading/rules/reductions.py + registry/emergency/optimizer.py, no database): time to the city totals of every
level, time to an optimal (or ≤ 1 % gap) proposal closing the level's shortfall, the solver's status and gap,
and peak RSS. Never a timed assertion: figures go to stdout and bench/results/emergency.json.
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
from registry.emergency.optimizer import Candidate, optimize, options_for
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="jjj-2019-20")
    ap.add_argument("--level", default="red")
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--gap", type=float, default=0.01)
    args = ap.parse_args()
    pack = get_pack(args.pack)
    t0 = time.perf_counter()
    lines, actions, facts = synthetic_city(args.enterprises, args.seed)
    generated = time.perf_counter() - t0

    t0 = time.perf_counter()
    totals = {lvl: city_totals(pack, lvl, lines, actions.get(lvl, {})) for lvl in emergency_levels(pack)}
    totals_s = time.perf_counter() - t0

    level = totals[args.level]
    days = baseline_days(pack)
    t0 = time.perf_counter()
    cands = candidates(lines, actions.get(args.level, {}), days, facts, MeasureRules(pack))
    build_s = time.perf_counter() - t0
    protect_a = ((pack.section("emergency_grading") or {}).get("grade_a") or {}).get("measure") == "none"
    report = optimize(cands, level.shortfall(), protect_a=protect_a, mip_rel_gap=args.gap, time_limit=60)
    out = {
        "pack": pack.id, "level": args.level, "enterprises": args.enterprises, "lines": len(lines),
        "generate_s": round(generated, 3), "totals_all_levels_s": round(totals_s, 3),
        "shortfall_kg": {p: round(v, 1) for p, v in level.shortfall().items()},
        "percent_before": {p.pollutant: round(p.percent, 2) for p in level.pollutants},
        "targets": dict(level.targets.percent),
        "candidates": len(cands), "variables": report.variables, "build_candidates_s": round(build_s, 3),
        "solver_status": report.status, "gap": report.gap, "solve_s": round(report.seconds, 3),
        "proposal_s": round(build_s + report.seconds, 3), "proposals": len(report.proposals),
        "reaches_targets": report.reaches_targets, "capacity_lost": round(report.capacity_lost, 2),
        "protect_a": protect_a, "peak_rss_mb": round(rss_mb(), 1),
        "machine": {"python": platform.python_version(), "nproc": os.cpu_count(), "load": os.getloadavg()},
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    Path(f"bench/results/emergency-{pack.id}-{args.level}.json").write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
