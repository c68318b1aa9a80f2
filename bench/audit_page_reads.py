"""Issue 18 item 4: the audit log page's read before (the page plus a COUNT of every entry the reader may see) and
after (per_page + 1 entries newest first, keyset onward), timed in one process on the same data.

    .venv/bin/python bench/audit_page_reads.py --url sqlite:///…/bench.sqlite3 [--rows 200000] [--repeat 5]

The database is one left by bench/schedule_page_reads.py (demo data). Its audit entries are copied until the log
holds --rows entries (a throwaway database: the copies break the hash chain, which nothing here verifies); then the
province official (hebei) and the audit administrator (shenji) read the first page, and a page further on, both
ways (CPU time of this process and wall time, best of the rounds). Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> dict:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    from bench.import_export import _app

    app = _app(args.url)
    from sqlalchemy import func, select

    from registry.accounts.models import User
    from registry.audit import search as search_mod
    from registry.core.models import AuditEntry
    from registry.core.pagination import paginate
    from registry.extensions import db

    with app.app_context(), app.test_request_context():
        table = AuditEntry.__table__
        have = db.session.scalar(select(func.count()).select_from(table))
        if have < args.rows:
            seed = [dict(r._mapping) for r in db.session.execute(select(table))]
            for r in seed:
                r.pop("id")
            while have < args.rows:
                batch = seed[:args.rows - have]
                db.session.execute(table.insert(), batch)
                have += len(batch)
            db.session.commit()
        out = {"url": args.url.split("@")[-1], "entries": have, "loadavg": os.getloadavg()}

        def best(fn) -> dict:
            """Best CPU of the application process and best wall time (on PostgreSQL the database's work shows
            only in the wall time)."""
            cpu, wall = [], []
            for _ in range(args.repeat):
                db.session.expire_all()
                t0, w0 = time.process_time(), time.perf_counter()
                fn()
                cpu.append(time.process_time() - t0)
                wall.append(time.perf_counter() - w0)
            return {"cpu": round(min(cpu) * 1000, 1), "wall": round(min(wall) * 1000, 1)}

        for username in ("hebei", "shenji"):
            actor = db.session.scalar(select(User).where(User.username == username))
            f = search_mod.AuditFilters()
            first = search_mod.search(actor, f)
            onward = search_mod.AuditFilters(before=first.next_before) if first.next_before else f
            out[username] = {
                "first_before_ms": best(lambda a=actor, f=f: paginate(search_mod._filtered(a, f), 1, 50)),
                "first_after_ms": best(lambda a=actor, f=f: search_mod.search(a, f)),
                "page2_before_ms": best(lambda a=actor, f=f: paginate(search_mod._filtered(a, f), 2, 50)),
                "page2_after_ms": best(lambda a=actor, o=onward: search_mod.search(a, o)),
            }
        out["loadavg_end"] = os.getloadavg()
    return out


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, default=str))
