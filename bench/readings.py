"""Benchmark: readings at province scale (issue 19 "Speed").

    .venv/bin/python -m bench.readings [--scale 1.0] [--episode-days 5] [--baseline-days 10]
                                       [--ingest-rows 5000000] [--work /tmp/bench-readings] [--keep]

1. Ingest: `--ingest-rows` electricity readings as the upload CSV (统一社会信用代码, 电表编号, 时间, 电量) are read,
   checked in full (registry/readings/ingest.py: the same code as the upload page, with a lookup of the synthetic
   meters instead of the database) and appended to the partitioned store (store.py). Floor: DuckDB's own
   `read_csv` of the same file, aggregated (count, sum) — the least any reader of that CSV does.
2. Episode check: the store holds a province (60,000 enterprises × 2 meters × 96 readings a day at scale 1.0) for the
   baseline's working days and a `--episode-days` episode (the episode alone ≈ 58 million readings). Timed: every
   meter's use in the window against its baseline (baseline.compare: median of the same hour over the previous
   N working days), as the compliance checks ask for it. Floor: DuckDB's own scan of the same files — one
   group-by of kWh per meter over every file the comparison reads. The violators planted by the generator
   (stopped lines still drawing power, curtailments short of their percentage) must be found exactly.

Each timed step runs in a child process of its own, so its peak RSS is its own (ru_maxrss of the child). CPU time is
the child's user+system time (DuckDB and Arrow use both cores: CPU can exceed wall). Load average is recorded: the
machine is shared. Never a timed assertion: figures go to stdout and bench/results/readings.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

CITIES = ["130100", "130200", "130300", "130400", "130500", "130600", "130700", "130800", "130900", "131000",
          "131100"]  # Hebei's 11 cities
FIRST_DAY = date(2026, 11, 16)  # a Monday


def _plan(scale: float, episode_days: int, per_kind: int | None = None):
    from registry.readings.synthetic import plan_province

    n = max(20, int(60_000 * scale))
    return plan_province(n, CITIES, first_day=FIRST_DAY, normal_days=14, episode_days=episode_days,
                         violators_per_kind=per_kind, seed=19, with_stacks=0.0)


def _uscc(eid: int, city: str) -> str:
    return f"91{city}{eid:09d}X"


def _lookup(plan):
    import pyarrow as pa

    from registry.readings.ingest import Lookup

    keys, meters, eids, cities = [], [], [], []
    for e in plan.enterprises:
        for code, mid in (("P", e.production_meter), ("C", e.control_meter)):
            keys.append(f"{_uscc(e.enterprise_id, e.city_code)}|{code}")
            meters.append(mid)
            eids.append(e.enterprise_id)
            cities.append(e.city_code)
    n = len(keys)
    return Lookup(pa.array(keys), {"meter_id": pa.array(meters, pa.int64()), "enterprise_id": pa.array(eids, pa.int64()),
                                   "city_code": pa.array(cities), "interval_minutes": pa.array([15] * n, pa.int64())},
                  pa.array([True] * n))


# ------------------------------------------------------------------------------------------------ child steps
def step_csv(args) -> dict:
    """Write the ingest CSV (not timed as a figure)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from registry.readings.synthetic import generate

    work = Path(args.work)
    plan = _plan(args.scale, args.episode_days)
    t0 = time.perf_counter()
    # 1. the ingest CSV: the first days of the plan, all cities, until --ingest-rows
    rows = 0
    with open(work / "ingest.csv", "wb") as fh:
        fh.write("统一社会信用代码,电表编号,时间,电量（千瓦时）\n".encode())
        code = {e.production_meter: "P" for e in plan.enterprises} | {e.control_meter: "C" for e in plan.enterprises}
        meters_code = pa.array([code[m] for m in sorted(code)])
        meter_ids = pa.array(sorted(code), pa.int64())
        for _kind, _city, _day, table in generate(plan, kinds=("electricity",)):
            if rows >= args.ingest_rows:
                break
            take = min(table.num_rows, args.ingest_rows - rows)
            t = table.slice(0, take)
            uscc = pc.binary_join_element_wise("91", t.column("city_code"),
                                               pc.utf8_lpad(pc.cast(t.column("enterprise_id"), pa.string()), 9, "0"),
                                               "X", "")
            mcode = pc.take(meters_code, pc.index_in(t.column("meter_id"), value_set=meter_ids))
            out = pa.table({"a": uscc, "b": mcode, "c": pc.cast(t.column("ts"), pa.timestamp("s")), "d": t.column("kwh")})
            pacsv.write_csv(out, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
            rows += take
    return {"ingest_csv_rows": rows, "ingest_csv_bytes": (work / "ingest.csv").stat().st_size,
            "csv_write_s": round(time.perf_counter() - t0, 1), "enterprises": len(plan.enterprises)}


def step_store(args) -> dict:
    """Fill the episode store: the baseline's working days and the episode (not timed as a figure)."""
    from registry.readings.store import ReadingsStore
    from registry.readings.synthetic import generate

    work = Path(args.work)
    plan = _plan(args.scale, args.episode_days)
    t0 = time.perf_counter()
    store = ReadingsStore(work / "store", threads=2)
    stored = 0
    # written straight as the store lays its files out (generated rows are unique by construction: the store's
    # deduplicating append is measured in the ingest step, not here)
    import pyarrow.parquet as pq

    from registry.readings.store import value_columns

    cols = value_columns("electricity")
    for _kind, city, day, table in generate(plan, kinds=("electricity",)):
        if day < plan.window_start.date() and day.weekday() >= 5:
            continue
        target = store.kind_dir("electricity") / f"city={city}" / f"day={day.isoformat()}"
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.select(cols), target / "part-0.parquet", compression="zstd", row_group_size=262144)
        stored += table.num_rows
    return {"store_rows": stored, "store_fill_s": round(time.perf_counter() - t0, 1),
            "store_bytes": sum(p.stat().st_size for p in (work / "store").rglob("*.parquet")),
            "enterprises": len(plan.enterprises), "window": [plan.window_start.isoformat(), plan.window_end.isoformat()]}


