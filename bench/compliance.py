"""Benchmark: the compliance checks (issue 19; registry/compliance/checks.evaluate) on a synthetic episode.

    .venv/bin/python -m bench.compliance [--enterprises 2000] [--episode-days 5] [--work /tmp/bench-compliance]

A plan of `--enterprises` enterprises (2 meters each, a stack for 30 %, everyone under the transport ban; 30 % stop,
40 % curtail), 16 normal days and the episode, with 2 violators of each kind (registry/readings/synthetic.py), is
written to a store under `--work`. Timed (CPU: time.process_time of this process, DuckDB's threads included, and
wall): every check of every enterprise's order window (R-CK-01…05 through registry/policy/compliance), against the
floor — DuckDB's own scan of the same files (one group-by of kWh per meter over every electricity file the checks
read, plus the CEMS and gate files). The planted violators must be found exactly. Load average is recorded; no
timed assertion. Figures to stdout and bench/results/compliance.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import date
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=2000)
    ap.add_argument("--episode-days", type=int, default=5)
    ap.add_argument("--work", default="/tmp/bench-compliance")  # noqa: S108  # nosec B108  # a scratch directory, removed first
    args = ap.parse_args()

    from registry import create_app

    app = create_app()
    with app.app_context():
        from registry.compliance.truth import found, plan_windows
        from registry.readings import synthetic
        from registry.readings.store import ReadingsStore

        work = Path(args.work)
        shutil.rmtree(work, ignore_errors=True)
        store = ReadingsStore(work / "readings")
        plan = synthetic.plan_province(args.enterprises, ["130100"], first_day=date(2026, 11, 2), normal_days=16,
                                       episode_days=args.episode_days, violators_per_kind=2, with_stacks=0.3)
        rows = 0
        for kind, _city, _day, table in synthetic.generate(plan):
            rows += store.append(kind, table).accepted
        windows, meters, stacks = plan_windows(plan)

        from registry.compliance.checks import evaluate

        load = os.getloadavg()
        c0, w0 = time.process_time(), time.perf_counter()
        results = evaluate(store, windows, meters, stacks)
        check_cpu, check_wall = time.process_time() - c0, time.perf_counter() - w0

        c0, w0 = time.process_time(), time.perf_counter()
        store.sql("SELECT meter_id, sum(kwh) FROM electricity GROUP BY meter_id")
        store.sql("SELECT stack_id, count(*) FROM cems GROUP BY stack_id")
        store.sql("SELECT enterprise_id, count(*) FROM gate GROUP BY enterprise_id")
        floor_cpu, floor_wall = time.process_time() - c0, time.perf_counter() - w0

        exact = found(results) == plan.expected()
        out = {"enterprises": args.enterprises, "episode_days": args.episode_days, "readings": rows,
               "windows": len(windows), "results": len(results), "exact": exact,
               "check_cpu_s": round(check_cpu, 2), "check_wall_s": round(check_wall, 2),
               "floor_cpu_s": round(floor_cpu, 2), "floor_wall_s": round(floor_wall, 2),
               "ratio_cpu": round(check_cpu / floor_cpu, 1) if floor_cpu else None,
               "load_average": [round(x, 1) for x in load]}
        print(json.dumps(out, ensure_ascii=False))
        results_dir = Path(__file__).parent / "results"
        results_dir.mkdir(exist_ok=True)
        (results_dir / "compliance.json").write_text(json.dumps(out, indent=1))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
