"""Benchmark: generate and publish a schedule for a synthetic city (5,000 enterprises / 25,000 lines).

    .venv/bin/python -m bench.schedules [--pack jiyuan-2018-19] [--season 2018] [--repeat 3] [--database-url URL]

Each of --repeat rounds times, one after the other (so both meet the same load; the best of each is kept):
the engine's batch evaluation of the same lines once — grading.batch.evaluate_frame on the season's first day,
frame built included: the FLOOR; schedule generation alone (registry.schedules.generation.generate_entries: one fact
frame, grading.batch.line_decisions_over at every date the pack cuts the season at, stretches merged);
generating AND storing the draft through the operation's own path (operations._fill: generation, then one
executemany of inputs and one of entries, commit) into a fresh migrated database (a SQLite file, or the
throwaway PostgreSQL of --database-url) and publishing it (the status flip the triggers then guard). Reports
(generate+store + publish) / floor, the same per cut, and peak RSS. The synthetic city bypasses the registry's
record → facts mapper (its enterprises are evaluate documents from bench.province), so the ratio compares like
with like: the schedule's own work over the engine's.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date

from bench import report
from bench.evaluate import machine
from bench.province import documents, province_frame


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="jiyuan-2018-19")
    ap.add_argument("--season", type=int, default=2018)
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=25000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20181210)
    ap.add_argument("--database-url", default="", help="a THROWAWAY PostgreSQL database (scripts/pg_throwaway.sh); "
                                                        "default: a fresh SQLite file")
    args = ap.parse_args()
    # a throwaway database, set before the registry (and config.py) is imported
    tmp = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"

    from grading.batch import evaluate_frame, frame_from_documents
    from registry.schedules import generation, provenance

    start, end = provenance.season_bounds(args.pack, args.season)
    cuts = provenance.evaluation_dates(args.pack, start, end)
    frame = province_frame(args.enterprises, args.lines, seed=args.seed)
    docs = documents(frame, args.pack, start.isoformat(), "none")
    texts = [provenance.canonical_json(d) for d in docs]  # as operations.current_inputs makes them (hashing = F-15)
    inputs = [{"enterprise_id": i + 1, "uscc": f"{i + 1:018d}", "region_code": "419001", "document": d,
               "document_json": t, "facts_sha256": provenance.text_sha256(t)} for i, (d, t) in enumerate(zip(docs, texts))]
    n_lines = sum(len(d["enterprise"]["lines"]) for d in docs)

    # store + publish through the operations' own paths, on a fresh migrated database
    from flask_migrate import upgrade

    from registry import create_app
    from registry.extensions import db
    from registry.schedules import operations as ops
    from registry.schedules.models import Schedule, ScheduleVersion

    app = create_app("default")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == os.environ["DATABASE_URL"], "refusing to write outside the given DB"
    engine_runs, generate_runs, store_runs, publish_runs = [], [], [], []
    cpu: dict[str, list[float]] = {"engine": [], "generate": [], "generate_and_store": [], "publish": []}
    clock = time.process_time  # this process's CPU: what the load of other processes does not inflate
    rows: list = []
    with app.app_context():
        upgrade()
        from registry.core.regions import load_regions

        load_regions()  # the schedule's region (PostgreSQL enforces the foreign key)
        db.session.commit()
        for _ in range(args.repeat):  # interleaved, so the floor and the schedule meet the same load
            t, c = time.perf_counter(), clock()
            evaluate_frame(frame_from_documents(docs), args.pack, start, "none", workers=1)
            engine_runs.append(time.perf_counter() - t)
            cpu["engine"].append(clock() - c)
            t, c = time.perf_counter(), clock()
            rows = generation.generate_entries(inputs, args.pack, cuts, end)
            generate_runs.append(time.perf_counter() - t)
            cpu["generate"].append(clock() - c)
            taken = db.session.query(db.func.max(Schedule.season_year)).scalar() or 0  # a reused database keeps old runs
            schedule = Schedule(region_code="419001", pack_id=args.pack, season_year=max(args.season + 100, taken + 1),
                                title="bench")
            db.session.add(schedule)
            version = ScheduleVersion(schedule=schedule, number=1, region_code="419001", pack_id=args.pack,
                                      pack_sha256=provenance.pack_sha256(args.pack), engine_version=provenance.ENGINE_VERSION,
                                      season_start=start, season_end=end, evaluation_dates=[d.isoformat() for d in cuts])
            db.session.add(version)
            db.session.commit()
            t, c = time.perf_counter(), clock()
            ops._fill(version, inputs, [], None)  # generation, then storage
            db.session.commit()
            store_runs.append(time.perf_counter() - t)
            cpu["generate_and_store"].append(clock() - c)
            t, c = time.perf_counter(), clock()
            version.status = "published"
            db.session.commit()
            publish_runs.append(time.perf_counter() - t)
            cpu["publish"].append(clock() - c)
        stored = db.session.query(db.func.count()).select_from(db.metadata.tables["schedule_entry"]).filter_by(
            version_id=version.id).scalar()
        dialect = db.engine.dialect.name

    engine_s, generate_s, store_s, publish_s = (min(x) for x in (engine_runs, generate_runs, store_runs, publish_runs))
    total = store_s + publish_s  # _fill generates, then stores
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"pack": args.pack, "season": args.season, "database": dialect, "enterprises": len(docs), "lines": n_lines,
           "cuts": [d.isoformat() for d in cuts], "entries": len(rows), "stored_entries": stored,
           "engine_batch_s": round(engine_s, 3), "generate_only_s": round(generate_s, 3),
           "generate_and_store_s": round(store_s, 3), "publish_s": round(publish_s, 3), "total_s": round(total, 3),
           "ratio_total_to_engine": round(total / engine_s, 2), "ratio_generate_to_engine": round(generate_s / engine_s, 2),
           "ratio_total_per_cut": round(total / engine_s / len(cuts), 2), "peak_rss_mb": round(peak_mb, 1),
           "cpu_s": {k: round(min(v), 3) for k, v in cpu.items()},
           "ratio_total_to_engine_cpu": round((min(cpu["generate_and_store"]) + min(cpu["publish"])) / min(cpu["engine"]), 2),
           "runs": {"engine": [round(x, 3) for x in engine_runs], "generate": [round(x, 3) for x in generate_runs],
                    "generate_and_store": [round(x, 3) for x in store_runs]},
           "load_average": os.getloadavg(), "machine": machine(), "date": date.today().isoformat()}
    suffix = "" if dialect == "sqlite" else f"-{dialect}"
    report(f"schedules-{args.pack}{suffix}", out)
    return out


if __name__ == "__main__":
    main()