def step_ingest(args) -> dict:
    from registry.readings import ingest
    from registry.readings.store import ReadingsStore

    work = Path(args.work)
    plan = _plan(args.scale, args.episode_days)
    lookup = _lookup(plan)
    data = (work / "ingest.csv").read_bytes()
    shutil.rmtree(work / "ingest-store", ignore_errors=True)
    store = ReadingsStore(work / "ingest-store", threads=2)
    c0, t0 = time.process_time(), time.perf_counter()
    raw, headers = ingest.read_csv("electricity", data)
    report = ingest.new_report("electricity", "ingest.csv", False)
    checked = ingest.check("electricity", raw, headers, lambda kind, keys: lookup, report, now=datetime(2030, 1, 1))
    c1, t1 = time.process_time(), time.perf_counter()
    result = store.append("electricity", checked.table)
    c2, t2 = time.process_time(), time.perf_counter()
    again = store.append("electricity", checked.table)  # idempotent re-load
    c3, t3 = time.process_time(), time.perf_counter()
    return {"rows": raw.num_rows, "errors": report.error_count, "accepted": result.accepted,
            "reload_duplicates": again.duplicates, "reload_accepted": again.accepted,
            "check_cpu_s": round(c1 - c0, 2), "check_wall_s": round(t1 - t0, 2),
            "append_cpu_s": round(c2 - c1, 2), "append_wall_s": round(t2 - t1, 2),
            "cpu_s": round(c2 - c0, 2), "wall_s": round(t2 - t0, 2),
            "reload_cpu_s": round(c3 - c2, 2), "reload_wall_s": round(t3 - t2, 2)}


def step_ingest_floor(args) -> dict:
    import duckdb

    work = Path(args.work)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    c0, t0 = time.process_time(), time.perf_counter()
    n, total = con.execute(f"SELECT count(*), sum(\"电量（千瓦时）\") FROM read_csv('{work / 'ingest.csv'}', header = true)").fetchall()[0]  # noqa: S608  # nosec B608
    return {"rows": n, "sum": total, "cpu_s": round(time.process_time() - c0, 2), "wall_s": round(time.perf_counter() - t0, 2)}


def step_check(args) -> dict:
    from registry.readings import baseline
    from registry.readings.store import ReadingsStore

    work = Path(args.work)
    plan = _plan(args.scale, args.episode_days)
    store = ReadingsStore(work / "store", threads=2, memory_limit=args.memory_limit)
    windows = plan.windows()
    c0, t0 = time.process_time(), time.perf_counter()
    out = baseline.compare(store, windows, days=args.baseline_days)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    rows = {(r["key"], r["meter_id"]): r for r in out.select(["key", "meter_id", "ratio", "readings"]).to_pylist()}
    found = set()
    for e in plan.enterprises:
        ratio = rows[(e.enterprise_id, e.production_meter)]["ratio"]
        if e.measure == "stop" and ratio > 0.2:
            found.add(("stopped_drawing_power", e.enterprise_id))
        if e.measure == "curtail" and (1 - ratio) < e.curtail_pct / 100 - 0.05:
            found.add(("curtailment_short", e.enterprise_id))
    truth = {t for t in plan.expected() if t[0] in ("stopped_drawing_power", "curtailment_short")}
    window_rows = sum(r["readings"] for r in rows.values())
    return {"meters": len(rows), "window_readings": window_rows, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
            "violators_planted": len(truth), "violators_found": len(found), "exact": found == truth}


