"""The dashboard at province scale (issue 16: "a province has 60,000 enterprises: the dashboard must stay fast").

    .venv/bin/python bench/dashboard.py [--enterprises 60000] [--url postgresql://…] [--repeat 7]

Fills a throwaway database (a temporary SQLite file, or the empty database at --url, e.g. a cluster of
scripts/pg_throwaway.sh) with a synthetic province straight through the tables — enterprises in every
registration state across Hebei's counties, standing emergency grades, grade applications in every step, per city
a schedule with a published version and a draft whose entries carry flags, per city a compiled emergency list —
then serves GET /dashboard/ to the province, a city, a county and an enterprise through the Flask test client,
next to the trivial endpoint (/healthz) in the same run. Prints the median times, the ratio to /healthz (target
≤ 5×), the HTML size (target ≤ 100 KB) and the number of SQL statements per page; nothing is mocked.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-dashboard-password-1"  # noqa: S105  # throwaway accounts in a throwaway database


def _app(url: str):
    from config import Default
    from registry import create_app

    class Bench(Default):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-only"  # noqa: S105  # never served
        WTF_CSRF_ENABLED = False
        LOGIN_RATE_LIMIT = "100000 per minute"
        RATELIMIT_ENABLED = False
        ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

    return create_app(Bench)


def seed(app, n: int, seed_: int = 16) -> dict[str, int]:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.core.regions import load_regions, read_table
    from registry.emergency.models import EmergencyList, ListEntry
    from registry.enterprises.models import Enterprise, ProductionLine
    from registry.extensions import db
    from registry.grades.models import GradeApplication, GradeDecision
    from registry.schedules.models import Schedule, ScheduleEntry, ScheduleVersion

    rng = random.Random(seed_)  # noqa: S311  # nosec B311  # synthetic data, not security
    now = datetime.now(timezone.utc)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_regions()
        counties = [r["code"] for r in read_table() if r["level"] == "county" and r["code"].startswith("13")]
        rows, lines = [], []
        for i in range(n):
            roll = rng.random()
            status = "draft" if roll < 0.05 else "submitted" if roll < 0.15 else "returned" if roll < 0.2 else "approved"
            region = "131002" if i % 50 == 0 else rng.choice(counties)
            rows.append({"id": i + 1, "uscc": f"9113{i:014d}", "name": f"合成企业{i:05d}有限公司", "region_code": region,
                         "sector": rng.choice(["steel", "foundry", "cement", "furniture", "chemicals"]), "status": status,
                         "submitted_at": None if status == "draft" else now, "approved_at": now if status == "approved" else None,
                         "contact_person": "张三", "contact_phone": "13800000000"})
            lines.append({"id": i + 1, "enterprise_id": i + 1, "code": "L1", "name": "1#生产线", "sector": rows[-1]["sector"],
                          "kind": "other", "fuel": "none"})
        for chunk in range(0, n, 5000):
            db.session.execute(insert(Enterprise.__table__), rows[chunk:chunk + 5000])
            db.session.execute(insert(ProductionLine.__table__), lines[chunk:chunk + 5000])
        graded = [r for r in rows if r["status"] == "approved" and rng.random() < 0.35]
        db.session.execute(insert(GradeDecision.__table__), [
            {"enterprise_id": r["id"], "region_code": r["region_code"], "system": "emergency", "industry": r["sector"],
             "grade": rng.choice("ABBCC"), "kind": "regrade", "effective_from": date(2025, 11, 1), "decided_at": now}
            for r in graded])
        steps = ["submitted", "county_accepted", "publicity", "returned", "draft", "effective"]
        apps = [{"enterprise_id": r["id"], "region_code": r["region_code"], "system": "emergency",
                 "status": (s := rng.choice(steps)), "industries": {r["sector"]: {"line_ids": [r["id"]], "answers": {}}},
                 "proposed_grade": rng.choice("AB"), "submitted_at": None if s == "draft" else now,
                 "publicity_until": date.today() if s == "publicity" else None}
                for r in rng.sample([r for r in rows if r["status"] == "approved"], min(3000, n // 20))]
        db.session.execute(insert(GradeApplication.__table__), apps)
        cities = sorted({c[:4] + "00" for c in counties})
        entries = 0
        for k, city in enumerate(cities):
            sid = k + 1
            db.session.execute(insert(Schedule.__table__), [{"id": sid, "region_code": city, "pack_id": "jjj-2019-20",
                                                             "season_year": 2025, "title": f"{city} 2025-2026"}])
            base = {"schedule_id": sid, "region_code": city, "pack_id": "jjj-2019-20", "pack_sha256": "0" * 64,
                    "engine_version": "bench", "season_start": date(2025, 11, 15), "season_end": date(2026, 3, 16)}
            db.session.execute(insert(ScheduleVersion.__table__), [
                {**base, "id": 2 * sid - 1, "number": 1, "status": "published", "published_at": now},
                {**base, "id": 2 * sid, "number": 2, "status": "draft", "published_at": None}])
            mine = [r for r in rows if r["region_code"].startswith(city[:4]) and r["status"] == "approved"]
            batch = [{"version_id": 2 * sid, "position": j, "enterprise_id": r["id"], "enterprise_name": r["name"],
                      "uscc": r["uscc"], "region_code": r["region_code"], "sector": r["sector"], "line_ref": "L1",
                      "phase_start": date(2025, 11, 15), "phase_end": date(2026, 3, 16), "measure": "curtail",
                      "flags": [{"code": "in_principle_stop", "options": ["stop", "curtail"]}] if j % 40 == 0 else []}
                     for j, r in enumerate(mine)]
            for chunk in range(0, len(batch), 5000):
                db.session.execute(insert(ScheduleEntry.__table__), batch[chunk:chunk + 5000])
            entries += len(batch)
            lid = db.session.execute(insert(EmergencyList.__table__).returning(EmergencyList.id), [{
                "region_code": city, "pack_id": "jjj-2019-20", "pack_sha256": "0" * 64, "engine_version": "bench",
                "number": 1, "status": "draft", "resplit": {}, "area_sources": []}]).scalar_one()
            list_rows = [{"list_id": lid, "enterprise_id": r["id"], "line_id": r["id"], "level": level, "measure": "curtail",
                          "percent": 30, "origin": "plan", "daily_so2_kg": 5, "daily_nox_kg": 8, "daily_pm_kg": 3,
                          "daily_vocs_kg": 1} for r in mine for level in ("yellow", "orange", "red")]
            for chunk in range(0, len(list_rows), 5000):
                db.session.execute(insert(ListEntry.__table__), list_rows[chunk:chunk + 5000])
        owner_ent = next(r["id"] for r in rows if r["region_code"] == "131002" and r["status"] == "approved")
        for username, role, region, ent in (("b.province", "province", "130000", None), ("b.city", "city", "131000", None),
                                            ("b.county", "county", "131002", None), ("b.firm", "enterprise", None, owner_ent)):
            user = create_user(SYSTEM, {"username": username, "password": PASSWORD, "role": role, "region_code": region})
            user.enterprise_id = ent
        db.session.commit()
        return {"enterprises": n, "grade_decisions": len(graded), "grade_applications": len(apps),
                "schedule_entries": entries, "cities": len(cities),
                "users": len(list(db.session.scalars(select(Enterprise.id).limit(1))))}


def measure(app, repeat: int) -> list[dict]:
    from sqlalchemy import event

    from registry.extensions import db

    out = []
    with app.app_context():
        engine = db.engine
    statements = {"n": 0}
    slow: dict[str, float] = {}

    def count(conn, cursor, statement, *_a):
        statements["n"] += 1
        conn.info["t0"] = time.perf_counter()

    def took(conn, cursor, statement, *_a):
        key = " ".join(statement.split())[:160]
        slow[key] = slow.get(key, 0.0) + time.perf_counter() - conn.info.pop("t0", time.perf_counter())

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "after_cursor_execute", took)
    for username in ("b.province", "b.city", "b.county", "b.firm"):
        c = app.test_client()
        r = c.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 302, r.get_data(as_text=True)[-400:]
        first = time.perf_counter()
        page = c.get("/dashboard/")
        cold = time.perf_counter() - first
        assert page.status_code == 200, page.get_data(as_text=True)[-800:]
        times, trivial = [], []
        slow.clear()
        for _ in range(repeat):
            t = time.perf_counter()
            c.get("/healthz")
            trivial.append(time.perf_counter() - t)
            statements["n"] = 0
            t = time.perf_counter()
            page = c.get("/dashboard/")
            times.append(time.perf_counter() - t)
        out.append({"role": username.split(".")[1], "median_ms": statistics.median(times) * 1000, "cold_ms": cold * 1000,
                    "healthz_ms": statistics.median(trivial) * 1000,
                    "ratio": statistics.median(times) / statistics.median(trivial),
                    "html_kb": len(page.data) / 1024, "statements": statements["n"],
                    "slowest": sorted(slow.items(), key=lambda kv: -kv[1])[:4]})
    event.remove(engine, "before_cursor_execute", count)
    event.remove(engine, "after_cursor_execute", took)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=60_000)
    parser.add_argument("--url", default="", help="an EMPTY database to fill (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sqlite", default="", help="keep the SQLite file here; reuse it when it exists (no seeding)")
    parser.add_argument("--slowest", action="store_true", help="also print each role's slowest SQL statements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reuse = bool(args.sqlite) and Path(args.sqlite).exists()
        url = args.url or f"sqlite:///{args.sqlite or Path(tmp) / 'bench.sqlite3'}"
        app = _app(url)
        if not reuse:
            t = time.perf_counter()
            made = seed(app, args.enterprises)
            print(f"seeded {made} in {time.perf_counter() - t:.1f} s on {url.split(':')[0]}")
        print("| role | GET /dashboard/ median (ms) | first (ms) | /healthz median (ms) | ratio | HTML (KB) | SQL statements |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        results = measure(app, args.repeat)
        for r in results:
            print(f"| {r['role']} | {r['median_ms']:.1f} | {r['cold_ms']:.1f} | {r['healthz_ms']:.2f} | {r['ratio']:.1f}× "
                  f"| {r['html_kb']:.1f} | {r['statements']} |")
        if args.slowest:
            for r in results:
                print(f"\n{r['role']}: slowest statements (seconds over {args.repeat} requests)")
                for sql, seconds in r["slowest"]:
                    print(f"  {seconds:7.3f}  {sql}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
