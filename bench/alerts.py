"""Benchmark: issuing a heavy-pollution alert (issue 17 §Speed).

    .venv/bin/python -m bench.alerts [--enterprises 5000] [--fanout 60000] [--repeat 2] [--database-url URL]

On a fresh migrated database (a SQLite file, or the THROWAWAY PostgreSQL of --database-url) it builds a synthetic
city: the demo's approved enterprises (registry/demo.py, every sector's lines and permits) cloned by bulk inserts
into `--enterprises` approved registrations of Langfang (131000) with their approved facts (what alerts read).
Then, interleaved per round (the best of each kept):

- FLOOR: one batch evaluation of the same lines at the alert's level — grading.batch.evaluate_frame, frame built
  from the enterprises' evaluate documents included (the documents are built beforehand), as bench/schedules.py
  and bench/orders.py measure it;
- ISSUE (own work): `registry.alerts.operations.issue` + commit with the enterprises' records already read — the
  orders' fan-out (registry.emergency.orders.fan_out: the engine's decide_many, the per-line plan | pack choice),
  one order per enterprise, its inbox entry and delivery rows, the audit entries. Like the two benches above it
  bypasses the registry's record → facts mapper, so it compares the alert's own work with the engine's;
- ISSUE (end to end): the same, reading the approved facts, grades and plans from the database (area_orders).

After each issue the episode is lifted (every order ended, "alert ended" inbox entries); the next round starts
more than the lifting gap later, so it is a new episode (R-W-03). Then the fan-out: a regional alert (003:48) over
Hebei's cities with `--fanout` enterprises, end to end and own work. Reports seconds, ratios to the floor (issue 17:
≤ 2 for the city), the fan-out seconds (≤ 30) and peak RSS; figures go to stdout and bench/results/alerts.json.
Never a timed assertion.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.evaluate import machine

CITY = "131000"
HEBEI_CITIES = ("130100", "130200", "130300", "130400", "130500", "130600", "130700", "130800", "130900", "131000", "131100")


def _clone(n: int, regions: list[str], offset: int) -> list[int]:
    """n approved enterprises cloned from the demo's approved ones (enterprise rows + approved facts), in `regions`."""
    from sqlalchemy import insert, select

    from registry.core.regions import counties_under
    from registry.core.timeutil import utcnow
    from registry.enterprises.models import ApprovedFacts, Enterprise
    from registry.extensions import db

    templates = db.session.execute(select(ApprovedFacts.data).order_by(ApprovedFacts.id)).scalars().all()
    counties = [c.code for r in regions for c in counties_under(r)] or regions
    e_table, f_table = Enterprise.__table__, ApprovedFacts.__table__
    base = db.session.execute(select(e_table).where(e_table.c.id == templates[0]["enterprise"]["id"])).mappings().one()
    ids: list[int] = []
    now = utcnow()
    start = (db.session.scalar(select(db.func.max(Enterprise.id))) or 0) + 1
    for chunk in range(0, n, 2000):
        rows, facts = [], []
        for i in range(chunk, min(n, chunk + 2000)):
            eid = start + i
            tpl = templates[i % len(templates)]
            region = counties[i % len(counties)]
            uscc = f"91{offset + i:016d}"
            ent = {**dict(base), **{k: v for k, v in tpl["enterprise"].items() if k in base and k not in (
                "created_at", "updated_at", "submitted_at", "approved_at", "relocation_deadline", "fugitive_control_done_on",
                "voc_remediation_done_on", "furnace_list_done_on", "livelihood_filed_on", "capacity_utilisation_2018",
                "livelihood_max_load", "rail_share", "bulk_freight_mt")}}
            ent.update(id=eid, uscc=uscc, name=f"基准测试企业{offset + i:06d}", region_code=region, status="approved",
                       version=1, created_at=now, updated_at=now, submitted_at=now, approved_at=now)
            rows.append(ent)
            data = json.loads(json.dumps(tpl))
            data["enterprise"].update(id=eid, uscc=uscc, name=ent["name"], region_code=region)
            for line in data["lines"]:
                line["enterprise_id"] = eid
            facts.append({"enterprise_id": eid, "number": 1, "region_code": region, "origin": "import",
                          "approved_at": now, "approved_by_id": None, "data": data})
            ids.append(eid)
        db.session.execute(insert(e_table), rows)
        db.session.execute(insert(f_table), facts)
        db.session.commit()
    return ids


