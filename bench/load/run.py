"""Load test (issue 9 §8): gunicorn + PostgreSQL with a synthetic province, driven by locust; figures to bench/results.

    .venv/bin/python bench/load/run.py [--users 200] [--spawn-rate 10] [--duration 300] [--scale 0.2]
                                       [--workers 3] [--threads 4] [--out bench/results]

Steps, each in its own process:
1. a throwaway PostgreSQL cluster (scripts/pg_throwaway.sh), migrated;
2. the synthetic province workbook of bench/import_export.py at --scale (1.0 = 60,000 enterprises,
   300,000 lines), loaded with the real importer (`flask import`'s operation);
3. the people: county and city officials of the ten busiest counties and enterprise staff, one
   API token each, and grade applications waiting for the city officials' approval;
4. gunicorn (wsgi:app, LANTIAN_CONFIG=production, --workers × gthread --threads) on 127.0.0.1;
5. locust headless (bench/load/locustfile.py) for --duration seconds;
6. bench/results/load-<UTC time>.json and .md: throughput, p50/p95/p99 and errors per request, the
   ratio of each list page's p95 to the trivial endpoint's (/healthz) p95 in the same run (target
   ≤ 5×), the error rate (target 0) and the machine.

With --reuse DIR the steps 1–3 are skipped: DIR holds a database prepared once (issue 18: the province at
scale 1.0 takes ~10 minutes to import) — DIR/url (its running cluster, left running), DIR/meta.json (the data's
size), DIR/people.json (step `people`), DIR/world.json (bench/pages.py's step `world`: a county's schedule, the
city's emergency list, an enterprise's plan) and DIR/world-people.json (step `world_people`). The page mix
(bench/load/locustfile.py) then also opens the world's schedule, notices and emergency list, as one simulated person
in five. A run writes (approvals, applications): copy the database first (CREATE DATABASE … TEMPLATE …) to run
again on the same state. docs/performance.md, "Pages under load", has the commands.

Exit status 1 when any request failed (the CI smoke test's only criterion; timings never fail it).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.builders.answers import PDF, STEEL_ANSWERS  # noqa: E402  (the tests' own answers: one copy)

RATIO_TARGET = 5.0
TRIVIAL = "trivial: GET /healthz"
PASSWORD = "Load-test-password-1"  # noqa: S105  # throwaway accounts on a throwaway cluster


# ---- step 3: the people (runs in its own process) ----

def step_people(url: str, out: str, n_people: str, per_city: str) -> dict:
    """Officials (60 % county, 40 % city) and enterprise staff, half and half; tokens to `out`."""
    from sqlalchemy import func, select

    from bench.import_export import _app
    from registry.accounts.auth import SYSTEM
    from registry.accounts.models import User
    from registry.accounts.operations import create_token, create_user
    from registry.core.errors import DomainError
    from registry.enterprises.models import Enterprise, ProductionLine
    from registry.extensions import db
    from registry.grades import operations as gops

    n, k = int(n_people), int(per_city)
    app = _app(url)
    app.config["GRADE_EVIDENCE_DIR"] = os.environ["LOAD_EVIDENCE_DIR"]
    with app.app_context(), app.test_request_context():
        counties = [c for c, _n in db.session.execute(
            select(Enterprise.region_code, func.count()).where(Enterprise.status == "approved")
            .group_by(Enterprise.region_code).order_by(func.count().desc(), Enterprise.region_code).limit(10))]
        cities = sorted({c[:4] + "00" for c in counties})
        ents = {c: list(db.session.scalars(select(Enterprise.id).where(Enterprise.region_code == c, Enterprise.status == "approved")
                                           .order_by(Enterprise.id))) for c in counties}
        first_line = dict(db.session.execute(select(ProductionLine.enterprise_id, func.min(ProductionLine.id))
                                             .group_by(ProductionLine.enterprise_id)).all())
        serial = iter(range(1, 10**6))

        def person(role: str, region: str | None, enterprise_id: int | None = None) -> tuple[User, str]:
            user = create_user(SYSTEM, {"username": f"load-{role}-{next(serial)}", "password": PASSWORD, "role": role,
                                        "region_code": region})
            if enterprise_id is not None:
                db.session.get(User, user.id).enterprise_id = enterprise_id
            _token, secret = create_token(user, {"name": "load"})
            return user, secret

        county_user = {c: person("county", c)[0] for c in counties}
        people: list[dict] = []
        n_officials = n // 2
        n_city = max(len(cities), round(n_officials * 0.4))
        for i in range(n_officials - n_city):
            c = counties[i % len(counties)]
            people.append({"role": "county", "region": c, "token": person("county", c)[1]})
        pool = {c: iter(ids) for c, ids in ents.items()}
        prepared = 0
        for i in range(n_city):
            city = cities[i % len(cities)]
            user, token = person("city", city)
            approve = []
            for c in [c for c in counties if c.startswith(city[:4])]:
                while len(approve) < k:
                    eid = next(pool[c], None)
                    if eid is None:
                        break
                    try:
                        with db.session.begin_nested():  # an enterprise outside grading (gate failed) is skipped
                            owner, _t = person("enterprise", None, eid)
                            a = gops.create_application(owner, {"enterprise_id": eid,
                                                                "industries": {"steel": {"line_ids": [first_line[eid]]}}})
                            gops.save_answers(owner, a.id, {"version": a.version, "industries": {"steel": {"answers": STEEL_ANSWERS}}})
                            gops.add_evidence(owner, a.id, "rail-contract.pdf", PDF, industry="steel", indicator="clean_transport_share")
                            db.session.flush()
                            gops.submit_application(owner, a.id, {"version": a.version})
                            gops.review_documents(county_user[c], a.id, {"version": a.version})
                            db.session.flush()
                    except DomainError:
                        continue
                    approve.append([a.id, a.version])
                    prepared += 1
            people.append({"role": "city", "region": city, "token": token, "approve": approve})
        for i in range(n - n_officials):
            c = counties[i % len(counties)]
            eid = next(pool[c], None)
            if eid is None:
                break
            _u, token = person("enterprise", None, eid)
            people.append({"role": "enterprise", "enterprise_id": eid, "line_id": first_line[eid], "token": token})
        db.session.commit()
    Path(out).write_text(json.dumps(people), encoding="utf-8")
    return {"people": len(people), "applications_to_approve": prepared, "counties": counties}


def step_world_people(url: str, world_file: str, out: str) -> dict:
    """API tokens for bench/pages.py's world accounts (the province, Langfang city, its busiest county and an
    enterprise of it, issue 18): the people who open the world's schedule, notices and emergency list."""
    from sqlalchemy import select

    from bench.import_export import _app
    from registry.accounts.models import User
    from registry.accounts.operations import create_token
    from registry.extensions import db

    world = json.loads(Path(world_file).read_text(encoding="utf-8"))
    app = _app(url)
    people = []
    with app.app_context(), app.test_request_context():
        for role, username in world["users"].items():
            user = db.session.scalar(select(User).where(User.username == username))
            _t, secret = create_token(user, {"name": "load"})
            person = {"role": role, "region": user.region_code, "token": secret, "world": True}
            if role == "enterprise":
                person.update(enterprise_id=world["enterprise_id"], line_id=world["line_id"])
            people.append(person)
        db.session.commit()
    Path(out).write_text(json.dumps(people), encoding="utf-8")
    return {"world_people": len(people)}


