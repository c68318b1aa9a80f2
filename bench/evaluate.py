"""Benchmark: per-enterprise path vs batch path over a synthetic province, as ratios against a floor.

    .venv/bin/python -m bench.evaluate [--pack jiyuan-2018-19 --date 2018-12-10 --level orange]
                                       [--sample 5000] [--seed 20181210] [--all-packs]
    .venv/bin/python -m bench.evaluate --all-packs --scales 0.25,0.5,1,2 --sample 0   # growth table (issue 18)

Reports lines/s for the per-enterprise path (grading.contract.evaluate on a sample of enterprise documents,
extrapolated), the batch path (grading.batch.evaluate_frame on the whole province) as CPU seconds of this
process (time.process_time, best and median of --repeat runs; the machine is shared, so CPU time is the figure
the target of issue 18 item 1 — ≤ 1 s per pack at scale 1.0 — is read against) and wall seconds, their ratio,
a floor measured in the same run (iterating the DataFrame rows with a trivial per-row function), peak memory,
the load average before and after, and machine info. Never a timed assertion: figures go to stdout and
bench/results/*.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import date
from pathlib import Path

from bench.province import documents, province_frame
from grading.batch import evaluate_frame
from grading.contract import evaluate
from grading.packs import load_packs

DEFAULTS = {"langfang-2017-18": ("2017-12-10", "yellow"), "jizhou-2018-19": ("2018-12-10", "orange"),
            "jiyuan-2018-19": ("2018-12-10", "orange"), "jjj-2019-20": ("2019-12-10", "orange"),
            "shijiazhuang-2018-20": ("2018-12-10", "yellow")}


def machine() -> dict:
    cpu = "unknown"
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "platform": platform.platform()}


def floor_rows_per_s(df) -> float:
    """Iterate every row with a trivial per-row function: the cheapest per-line Python work possible (CPU time)."""
    t = time.process_time()
    n = sum(1 for row in df.itertuples(index=False) if row is not None)
    return n / max(time.process_time() - t, 1e-9)


def run(df, pack: str, day: str, level: str, sample: int, repeat: int = 3) -> dict:
    out: dict = {"pack": pack, "date": day, "alert_level": level, "lines": len(df)}
    per_s = None
    if sample:
        docs = documents(df, pack, day, level, limit=sample)
        n_sample_lines = sum(len(d["enterprise"]["lines"]) for d in docs)
        t = time.process_time()
        for d in docs:
            evaluate(d)
        per_s = n_sample_lines / (time.process_time() - t)
        out.update({"per_enterprise_sample_enterprises": len(docs), "per_enterprise_sample_lines": n_sample_lines,
                    "per_enterprise_lines_per_s": round(per_s),
                    "per_enterprise_province_s_extrapolated": round(len(df) / per_s, 1)})
    cpu, wall = [], []
    for _ in range(repeat):  # best of N: the machine may be shared; the median is reported too
        t, w = time.process_time(), time.perf_counter()
        lines, ents = evaluate_frame(df, pack, date.fromisoformat(day), level)
        cpu.append(time.process_time() - t)
        wall.append(time.perf_counter() - w)
    batch_t = min(cpu)
    out.update({
        "enterprises": len(ents), "profiles": int(lines["profile"].nunique()),
        "batch_province_cpu_s": round(batch_t, 3), "batch_province_cpu_s_median": round(sorted(cpu)[len(cpu) // 2], 3),
        "batch_province_wall_s": round(min(wall), 3),
        "batch_lines_per_cpu_s": round(len(df) / batch_t),
        "measures": lines["measure"].value_counts().to_dict(),
    })
    if per_s:
        out["batch_vs_per_enterprise"] = round((len(df) / batch_t) / per_s, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", default="jiyuan-2018-19")
    ap.add_argument("--date")
    ap.add_argument("--level")
    ap.add_argument("--sample", type=int, default=5000, help="enterprises through the per-enterprise path (0: skip)")
    ap.add_argument("--seed", type=int, default=20181210)
    ap.add_argument("--enterprises", type=int, default=60_000)
    ap.add_argument("--lines", type=int, default=300_000)
    ap.add_argument("--scales", default="1", help="comma-separated multiples of --enterprises/--lines, e.g. 0.25,0.5,1,2")
    ap.add_argument("--all-packs", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="batch runs per pack (best and median reported)")
    a = ap.parse_args()
    load_packs()  # warm: pack loading is not part of an evaluation
    load_before = os.getloadavg()
    packs = list(DEFAULTS) if a.all_packs else [a.pack]
    results, floors = [], {}
    for scale in (float(x) for x in a.scales.split(",")):
        t = time.perf_counter()
        df = province_frame(int(a.enterprises * scale), int(a.lines * scale), a.seed)
        gen_s = time.perf_counter() - t
        floor = floor_rows_per_s(df)
        floors[str(scale)] = {"generate_s": round(gen_s, 2), "floor_rows_per_cpu_s": round(floor)}
        for p in packs:
            day, level = DEFAULTS.get(p, (None, None))
            r = run(df, p, a.date or day, a.level or level, a.sample, a.repeat)
            r["scale"] = scale
            r["batch_vs_floor"] = round(r["batch_lines_per_cpu_s"] / floor, 3)
            if "per_enterprise_lines_per_s" in r:
                r["per_enterprise_vs_floor"] = round(r["per_enterprise_lines_per_s"] / floor, 4)
            r["load_average"] = [round(x, 2) for x in os.getloadavg()]
            results.append(r)
            print(json.dumps(r, ensure_ascii=False))
        del df
    report = {"machine": machine(), "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()], "seed": a.seed, "scales": floors,
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "runs": results}
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"evaluate-{int(time.time())}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, ensure_ascii=False))
    if len(floors) > 1 or len(packs) > 1:  # the table docs/performance.md shows
        print("\n| pack | " + " | ".join(f"scale {k}" for k in floors) + " |")
        print("|---|" + "---|" * len(floors))
        for p in packs:
            cells = [f"{r['batch_province_cpu_s']:.2f} s ({r['profiles']} profiles)" for r in results if r["pack"] == p]
            print(f"| {p} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
