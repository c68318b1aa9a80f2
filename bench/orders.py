"""Benchmark: alert-day orders for a synthetic city (5,000 enterprises / 25,000 lines), issue 17's speed line.

    .venv/bin/python -m bench.orders [--pack shijiazhuang-2018-20] [--level orange] [--enterprises 5000] [--repeat 3]

Each of --repeat rounds times, one after the other (so both meet the same load; the best of each is kept):
the engine's batch evaluation of the same lines once at the level — grading.batch.evaluate_frame, frame built
included: the FLOOR; and the fan-out of orders (registry.emergency.orders.fan_out: the same facts through
registry/policy/engine.decide_many, then per line the pure choice plan | pack, R-O-01/02/03, and the order dicts),
a third of the enterprises with a filed plan. Reports fan-out / floor (issue 17: ≤ 2) and peak RSS. Like
bench.schedules, the synthetic city bypasses the registry's record → facts mapper (its enterprises are evaluate
documents from bench.province), so the ratio compares the orders' own work with the engine's. Never a timed
assertion: figures go to stdout and bench/results/orders-<pack>-<level>.json.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import time
from datetime import date
from types import SimpleNamespace

from bench import report


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="shijiazhuang-2018-20")
    ap.add_argument("--level", default="orange")
    ap.add_argument("--date", default="2019-01-10")
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=25000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20181210)
    args = ap.parse_args()

    from bench.evaluate import machine
    from bench.province import documents, province_frame
    from grading.batch import evaluate_frame, frame_from_documents
    from registry.emergency.orders import Subject, fan_out

    on = date.fromisoformat(args.date)
    frame = province_frame(args.enterprises, args.lines, seed=args.seed)
    docs = documents(frame, args.pack, on.isoformat(), args.level)
    rng = random.Random(args.seed)  # noqa: S311  # nosec B311  # reproducible synthetic data
    subjects = []
    for n, d in enumerate(docs):
        ent = d["enterprise"]
        lines = {ln["line_id"]: SimpleNamespace(id=n * 100 + i, code=ln["line_id"], name=ln.get("name", ""),
                                                sector=ln.get("sector") or ent["sector"])
                 for i, ln in enumerate(ent["lines"])}
        plan = {}
        if rng.random() < 1 / 3:  # a filed plan: stop or curtail 30 % per line
            plan = {(line.id, args.level): SimpleNamespace(measure=rng.choice(["stop", "curtail"]), percent=30,
                                                           key_indicators="", responsible_person="", contact="")
                    for line in lines.values()}
        subjects.append(Subject({"enterprise_id": n + 1, "name": ent.get("name", ""), "uscc": f"{n + 1:018d}",
                                 "region_code": "130100", "sector": ent["sector"], "grade": None, "address": ""},
                                ent, lines, plan))
    n_lines = sum(len(d["enterprise"]["lines"]) for d in docs)
    floor_runs, fan_runs = [], []
    orders: list = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        evaluate_frame(frame_from_documents(docs), args.pack, on, args.level, workers=1)
        floor_runs.append(time.perf_counter() - t)
        t = time.perf_counter()
        orders = fan_out(args.pack, on, args.level, subjects)
        fan_runs.append(time.perf_counter() - t)
    floor, fan = min(floor_runs), min(fan_runs)
    out = {"pack": args.pack, "level": args.level, "date": on.isoformat(), "enterprises": len(docs), "lines": n_lines,
           "orders": len(orders), "order_lines": sum(len(o["lines"]) for o in orders),
           "from_plan": sum(1 for o in orders for i in o["lines"] if i["source"] == "plan"),
           "floor_s": round(floor, 3), "fan_out_s": round(fan, 3), "ratio": round(fan / floor, 2),
           "floor_runs": [round(x, 3) for x in floor_runs], "fan_out_runs": [round(x, 3) for x in fan_runs],
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "load_average": os.getloadavg(), "machine": machine()}
    return report(f"orders-{args.pack}-{args.level}", out)


if __name__ == "__main__":
    main()