def _prepare(region_codes: list[str], pack: str, level: str, on):
    """The covered enterprises read once (not timed): their evaluate documents (for the floor) and the fan-out's
    subjects (for the issue's own work), exactly as area_orders builds them."""
    from registry.core.timeutil import beijing_today
    from registry.emergency import queries
    from registry.emergency.orders import Subject, _enterprises
    from registry.grades.current import emergency_standing
    from registry.policy.facts import enterprise_facts

    ents = _enterprises(region_codes, None)
    ids = [e.id for e in ents]
    standing = emergency_standing(ids, beijing_today())
    filed = queries.latest_filed_plans(ids, pack)
    plans = {eid: {(p.line_id, p.level): p for p in plan.entries} for eid, plan in filed.items()}
    subjects, docs = [], []
    for e in ents:
        held = standing.get(e.id)
        facts = enterprise_facts(e, on=on, extra=held.facts() if held is not None else None)
        subjects.append(Subject({"enterprise_id": e.id, "name": e.name, "uscc": e.uscc, "region_code": e.region_code,
                                 "sector": e.sector, "grade": held.worst() if held is not None else None,
                                 "address": e.address}, facts, {(ln.code or str(ln.id)): ln for ln in e.lines},
                                plans.get(e.id, {})))
        docs.append({"pack": pack, "date": on.isoformat(), "alert_level": level, "enterprise": facts})
    return subjects, docs, sum(len(d["enterprise"]["lines"]) for d in docs)


def _floor(docs: list[dict], pack: str, level: str, on) -> float:
    from grading.batch import evaluate_frame, frame_from_documents

    t = time.perf_counter()
    evaluate_frame(frame_from_documents(docs), pack, on, level, workers=1)
    return time.perf_counter() - t