# ---- the run ----

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:  # noqa: S310  # our own loopback server
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not answer /healthz")
        time.sleep(0.5)


def _stats(prefix: str) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            def num(key: str, r: dict = r) -> float:
                v = r.get(key, "")
                return float(v) if v not in ("", "N/A") else 0.0
            rows.append({"name": r["Name"] if r["Type"] else "Aggregated", "method": r["Type"],
                         "requests": int(num("Request Count")), "failures": int(num("Failure Count")),
                         "rps": round(num("Requests/s"), 2), "p50_ms": num("50%"), "p95_ms": num("95%"),
                         "p99_ms": num("99%"), "avg_ms": round(num("Average Response Time"), 1), "max_ms": num("Max Response Time")})
    return rows


def _failures(prefix: str) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [dict(r) for r in csv.DictReader(f)]


def _markdown(result: dict) -> str:
    c = result["config"]
    lines = [f"# Load test {result['finished']}", "",
             f"Machine: {result['machine']}; load average before {result['loadavg_before']}, after {result['loadavg_after']}.", "",
             f"{c['users']} simulated people (spawn {c['spawn_rate']}/s), {c['duration_s']} s, gunicorn {c['workers']} workers × "
             f"{c['threads']} threads, PostgreSQL (throwaway, fsync off), province scale {c['scale']:g} "
             f"({result['data'].get('enterprises', '?')} enterprises, {result['data'].get('lines', '?')} lines).", "",
             "| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms | p95 ÷ trivial p95 |",
             "|---|---|---|---|---|---|---|---|"]
    for r in result["requests"]:
        ratio = result["ratios"].get(r["name"])
        lines.append(f"| {r['name']} | {r['requests']} | {r['failures']} | {r['rps']} | {r['p50_ms']:g} | {r['p95_ms']:g} | "
                     f"{r['p99_ms']:g} | {'' if ratio is None else f'{ratio:.2f}×'} |")
    s = result["summary"]
    lines += ["", f"Throughput {s['rps']} req/s; error rate {s['error_rate']:.4%} ({s['failures']} of {s['requests']}); "
                  f"worst list/detail page p95 ÷ trivial p95 = {s['worst_list_ratio']:.2f}× (target ≤ {RATIO_TARGET:g}×).", ""]
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=200)
    p.add_argument("--spawn-rate", type=float, default=10)
    p.add_argument("--duration", type=int, default=300, help="seconds of load after the start")
    p.add_argument("--scale", type=float, default=0.2, help="province size (1.0 = 60,000 enterprises)")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--approvals-per-city", type=int, default=3)
    p.add_argument("--out", default=str(ROOT / "bench" / "results"))
    p.add_argument("--reuse", metavar="DIR", help="a database prepared earlier: DIR/url (its running cluster), DIR/meta.json, "
                   "DIR/people.json (step people), DIR/world.json (bench/pages.py's step world), DIR/world-people.json "
                   "(step world_people); see docs/performance.md")
    args = p.parse_args()

    from bench.import_export import _machine, _run_step

    reuse = Path(args.reuse) if args.reuse else None
    tmp = Path(tempfile.mkdtemp(prefix="lantian-load-"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cluster = tmp / "pg"
    env = dict(os.environ, LOAD_EVIDENCE_DIR=str((reuse or tmp) / "evidence"))
    gunicorn = None
    t_start = time.perf_counter()
    try:
        if reuse is not None:  # a database prepared earlier (see --reuse): nothing to build, the people are there
            url = (reuse / "url").read_text(encoding="utf-8").strip()
            data = json.loads((reuse / "meta.json").read_text(encoding="utf-8"))
            people = json.loads((reuse / "people-summary.json").read_text(encoding="utf-8")) \
                if (reuse / "people-summary.json").exists() else {}
            people_file = tmp / "people.json"
            everyone = json.loads((reuse / "people.json").read_text(encoding="utf-8"))
            if (reuse / "world-people.json").exists():
                everyone += json.loads((reuse / "world-people.json").read_text(encoding="utf-8"))
            people_file.write_text(json.dumps(everyone), encoding="utf-8")
            world_file = reuse / "world.json"
            print(f"# machine: {_machine()}\n# database {url} (reused: {data})", flush=True)
        else:
            url = subprocess.run([str(ROOT / "scripts/pg_throwaway.sh"), "start", str(cluster)], check=True,
                                 capture_output=True, text=True).stdout.strip()
            print(f"# machine: {_machine()}\n# database {url}", flush=True)
            book = tmp / f"province-{args.scale:g}.xlsx"
            data = _run_step("generate", str(book), str(args.scale), str(args.seed))
            _run_step("migrate", url)
            imported = _run_step("import", url, str(book))
            print(f"# province loaded: {data} in {time.perf_counter() - t_start:.0f} s (import {imported['seconds']:.0f} s)",
                  flush=True)
            os.environ["LOAD_EVIDENCE_DIR"] = env["LOAD_EVIDENCE_DIR"]
            people_file = tmp / "people.json"
            people = _run_own_step("people", url, str(people_file), str(args.users), str(args.approvals_per_city))
            print(f"# people: {people}", flush=True)
            # the pages' world (bench/pages.py): a county's schedule, Langfang's emergency list, the notices (issue 18)
            world_file = tmp / "world.json"
            _run_pages_step("world", url, str(world_file), "1")
            _run_own_step("world_people", url, str(world_file), str(tmp / "world-people.json"))
            people_file.write_text(json.dumps(json.loads(people_file.read_text(encoding="utf-8"))
                                              + json.loads((tmp / "world-people.json").read_text(encoding="utf-8"))),
                                   encoding="utf-8")

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        genv = dict(env, LANTIAN_CONFIG="production", DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32))
        gunicorn = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", str(args.workers), "--threads", str(args.threads),
                                     "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                                     # keep idle connections longer than a person's think time: with gunicorn's default
                                     # 2 s a client reusing a connection the server has just closed sees a reset
                                     "--keep-alive", "30",
                                     "--error-logfile", str(tmp / "gunicorn.log"), "wsgi:app"],
                                    cwd=ROOT, env=genv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_ready(base)
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        prefix = str(tmp / "locust")
        lenv = dict(env, LOAD_PEOPLE=str(people_file), LOAD_WORLD=str(world_file))
        started = time.perf_counter()
        locust = subprocess.run([str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
                                 "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
                                 "--host", base, "--csv", prefix, "--only-summary", "--stop-timeout", "10",
                                 "--loglevel", "WARNING"], cwd=ROOT, env=lenv, capture_output=True, text=True,
                                timeout=args.duration + 300)
        elapsed = time.perf_counter() - started
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        rows, failures = _stats(prefix), _failures(prefix)
        if not rows:
            raise RuntimeError(f"locust produced no statistics:\n{locust.stderr[-3000:]}")
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if reuse is None:
            subprocess.run([str(ROOT / "scripts/pg_throwaway.sh"), "stop", str(cluster)], check=False)
        shutil.rmtree(tmp, ignore_errors=True)  # the workbook alone is 46 MiB at scale 1

    per_request = [r for r in rows if r["name"] != "Aggregated"]
    total = next(r for r in rows if r["name"] == "Aggregated")
    trivial = next((r for r in per_request if r["name"] == TRIVIAL), None)
    ratios = {}
    if trivial and trivial["p95_ms"]:
        ratios = {r["name"]: round(r["p95_ms"] / trivial["p95_ms"], 2) for r in per_request if r["name"] != TRIVIAL}
    # every list and detail page (issue 18 item 4): lists, records, dashboards, notices — not the writes
    list_ratios = [v for k, v in ratios.items() if k.startswith(("list:", "open:", "notice:"))]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "finished": stamp, "machine": _machine(), "loadavg_before": load_before, "loadavg_after": load_after,
        "config": {"users": args.users, "spawn_rate": args.spawn_rate, "duration_s": args.duration, "scale": args.scale,
                   "workers": args.workers, "threads": args.threads, "seed": args.seed},
        "data": data, "people": people, "locust_exit": locust.returncode, "elapsed_s": round(elapsed, 1),
        "requests": per_request, "ratios": ratios,
        "summary": {"requests": total["requests"], "failures": total["failures"], "rps": total["rps"],
                    "error_rate": total["failures"] / total["requests"] if total["requests"] else 0.0,
                    "p50_ms": total["p50_ms"], "p95_ms": total["p95_ms"], "p99_ms": total["p99_ms"],
                    "trivial_p95_ms": trivial["p95_ms"] if trivial else None,
                    "worst_list_ratio": max(list_ratios) if list_ratios else 0.0, "ratio_target": RATIO_TARGET},
        "failures": failures[:20],
    }
    (out / f"load-{stamp}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / f"load-{stamp}.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))
    print(f"# report: {out / f'load-{stamp}.json'} and .md", flush=True)
    return 1 if total["failures"] or not total["requests"] else 0


def _run_pages_step(name: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(ROOT / "bench/pages.py"), "_step", name, *args], capture_output=True, text=True,
                          cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_own_step(name: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "_step", name, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        print(json.dumps({"people": step_people, "world_people": step_world_people}[sys.argv[2]](*sys.argv[3:])))
    else:
        sys.exit(main())