def step_check_floor(args) -> dict:
    """DuckDB's own scan of the same files: kWh per meter over every file compare() reads."""
    import duckdb

    from registry.readings.baseline import baseline_days
    from registry.readings.store import ReadingsStore

    work = Path(args.work)
    plan = _plan(args.scale, args.episode_days)
    store = ReadingsStore(work / "store")
    days = baseline_days(plan.window_start.date(), args.baseline_days) + [
        d for d in plan.days if plan.window_start.date() <= d < plan.window_end.date()]
    files = store.files("electricity", days=days)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    c0, t0 = time.process_time(), time.perf_counter()
    n = con.execute("SELECT count(*) FROM (SELECT meter_id, sum(kwh) FROM read_parquet(?) GROUP BY meter_id)",
                    [files]).fetchall()[0][0]
    return {"files": len(files), "meters": n, "cpu_s": round(time.process_time() - c0, 2),
            "wall_s": round(time.perf_counter() - t0, 2)}


STEPS = {"csv": step_csv, "store": step_store, "ingest": step_ingest, "ingest_floor": step_ingest_floor, "check": step_check,
         "check_floor": step_check_floor}


def _child(step: str, args) -> dict:
    """Run one step in a fresh interpreter; its own peak RSS and CPU come back with its figures."""
    cmd = [sys.executable, "-m", "bench.readings", "--step", step, "--scale", str(args.scale), "--episode-days",
           str(args.episode_days), "--baseline-days", str(args.baseline_days), "--ingest-rows", str(args.ingest_rows),
           "--work", args.work, "--memory-limit", args.memory_limit]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)  # noqa: S603  # nosec B603  # our own module
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["child_cpu_s"] = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0, help="share of 60,000 enterprises")
    p.add_argument("--episode-days", type=int, default=5)
    p.add_argument("--baseline-days", type=int, default=10)
    p.add_argument("--ingest-rows", type=int, default=5_000_000)
    p.add_argument("--work", default="/tmp/bench-readings")  # noqa: S108  # nosec B108  # a scratch directory, removed after
    p.add_argument("--memory-limit", default="3GB", help="DuckDB's memory limit in the check")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--steps", default="csv,store,ingest_floor,ingest,check_floor,check",
                   help="which steps, in order (e.g. csv,ingest_floor,ingest for the ingest figures alone)")
    p.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    p.add_argument("--output", default=str(Path(__file__).parent / "results" / "readings.json"))
    args = p.parse_args()
    if args.step:
        figures = STEPS[args.step](args)
        figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # this step's own
        print(json.dumps(figures, ensure_ascii=False))
        return
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result = {"machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
              "args": {k: v for k, v in vars(args).items() if k not in ("step", "output")},
              "loadavg_start": os.getloadavg(), "started": datetime.now().isoformat(timespec="seconds")}
    steps = args.steps.split(",")
    for step in steps:
        result[step] = _child(step, args)
        print(step, json.dumps(result[step], ensure_ascii=False), flush=True)
    empty = {"rows": 0, "wall_s": 0, "cpu_s": 0, "peak_rss_mib": None, "window_readings": None, "exact": None}
    ing, ingf = result.get("ingest", empty), result.get("ingest_floor", empty)
    chk, chkf = result.get("check", empty), result.get("check_floor", empty)
    result["summary"] = {
        "ingest_rows_per_s_wall": round(ing["rows"] / ing["wall_s"]) if ing["wall_s"] else None,
        "ingest_rows_per_cpu_s": round(ing["rows"] / ing["cpu_s"]) if ing["cpu_s"] else None,
        "ingest_ratio_to_duckdb_csv_scan_wall": round(ing["wall_s"] / ingf["wall_s"], 2) if ingf["wall_s"] else None,
        "ingest_ratio_to_duckdb_csv_scan_cpu": round(ing["cpu_s"] / ingf["cpu_s"], 2) if ingf["cpu_s"] else None,
        "check_wall_s": chk["wall_s"], "check_cpu_s": chk["cpu_s"], "check_peak_rss_mib": chk["peak_rss_mib"],
        "check_ratio_to_duckdb_scan_wall": round(chk["wall_s"] / chkf["wall_s"], 2) if chkf["wall_s"] else None,
        "check_ratio_to_duckdb_scan_cpu": round(chk["cpu_s"] / chkf["cpu_s"], 2) if chkf["cpu_s"] else None,
        "episode_readings": chk["window_readings"], "violators_exact": chk["exact"],
    }
    result["loadavg_end"] = os.getloadavg()
    print("summary", json.dumps(result["summary"], ensure_ascii=False))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
