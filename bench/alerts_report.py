"""Benchmark: the report after an episode (issue 17 §Speed: the episode report for a city of 5,000 enterprises
≤ 5 s).

    .venv/bin/python -m bench.alerts_report [--enterprises 5000] [--repeat 3] [--database-url URL]

On a fresh migrated database (a SQLite file, or the THROWAWAY PostgreSQL of --database-url) it builds the city of
bench/alerts.py (the demo's approved enterprises cloned into `--enterprises` Langfang registrations), compiles and
files the city's emergency list (the reductions' source; compiled from the demo's enterprises before cloning —
clones share their template's line rows — so the list part is small: `list_entries` in the output), then runs one episode through the operations: issued
orange, raised to red, about half of the red orders acknowledged (receipts and read marks inserted in bulk — set-up,
not timed), lifted. Timed, best of `--repeat`: `registry.alerts.report.episode_report` (levels over time, orders
delivered / read / acknowledged per county, capacity per sector, the filed list's reductions at orange and red),
its Excel workbook, and the province's view (`summary` for the Hebei official). Figures go to stdout and
bench/results/alerts_report.json. Never a timed assertion.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import timedelta
from pathlib import Path

from bench.alerts import CITY, _clone, demo_database
from bench.evaluate import machine


def _best(fn, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--database-url", default="", help="a THROWAWAY PostgreSQL database (scripts/pg_throwaway.sh); "
                                                        "default: a fresh SQLite file")
    args = ap.parse_args()

    out: dict = {"machine": machine()}
    with demo_database(args.database_url):  # sets DATABASE_URL before the registry is imported
        from sqlalchemy import insert, select, update

        from registry.accounts.auth import SYSTEM
        from registry.accounts.models import User
        from registry.alerts import operations as ops
        from registry.alerts import report
        from registry.alerts.models import AlertOrder, InboxMessage, Receipt
        from registry.alerts.report_export import episode_xlsx
        from registry.core.timeutil import utcnow
        from registry.emergency import operations as eops
        from registry.extensions import db
        from registry.policy.packs import pack_for_region
        official = db.session.scalar(select(User).where(User.username == "langfang"))
        province = db.session.scalar(select(User).where(User.username == "hebei"))
        # the list is compiled before cloning: clones share their template's line rows (bench/alerts.py clones
        # approved facts, not production lines), which a list may hold once
        lst = eops.compile_list(official, {"region_code": CITY, "pack_id": pack_for_region(CITY)})
        eops.file_list(official, lst.id)
        db.session.commit()
        out["list_entries"] = len(lst.entries)
        _clone(args.enterprises, [CITY], 0)
        t0 = (utcnow() - timedelta(days=2)).replace(microsecond=0)
        ep = ops.issue(SYSTEM, {"scope": "city", "region_code": CITY, "level": "orange", "starts_at": t0,
                                "doc_number": "bench-report"})
        ops.change_level(SYSTEM, ep.id, {"level": "red", "at": t0 + timedelta(hours=6)})
        db.session.commit()
        red = db.session.execute(select(AlertOrder.id).where(AlertOrder.episode_id == ep.id,
                                                             AlertOrder.window_end.is_(None))).scalars().all()
        half = red[::2]
        user_id = official.id  # a receipt names a user; the bench's receipts are set-up rows, not an enterprise's
        db.session.execute(insert(Receipt), [{"order_id": oid, "user_id": user_id, "at": utcnow(), "note": ""}
                                             for oid in half])
        db.session.execute(update(InboxMessage).where(InboxMessage.order_id.in_(half)).values(read_at=utcnow()))
        ops.lift(SYSTEM, ep.id, {"at": t0 + timedelta(hours=30), "clear_hours": 48})
        db.session.commit()
        db.session.expire_all()

        took, r = _best(lambda: report.episode_report(db.session.get(type(ep), ep.id)), args.repeat)
        xlsx_s, data = _best(lambda: episode_xlsx(r), args.repeat)
        summary_s, _s = _best(lambda: report.summary(province), args.repeat)
        out.update(database=db.engine.dialect.name, enterprises=r["enterprises"], orders=r["orders"]["total"]["issued"],
                   acknowledged=r["orders"]["total"]["acknowledged"], episode_report_s=round(took, 3),
                   episode_xlsx_s=round(xlsx_s, 3), xlsx_bytes=len(data), province_summary_s=round(summary_s, 3),
                   target_s=5.0, peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    print(json.dumps(out, ensure_ascii=False), flush=True)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "alerts_report.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