def _issue(actor, data: dict, subjects=None, round_no: int = 0) -> tuple[float, int]:
    """ops.issue + commit (with `subjects`: the records already read), then the lift; returns (seconds, orders)."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from registry.alerts import operations as ops
    from registry.alerts import sources
    from registry.alerts.models import AlertOrder
    from registry.core.timeutil import utcnow
    from registry.emergency.orders import fan_out
    from registry.extensions import db

    real = ops.orders_for
    if subjects is not None:
        def prepared(pack_id, day, level, area_codes, enterprise_ids=None):
            on = sources.pack_day(pack_id, day)
            return sources.stamped(fan_out(pack_id, on, level, subjects), on)
        ops.orders_for = prepared
    try:
        data = {**data, "starts_at": utcnow() + timedelta(days=10 * round_no)}  # past the lifting gap: a new episode
        t = time.perf_counter()
        ep = ops.issue(actor, data)
        db.session.commit()
        took = time.perf_counter() - t
    finally:
        ops.orders_for = real
    n = db.session.scalar(select(func.count()).select_from(AlertOrder).where(AlertOrder.episode_id == ep.id))
    ops.lift(actor, ep.id, {"clear_hours": 36})
    db.session.commit()
    return took, n


@contextmanager
def demo_database(database_url: str = ""):
    """A fresh migrated database (a THROWAWAY PostgreSQL one when given, else a SQLite file in a temporary folder) with
    the regions and the demo (8 enterprises a city), inside a request context: the ground both alert benches stand on."""
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    from flask_migrate import upgrade

    from registry import create_app
    from registry.core.regions import load_regions
    from registry.demo import build_demo
    from registry.extensions import db

    app = create_app("default")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == os.environ["DATABASE_URL"], "refusing to write outside the given DB"
    with app.test_request_context():
        if database_url:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        load_regions()
        db.session.commit()
        build_demo(per_city=8)
        db.session.commit()
        yield app


def main() -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--fanout", type=int, default=60000, help="enterprises of the province's regional alert (0: skip)")
    ap.add_argument("--level", default="orange")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--database-url", default="", help="a THROWAWAY PostgreSQL database (scripts/pg_throwaway.sh); "
                                                        "default: a fresh SQLite file")
    args = ap.parse_args()

    out: dict = {"machine": machine()}
    with demo_database(args.database_url):  # sets DATABASE_URL before the registry is imported
        from registry.accounts.auth import SYSTEM
        from registry.alerts.sources import pack_day
        from registry.core.timeutil import beijing_today
        from registry.extensions import db
        from registry.policy.packs import pack_for_region
        t = time.perf_counter()
        _clone(args.enterprises, [CITY], 0)
        out["clone_city_s"] = round(time.perf_counter() - t, 1)
        pack = pack_for_region(CITY)
        on = pack_day(pack, beijing_today())
        subjects, docs, n_lines = _prepare([CITY], pack, args.level, on)
        floors, own, total, orders, k = [], [], [], 0, 0
        for _ in range(args.repeat):  # interleaved, so all three meet the same load
            floors.append(_floor(docs, pack, args.level, on))
            k += 1
            took, orders = _issue(SYSTEM, {"scope": "city", "region_code": CITY, "level": args.level,
                                           "doc_number": "bench"}, subjects, k)
            own.append(took)
            k += 1
            took, _n = _issue(SYSTEM, {"scope": "city", "region_code": CITY, "level": args.level, "doc_number": "bench"},
                              None, k)
            total.append(took)
        f = min(floors)
        out.update(database=db.engine.dialect.name, pack=pack, level=args.level, city_enterprises=len(subjects),
                   city_lines=n_lines, city_orders=orders, floor_s=round(f, 3), issue_own_s=round(min(own), 3),
                   issue_end_to_end_s=round(min(total), 3), ratio_own_to_floor=round(min(own) / f, 2),
                   ratio_end_to_end_to_floor=round(min(total) / f, 2),
                   runs={"floor": [round(x, 3) for x in floors], "own": [round(x, 3) for x in own],
                         "end_to_end": [round(x, 3) for x in total]})
        print(json.dumps(out, ensure_ascii=False), flush=True)
        if args.fanout:
            t = time.perf_counter()
            _clone(max(0, args.fanout - len(subjects)), [c for c in HEBEI_CITIES if c != CITY], 10_000_000)
            out["clone_province_s"] = round(time.perf_counter() - t, 1)
            ppack = "jjj-2019-20"
            pon = pack_day(ppack, beijing_today())
            del subjects, docs
            psubjects, pdocs, p_lines = _prepare(list(HEBEI_CITIES), ppack, args.level, pon)
            pf = _floor(pdocs, ppack, args.level, pon)
            del pdocs
            regional = {"scope": "regional", "region_code": "130000", "area_codes": list(HEBEI_CITIES),
                        "level": args.level, "pack_id": ppack, "doc_number": "bench-regional"}
            k += 1
            p_own, p_orders = _issue(SYSTEM, regional, psubjects, k)
            del psubjects
            k += 1
            p_total, _n = _issue(SYSTEM, regional, None, k)
            out.update(fanout_enterprises=p_orders, fanout_lines=p_lines, fanout_floor_s=round(pf, 3),
                       fanout_issue_own_s=round(p_own, 3), fanout_issue_end_to_end_s=round(p_total, 3),
                       fanout_ratio_own=round(p_own / pf, 2))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, ensure_ascii=False))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "alerts.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
