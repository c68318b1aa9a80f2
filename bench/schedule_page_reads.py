"""Issue 18 item 4: what the schedule page, calendar and diff read, before (every entry into Python) and after
(aggregates and one page from the database), timed in one process on the same data.

    .venv/bin/python bench/schedule_page_reads.py [--url sqlite:///… | postgresql+psycopg://…] [--per-city 200] [--repeat 5]

A fresh migrated database (a SQLite file unless --url) gets the demo data (registry.demo, --per-city
enterprises per demo city), Langfang's schedule (langfang-2017-18) generated and its entries copied --copies times (a busy county's size); then,
as the city official, each page's reads are timed --repeat times both ways (CPU time, time.process_time, best of
the rounds), alongside a floor: one `SELECT 1` round trip. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> dict:
    p = argparse.ArgumentParser()
    p.add_argument("--url")
    p.add_argument("--per-city", type=int, default=200)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--copies", type=int, default=20, help="the draft's entries copied this many times (a county's size)")
    args = p.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='lantian-sched-reads-')}/bench.sqlite3"
    from bench.import_export import _app, step_migrate

    step_migrate(url)
    app = _app(url)
    from sqlalchemy import select, text

    from registry.accounts.models import User
    from registry.demo import build_demo
    from registry.extensions import db
    from registry.schedules import calendar, diffing, queries
    from registry.schedules import operations as ops
    from registry.schedules.models import ScheduleEntry

    with app.app_context(), app.test_request_context():
        build_demo(per_city=args.per_city)
        db.session.commit()
        city = db.session.scalar(select(User).where(User.username == "langfang"))
        schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
        v = ops.generate(city, schedule.id)
        db.session.commit()
        # the demo city has ~100 entries; a busy county ~1,800 (bench/pages.py at scale 1.0): the draft's entries are
        # copied --copies times under other enterprise ids (the reads do not look the enterprises up)
        table = ScheduleEntry.__table__
        rows = [dict(r._mapping) for r in db.session.execute(select(table).where(table.c.version_id == v.id))]
        top = max(r["position"] for r in rows)
        copies = [dict(r, id=None, enterprise_id=r["enterprise_id"] + 1_000_000 * k, position=r["position"] + (top + 1) * k)
                  for k in range(1, args.copies) for r in rows]
        for c in copies:
            c.pop("id")
        if copies:
            db.session.execute(table.insert(), copies)
        db.session.commit()
        old = v  # the diff compares the draft with itself: every line read and compared, none shown

        def before_detail():
            rows = queries.entry_rows(city, v)
            return (rows[:50], len(rows), queries.summary(rows), queries.flagged(rows), queries.filed_ratio_lines(rows),
                    queries.unfiled_for_rows(rows))

        def after_detail():
            return (queries.entry_rows(city, v, limit=50), queries.entry_count(city, v), queries.summary_of(city, v),
                    queries.flagged_page_of(city, v, 1, 25), queries.filed_ratio_lines_of(city, v), queries.unfiled_of(city, v))

        def before_calendar():
            rows = queries.entry_dicts(queries.entries(city, v))
            return queries.summary(rows), calendar.gantt(rows, v.season_start, v.season_end)

        def after_calendar():
            return queries.summary_of(city, v), calendar.gantt(queries.gantt_rows(city, v, calendar.GANTT_LINES),
                                                               v.season_start, v.season_end)

        def before_diff():
            return diffing.diff(queries.entry_dicts(queries.entries(city, old)), queries.entry_dicts(queries.entries(city, v)))

        def after_diff():
            return diffing.diff(queries.diff_rows(city, old), queries.diff_rows(city, v))

        def floor():
            return db.session.execute(text("SELECT 1")).scalar()

        def best(fn) -> float:
            times = []
            for _ in range(args.repeat):
                db.session.expire_all()
                t0 = time.process_time()
                fn()
                times.append(time.process_time() - t0)
            return min(times)

        out = {"url": url.split("@")[-1], "per_city": args.per_city, "entries": queries.entry_count(city, v),
               "lines": queries.summary_of(city, v)["lines"], "loadavg": os.getloadavg(), "floor_ms": best(floor) * 1000}
        for name, a, b in (("detail", before_detail, after_detail), ("calendar", before_calendar, after_calendar),
                           ("diff", before_diff, after_diff)):
            out[name] = {"before_ms": round(best(a) * 1000, 1), "after_ms": round(best(b) * 1000, 1)}
            out[name]["ratio"] = round(out[name]["before_ms"] / max(out[name]["after_ms"], 1e-3), 1)
        out["loadavg_end"] = os.getloadavg()
    return out


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, default=str))
