"""Benchmark: the impact preview of a draft pack for a synthetic city (5,000 enterprises), issue 20's speed line.

    .venv/bin/python -m bench.pack_impact [--pack langfang-2017-18] [--level orange] [--enterprises 5000] [--repeat 3]

The draft is the pack copied for the season nine years later with its first two sector measures' percentages
(and, where the pack staggers by tiers, its tiers' percentages) raised by 10 points (a realistic edit: some lines change, most do not). Each of --repeat rounds times, one after
the other (so both meet the same load; the best of each is kept), in CPU seconds (time.process_time):
- the FLOOR: one batch evaluation of the same lines under the parent — grading.batch.frame_from_documents +
  evaluate_frame, what schedules and orders pay;
- the PREVIEW: registry.policy.drafts.impact_of_documents(parent, draft, docs, [day], [level]) — the frame built
  once, evaluated under each pack, the decisions compared per pair of fact profiles, counted by sector and county,
  the first 100 changed lines listed with both decisions, and both packs' decisions totalled against their targets
  on the lines' (synthetic) daily emissions.
Reports preview / floor (issue 20: ≤ 2.5, since it evaluates twice), wall times, the load average and peak RSS.
The synthetic city bypasses the registry's record → facts mapper (its enterprises are evaluate documents from
bench.province), as bench.orders and bench.schedules do, so the ratio compares the preview's own work with the
engine's. Never a timed assertion: figures go to stdout and bench/results/pack-impact-<pack>-<level>.json.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import time
from datetime import date

from bench import report


def _draft(pack_id: str, years: int):
    """The pack copied `years` later, with its first two percentage-carrying sector measures raised by 10 points."""
    from grading.packs import PACK_DIR
    from registry.policy import drafts

    raw = drafts.read_yaml((PACK_DIR / f"{pack_id}.yaml").read_text(encoding="utf-8"))

    def shift(text: str) -> str:
        d = date.fromisoformat(text)
        return d.replace(year=d.year + years).isoformat()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("start", "end", "deadline", "effective_from", "filing_deadline") and isinstance(v, str):
                    node[k] = shift(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(raw)
    raw["id"] = f"{pack_id}-draft"
    changed = 0
    for m in raw.get("sector_measures", []):
        if changed < 2 and isinstance(m.get("percentage_min"), (int, float)) and m["percentage_min"] <= 80:
            m["percentage_min"] += 10
            if isinstance(m.get("percentage_max"), (int, float)):
                m["percentage_max"] = max(m["percentage_max"], m["percentage_min"])
            changed += 1
    for tier in (raw.get("tiers") or {}).values():  # a pack staggering by tiers (004:389): its middle and low tiers
        if isinstance(tier, dict) and isinstance(tier.get("percentage_min"), (int, float)) and tier["percentage_min"] <= 80:
            tier["percentage_min"] += 10
            tier["percentage_max"] = max(tier.get("percentage_max") or 0, tier["percentage_min"])
    return drafts.load_draft(drafts.dump_yaml(raw))


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="langfang-2017-18")
    ap.add_argument("--level", default="orange")
    ap.add_argument("--date", default="2017-12-01")
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=25000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20181210)
    args = ap.parse_args()

    from bench.evaluate import machine
    from bench.province import documents, province_frame
    from grading.batch import evaluate_frame, frame_from_documents
    from grading.packs import get_pack
    from registry.policy.drafts import impact_of_documents

    years = 9
    on = date.fromisoformat(args.date)
    parent, draft = get_pack(args.pack), _draft(args.pack, years)
    draft_day = on.replace(year=on.year + years)
    frame = province_frame(args.enterprises, args.lines, seed=args.seed)
    rng = random.Random(args.seed)  # noqa: S311  # nosec B311  # reproducible synthetic emissions
    docs = [{"enterprise": d["enterprise"], "county_code": f"13{n % 7:04d}",
             "baselines": {line["line_id"]: {"daily": {p: round(rng.uniform(0, 50), 3) for p in ("so2", "nox", "pm", "vocs")}}
                           for line in d["enterprise"]["lines"]}}
            for n, d in enumerate(documents(frame, args.pack, on.isoformat(), args.level))]
    n_lines = sum(len(d["enterprise"]["lines"]) for d in docs)
    floor_cpu, floor_wall, prev_cpu, prev_wall = [], [], [], []
    result = None
    for _ in range(args.repeat):
        c, w = time.process_time(), time.perf_counter()
        evaluate_frame(frame_from_documents([{"enterprise": d["enterprise"]} for d in docs]), parent, on, args.level, workers=1)
        floor_cpu.append(time.process_time() - c)
        floor_wall.append(time.perf_counter() - w)
        c, w = time.process_time(), time.perf_counter()
        result = impact_of_documents(parent, draft, docs, [draft_day], [args.level], limit=100)
        prev_cpu.append(time.process_time() - c)
        prev_wall.append(time.perf_counter() - w)
    out = {"pack": args.pack, "draft_day": draft_day.isoformat(), "parent_day": on.isoformat(), "level": args.level,
           "enterprises": len(docs), "lines": n_lines, "changed_lines": result.changed_lines,
           "by_sector": result.by_sector, "listed": len(result.changes),
           "floor_targets": [[c.pollutant, round(c.parent_percent, 2), round(c.draft_percent, 2)] for c in result.floor_targets],
           "floor_cpu_s": round(min(floor_cpu), 3), "preview_cpu_s": round(min(prev_cpu), 3),
           "ratio_cpu": round(min(prev_cpu) / min(floor_cpu), 2),
           "floor_wall_s": round(min(floor_wall), 3), "preview_wall_s": round(min(prev_wall), 3),
           "ratio_wall": round(min(prev_wall) / min(floor_wall), 2),
           "floor_cpu_runs": [round(x, 3) for x in floor_cpu], "preview_cpu_runs": [round(x, 3) for x in prev_cpu],
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "load_average": os.getloadavg(), "machine": machine()}
    return report(f"pack-impact-{args.pack}-{args.level}", out)


if __name__ == "__main__":
    main()
