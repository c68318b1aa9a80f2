"""Benchmark: per-enterprise path vs batch path over a synthetic province, as ratios against a floor.

    .venv/bin/python -m bench.evaluate [--pack jiyuan-2018-19 --date 2018-12-10 --level orange]
                                       [--sample 5000] [--seed 20181210] [--all-packs]

Reports lines/s for the per-enterprise path (grading.contract.evaluate on a sample of enterprise documents,
extrapolated), lines/s for the batch path (grading.batch.evaluate_frame on the whole province), their ratio,
a floor measured in the same run (iterating the DataFrame rows with a trivial per-row function), peak memory
and machine info. Never a timed assertion: figures go to stdout and bench/results/*.json.
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
    """Iterate every row with a trivial per-row function: the cheapest per-line Python work possible."""
    t = time.perf_counter()
    n = sum(1 for row in df.itertuples(index=False) if row is not None)
    return n / (time.perf_counter() - t)


def run(df, pack: str, day: str, level: str, sample: int, repeat: int = 3) -> dict:
    docs = documents(df, pack, day, level, limit=sample)
    n_sample_lines = sum(len(d["enterprise"]["lines"]) for d in docs)
    t = time.perf_counter()
    for d in docs:
        evaluate(d)
    per_s = n_sample_lines / (time.perf_counter() - t)
    times = []
    for _ in range(repeat):  # best of N: the machine may be shared; the median is reported too
        t = time.perf_counter()
        lines, ents = evaluate_frame(df, pack, date.fromisoformat(day), level)
        times.append(time.perf_counter() - t)
    batch_t = min(times)
    return {
        "pack": pack, "date": day, "alert_level": level, "lines": len(df), "enterprises": len(ents),
        "profiles": int(lines["profile"].nunique()),
        "per_enterprise_sample_enterprises": len(docs), "per_enterprise_sample_lines": n_sample_lines,
        "per_enterprise_lines_per_s": round(per_s), "per_enterprise_province_s_extrapolated": round(len(df) / per_s, 1),
        "batch_province_s": round(batch_t, 2), "batch_province_s_median": round(sorted(times)[len(times) // 2], 2),
        "batch_lines_per_s": round(len(df) / batch_t),
        "batch_vs_per_enterprise": round((len(df) / batch_t) / per_s, 1),
        "measures": lines["measure"].value_counts().to_dict(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", default="jiyuan-2018-19")
    ap.add_argument("--date")
    ap.add_argument("--level")
    ap.add_argument("--sample", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20181210)
    ap.add_argument("--enterprises", type=int, default=60_000)
    ap.add_argument("--lines", type=int, default=300_000)
    ap.add_argument("--all-packs", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="batch runs per pack (best and median reported)")
    a = ap.parse_args()
    load_packs()  # warm: pack loading is not part of an evaluation
    t = time.perf_counter()
    df = province_frame(a.enterprises, a.lines, a.seed)
    gen_s = time.perf_counter() - t
    floor = floor_rows_per_s(df)
    packs = list(DEFAULTS) if a.all_packs else [a.pack]
    results = []
    for p in packs:
        day, level = DEFAULTS.get(p, (None, None))
        r = run(df, p, a.date or day, a.level or level, a.sample, a.repeat)
        r["batch_vs_floor"] = round(r["batch_lines_per_s"] / floor, 3)
        r["per_enterprise_vs_floor"] = round(r["per_enterprise_lines_per_s"] / floor, 4)
        results.append(r)
        print(json.dumps(r, ensure_ascii=False))
    report = {"machine": machine(), "load_average": os.getloadavg(), "seed": a.seed, "generate_s": round(gen_s, 2), "floor_rows_per_s": round(floor),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "runs": results}
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"evaluate-{int(time.time())}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
