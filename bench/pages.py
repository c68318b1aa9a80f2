"""Page speed at province scale (issue 16): every page type as each role, against /healthz in the same run.

    .venv/bin/python bench/pages.py [--scale 1.0] [--repeat 5] [--db sqlite|postgresql] [--keep DIR]
                                    [--reuse DIR] [--out bench/results]

Steps, each in its own process (as bench/load/run.py):
1. the synthetic province workbook of bench/import_export.py at --scale (1.0 = 60,000 enterprises, 300,000
   lines, 150,000 pieces of equipment, 60,000 permits), migrated into SQLite (a file) or a throwaway
   PostgreSQL, loaded with the real importer;
2. "world": one account per role — the province, the busiest Langfang county's city (131000) and county, an
   enterprise of that county, the three administrators — and what their pages show: a staggered-production
   schedule of the county (generated, published, and a new draft), a grade application in county review, the
   enterprise's filed emergency plan and the city's emergency list (compiled and filed; skipped with
   --no-list);
3. the app served by gunicorn (1 worker, 1 thread: one request at a time, no queueing) on 127.0.0.1;
4. each role signs in through the login form and GETs each of its page types --repeat times, with a GET of
   /healthz (the trivial endpoint) before each page request, so both meet the same machine load;
5. a table: median time per page, its ratio to the median /healthz time (target ≤ 5×), the HTML size in KB
   before compression (target ≤ 100 KB), and the status.

--reuse DIR keeps the database of an earlier --keep DIR run (steps 1–2 skipped). Timings never fail the run;
a page answering 5xx does (exit 1).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RATIO_TARGET = 5.0
TIMEOUT_S = 300  # a page that has not answered after 5 minutes is recorded as timed out (status 0)
SIZE_TARGET_KB = 100
PASSWORD = "Bench-pages-password-1"  # noqa: S105  # throwaway accounts on a throwaway database
CITY = "131000"  # Langfang: its pack (langfang-2017-18) drives the schedule and the list


# ---- step 2: the world the pages show (runs in its own process) ----

def step_world(url: str, out: str, with_list: str) -> dict:
    from sqlalchemy import func, select

    from bench.import_export import _app
    from registry.accounts.auth import SYSTEM
    from registry.accounts.models import User
    from registry.accounts.operations import create_user
    from registry.core.errors import DomainError
    from registry.emergency import operations as eops
    from registry.enterprises.models import Enterprise, ProductionLine
    from registry.extensions import db
    from registry.grades import operations as gops
    from registry.schedules import operations as sops
    from tests.builders.answers import PDF, STEEL_ANSWERS

    app = _app(url)
    app.config["GRADE_EVIDENCE_DIR"] = tempfile.mkdtemp(prefix="lantian-bench-evidence-")
    timings: dict[str, float] = {}
    with app.app_context(), app.test_request_context():
        county = db.session.scalar(select(Enterprise.region_code).where(Enterprise.region_code.startswith(CITY[:4]))
                                   .group_by(Enterprise.region_code).order_by(func.count().desc(), Enterprise.region_code).limit(1))

        def person(username: str, role: str, region: str | None = None, enterprise_id: int | None = None) -> User:
            user = create_user(SYSTEM, {"username": username, "password": PASSWORD, "role": role, "region_code": region})
            if enterprise_id is not None:
                db.session.get(User, user.id).enterprise_id = enterprise_id
            return user

        province = person("bench-province", "province", "130000")
        city = person("bench-city", "city", CITY)
        county_user = person("bench-county", "county", county)
        for role in ("admin", "security_admin", "audit_admin"):
            person(f"bench-{role}", role)
        steel = list(db.session.scalars(select(Enterprise.id).where(Enterprise.region_code == county, Enterprise.sector == "steel",
                                                                    Enterprise.status == "approved").order_by(Enterprise.id)))
        others = list(db.session.scalars(select(Enterprise.id).where(Enterprise.region_code == county, Enterprise.status == "approved")
                                         .order_by(Enterprise.id).limit(50)))
        first_line = dict(db.session.execute(select(ProductionLine.enterprise_id, func.min(ProductionLine.id))
                                             .where(ProductionLine.enterprise_id.in_(steel + others))
                                             .group_by(ProductionLine.enterprise_id)).all())
        application = None
        for eid in steel:  # a grade application in county review (an enterprise outside grading is skipped)
            try:
                with db.session.begin_nested():
                    owner = person(f"bench-applicant-{eid}", "enterprise", None, eid)
                    a = gops.create_application(owner, {"enterprise_id": eid, "industries": {"steel": {"line_ids": [first_line[eid]]}}})
                    gops.save_answers(owner, a.id, {"version": a.version, "industries": {"steel": {"answers": STEEL_ANSWERS}}})
                    gops.add_evidence(owner, a.id, "rail-contract.pdf", PDF, industry="steel", indicator="clean_transport_share")
                    db.session.flush()
                    gops.submit_application(owner, a.id, {"version": a.version})
                    db.session.flush()
                    application = a.id
                    break
            except DomainError:
                continue
        own = next(e for e in others if e not in steel[:1])
        enterprise = person("bench-enterprise", "enterprise", None, own)
        db.session.commit()
        from registry.enterprises import operations as enterprise_ops

        mine = db.session.get(Enterprise, own)  # reopened, so that its forms open (an approved record is read-only)
        enterprise_ops.reopen_registration(enterprise, own, {"version": mine.version})
        db.session.commit()

        t0 = time.perf_counter()
        schedule = sops.create_schedule(county_user, {"region_code": county, "pack_id": "langfang-2017-18", "season_year": 2017,
                                                      "title": "基准县错峰生产清单"})
        sops.generate(county_user, schedule.id)
        published = sops.publish(county_user, schedule.id, {"filed_on": "2017-11-01", "recipients": "县工信局"})
        draft = sops.new_version(county_user, schedule.id)
        db.session.commit()
        timings["schedule_two_generations_s"] = round(time.perf_counter() - t0, 1)

        plan = eops.save_plan(enterprise, own, {"pack_id": "langfang-2017-18",
                                                "entries": eops.prefill(enterprise, own, "langfang-2017-18")})
        eops.file_plan(enterprise, plan.id)
        db.session.commit()
        list_id = None
        if with_list == "1":
            t0 = time.perf_counter()
            lst = eops.compile_list(city, {"region_code": CITY, "pack_id": "langfang-2017-18"})
            db.session.commit()
            timings["emergency_list_compile_s"] = round(time.perf_counter() - t0, 1)
            eops.file_list(city, lst.id)
            db.session.commit()
            list_id = lst.id
        line = first_line.get(own) or db.session.scalar(select(func.min(ProductionLine.id)).where(ProductionLine.enterprise_id == own))
        other = next(e for e in others if e != own)
        world = {"county": county, "enterprise_id": own, "line_id": line, "other_enterprise_id": other,
                 "schedule_id": schedule.id, "published_id": published.id, "draft_id": draft.id, "application_id": application,
                 "list_id": list_id, "users": {u.role: u.username for u in (province, city, county_user, enterprise)},
                 "province_user_id": province.id, "timings": timings}
    Path(out).write_text(json.dumps(world), encoding="utf-8")
    return {"county": county, **timings}


# ---- step 4: the pages each role reaches ----

def pages(world: dict) -> dict[str, list[tuple[str, str]]]:
    """role → [(page type, path)]: every page type of the navigation and what it links to."""
    e, line, other = world["enterprise_id"], world["line_id"], world["other_enterprise_id"]
    s, pub, draft, app, lst = (world["schedule_id"], world["published_id"], world["draft_id"], world["application_id"],
                               world["list_id"])
    official = [
        ("enterprise list", "/enterprises/"), ("enterprise list, page 40", "/enterprises/?page=40"),
        ("enterprise list, search", "/enterprises/?q=" + urllib.parse.quote("合成企业0012")),
        ("enterprise", f"/enterprises/{other}"), ("enterprise history", f"/enterprises/{other}/history"),
        ("code conflicts", "/enterprises/conflicts"), ("audit log", "/audit/"), ("grade applications", "/grades/"),
        ("grade chart", "/grades/chart"), ("ungraded enterprises", "/grades/ungraded"), ("schedules", "/schedules/"),
        ("schedule (latest version)", f"/schedules/{s}"), ("schedule calendar", f"/schedules/versions/{draft}/calendar"),
        ("schedule diff", f"/schedules/versions/{draft}/diff"), ("emergency lists", "/emergency/"),
        ("county supervision", "/supervision/"), ("county supervision, one county", f"/supervision/?county={world['county']}"),
        ("dashboard", "/dashboard/"), ("Excel exchange", "/exchange/"), ("API tokens", "/account/tokens"),
        ("account", "/account"),
    ]
    if app:
        official.append(("grade application", f"/grades/{app}"))
    city = official + [("area sources", "/emergency/area-sources")]
    if lst:
        city += [("emergency list", f"/emergency/lists/{lst}"),
                 ("alert-day orders", f"/emergency/lists/{lst}/orders?date=2017-12-10&level=red")]
    enterprise = [
        ("own enterprise", "/enterprises/"), ("enterprise", f"/enterprises/{e}"), ("enterprise form", f"/enterprises/{e}/edit"),
        ("line form", f"/enterprises/lines/{line}/edit"), ("new line form", f"/enterprises/{e}/lines/new"),
        ("enterprise history", f"/enterprises/{e}/history"), ("grades", "/grades/"), ("schedules", "/schedules/"),
        ("schedule (published)", f"/schedules/{s}"), ("schedule notice", f"/schedules/versions/{pub}/notice/{e}"),
        ("emergency plan", f"/emergency/enterprises/{e}/plan"), ("my emergency measures", "/emergency/mine"),
        ("account", "/account"), ("dashboard", "/dashboard/"),
    ]
    if lst:
        enterprise.append(("my alert-day order", f"/emergency/lists/{lst}/orders?date=2017-12-10&level=red"))
    anonymous = [("home", "/"), ("login", "/login"), ("sign-up", "/signup"), ("published grades", "/public/grades"),
                 ("published schedules", "/public/schedules/"), ("published schedule", f"/public/schedules/{pub}")]
    return {
        "anonymous": anonymous,
        "province": official, "city": city, "county": official, "enterprise": enterprise,
        "admin": [("users", "/admin/users"), ("users, search", "/admin/users?q=bench"), ("new user form", "/admin/users/new"),
                  ("user form", f"/admin/users/{world['province_user_id']}/edit")],
        "security_admin": [("security administration", "/security/")],
        "audit_admin": [("audit log", "/audit/"), ("audit log, page 200", "/audit/?page=200")],
    }


class ServerCpu:
    """CPU seconds spent by the server for a request: the gunicorn worker (one worker, one thread: only this request)
    plus the PostgreSQL cluster's processes (the throwaway cluster serves only this run), read with psutil before and
    after. Unlike wall time it does not grow with the other jobs sharing the machine (issue 18: 2 cores, load 10–25)."""

    def __init__(self, gunicorn_pid: int, cluster: Path | None):
        import psutil

        self.psutil = psutil
        self.master = psutil.Process(gunicorn_pid)
        self.cluster = cluster

    def _procs(self) -> list:
        procs = list(self.master.children(recursive=True))
        pidfile = self.cluster / "data" / "postmaster.pid" if self.cluster else None
        if pidfile is not None and pidfile.exists():
            post = self.psutil.Process(int(pidfile.read_text().split()[0]))
            procs += [post, *post.children(recursive=True)]
        return procs

    def now(self) -> float:
        total = 0.0
        for proc in self._procs():
            try:
                t = proc.cpu_times()
                total += t.user + t.system
            except self.psutil.Error:
                pass
        return total


class Browser:
    """One person's cookie jar over urllib (no redirects followed: a page is timed alone)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def get(self, path: str) -> tuple[int, bytes, float]:
        request = urllib.request.Request(self.base + path, headers={"Accept-Language": "zh"})  # noqa: S310  # 127.0.0.1
        t0 = time.perf_counter()
        try:
            with self.opener.open(request, timeout=TIMEOUT_S) as r:  # noqa: S310  # our own server on 127.0.0.1
                body, status = r.read(), r.status
        except urllib.error.HTTPError as err:
            body, status = err.read(), err.code
        except TimeoutError:  # recorded as such; the single worker finishes the request before it answers again
            _wait_ready(self.base, timeout=900)
            return 0, b"", time.perf_counter() - t0
        return status, body, time.perf_counter() - t0

    def login(self, username: str) -> None:
        status, body, _t = self.get("/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
            rb'name="csrf-token" content="([^"]+)"', body)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token.group(1).decode()}).encode()
        request = urllib.request.Request(self.base + "/login", data=data, headers={"Accept-Language": "zh"})  # noqa: S310
        try:
            self.opener.open(request, timeout=60)  # noqa: S310
        except urllib.error.HTTPError as err:
            if err.code != 302:
                raise RuntimeError(f"login {username}: {err.code}") from err


def measure(base: str, world: dict, repeat: int, skip: tuple[str, ...] = (), only: tuple[str, ...] = (),
            cpu: ServerCpu | None = None, trivial_cpu: list[float] | None = None) -> tuple[list[dict], list[float]]:
    usernames = {"province": world["users"]["province"], "city": world["users"]["city"], "county": world["users"]["county"],
                 "enterprise": world["users"]["enterprise"], "admin": "bench-admin", "security_admin": "bench-security_admin",
                 "audit_admin": "bench-audit_admin"}
    rows, trivial = [], []
    for role, items in pages(world).items():
        if only and role not in only:
            continue
        person = Browser(base)
        if role != "anonymous":
            person.login(usernames[role])
        for name, path in items:
            if f"{name}@{role}" in skip:
                rows.append({"role": role, "page": name, "path": path, "status": "skipped", "median_ms": 0.0, "max_ms": 0.0,
                             "kb": 0.0})
                continue
            _s, _b, warm = person.get(path)  # warm: templates compiled, caches filled, as for every later visitor
            times, cpus, status, size = [], [], 0, 0
            for _ in range(repeat if warm < 20 else 1):  # a page of over 20 s is timed once: the run stays bounded
                c0 = cpu.now() if cpu else 0.0
                _s, _b, t = person.get("/healthz")
                c1 = cpu.now() if cpu else 0.0
                trivial.append(t)
                if trivial_cpu is not None:
                    trivial_cpu.append(c1 - c0)
                status, body, t = person.get(path)
                cpus.append((cpu.now() - c1) if cpu else 0.0)
                times.append(t)
                size = len(body)
            rows.append({"role": role, "page": name, "path": path, "status": status, "median_ms": statistics.median(times) * 1000,
                         "max_ms": max(times) * 1000, "kb": size / 1024, "cpu_ms": statistics.fmean(cpus) * 1000})
            print(f"{role:15} {name:30} {status} {statistics.median(times) * 1000:8.1f} ms {statistics.fmean(cpus) * 1000:7.1f} ms "
                  f"CPU {size / 1024:7.1f} KB", flush=True)
    return rows, trivial


def markdown(rows: list[dict], trivial_ms: float, meta: dict) -> str:
    out = [f"Scale {meta['scale']:g} ({meta['data']}), {meta['db']}, {meta['machine']}; load average {meta['load']}; "
           f"gunicorn 1 worker × 1 thread; {meta['repeat']} timed requests per page after one warm-up; "
           f"trivial endpoint /healthz median **{trivial_ms:.1f} ms** (same run, one request before each page request).",
           f"Server CPU (gunicorn worker + PostgreSQL, psutil) of /healthz mean **{meta.get('trivial_cpu_ms', 0):.1f} ms**; a page's server CPU is its mean over the timed requests.",
           "", "| role | page | status | median | ratio to /healthz | server CPU | CPU ratio | HTML |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["status"] == "skipped":
            out.append(f"| {r['role']} | {r['page']} | skipped (--skip) | | | |")
            continue
        if r["status"] == 0:
            out.append(f"| {r['role']} | {r['page']} | **no answer within {TIMEOUT_S} s** | > {TIMEOUT_S} s | ⚠ | |")
            continue
        ratio = r["median_ms"] / trivial_ms if trivial_ms else 0
        flag_t = " ⚠" if ratio > RATIO_TARGET else ""
        flag_s = " ⚠" if r["kb"] > SIZE_TARGET_KB else ""
        tc = meta.get("trivial_cpu_ms") or 0
        cratio = r.get("cpu_ms", 0) / tc if tc else 0
        out.append(f"| {r['role']} | {r['page']} | {r['status']} | {r['median_ms']:.0f} ms | {ratio:.1f}×{flag_t} | "
                   f"{r.get('cpu_ms', 0):.0f} ms | {cratio:.1f}×{' ⚠' if cratio > RATIO_TARGET else ''} | {r['kb']:.0f} KB{flag_s} |")
    rows = [r for r in rows if r["status"] not in ("skipped", 0)] + [r for r in rows if r["status"] == 0]
    over_t = [r for r in rows if trivial_ms and (r["status"] == 0 or r["median_ms"] / trivial_ms > RATIO_TARGET)]
    over_s = [r for r in rows if r["kb"] > SIZE_TARGET_KB]
    out += ["", f"{len(rows)} page requests timed; {len(over_t)} over {RATIO_TARGET:g}× /healthz, {len(over_s)} over "
                f"{SIZE_TARGET_KB} KB; worst ratio {max((r['median_ms'] / trivial_ms for r in rows), default=0):.1f}×, "
                f"largest page {max((r['kb'] for r in rows), default=0):.0f} KB."]
    return "\n".join(out)


def _wait_ready(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not start")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0, help="province size (1.0 = 60,000 enterprises)")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--no-list", action="store_true", help="skip compiling the city's emergency list")
    p.add_argument("--keep", help="keep the database (and world.json) in this directory for --reuse")
    p.add_argument("--reuse", help="a directory kept by --keep: skip generation, import and the world")
    p.add_argument("--skip", action="append", default=[], metavar="PAGE@ROLE",
                   help="a page not to time, e.g. 'county supervision@province' (repeatable)")
    p.add_argument("--prepare-only", action="store_true", help="build the database and the world (with --keep), time nothing")
    p.add_argument("--out", default=str(ROOT / "bench" / "results"))
    p.add_argument("--url", help="with --reuse: a database already running (e.g. bench/load/run.py --reuse's), not started "
                   "or stopped here")
    p.add_argument("--only", action="append", default=[], metavar="ROLE", help="time only these roles' pages (repeatable)")
    args = p.parse_args()

    from bench.import_export import _machine, _run_step

    tmp = Path(args.reuse or args.keep or tempfile.mkdtemp(prefix="lantian-pages-"))
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = tmp / "pg"
    server = None
    meta = {"scale": args.scale, "db": "SQLite" if args.db == "sqlite" else "PostgreSQL", "machine": _machine(),
            "repeat": args.repeat}
    try:
        if args.url:
            url = args.url
        elif args.db == "sqlite":
            url = f"sqlite:///{tmp}/pages.sqlite3"
        else:
            url = subprocess.run([str(ROOT / "scripts/pg_throwaway.sh"), "start", str(cluster)], check=True, capture_output=True,
                                 text=True).stdout.strip()
        world_file = tmp / "world.json"
        if not args.reuse:
            t0 = time.perf_counter()
            book = tmp / f"province-{args.scale:g}.xlsx"
            meta["data"] = _run_step("generate", str(book), str(args.scale), str(args.seed))
            _run_step("migrate", url)
            imported = _run_step("import", url, str(book))
            book.unlink()
            print(f"# province loaded: {meta['data']} in {time.perf_counter() - t0:.0f} s (import {imported['seconds']:.0f} s)",
                  flush=True)
            world = _run_own_step("world", url, str(world_file), "0" if args.no_list else "1")
            print(f"# world: {world}", flush=True)
            (tmp / "meta.json").write_text(json.dumps(meta["data"]), encoding="utf-8")
        else:
            meta["data"] = json.loads((tmp / "meta.json").read_text(encoding="utf-8"))
        world = json.loads(world_file.read_text(encoding="utf-8"))
        if args.prepare_only:
            return 0

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, LANTIAN_CONFIG="default", DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32))
        server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--threads", "1", "--bind", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "--timeout", "600", "--error-logfile", str(tmp / "gunicorn.log"),
                                   "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_ready(base)
        meta["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        cpu = ServerCpu(server.pid, cluster if args.db == "postgresql" else None)
        trivial_cpu: list[float] = []
        rows, trivial = measure(base, world, args.repeat, tuple(args.skip), tuple(args.only), cpu, trivial_cpu)
        # the mean, not the median: CPU times tick by 10 ms, and /healthz takes a few (the mean of ~250 requests resolves it)
        meta["trivial_cpu_ms"] = statistics.fmean(trivial_cpu) * 1000 if trivial_cpu else 0.0
        meta["load"] += " → " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.db == "postgresql" and not args.url:
            subprocess.run([str(ROOT / "scripts/pg_throwaway.sh"), "stop", str(cluster)], check=False)
        if not (args.keep or args.reuse):
            shutil.rmtree(tmp, ignore_errors=True)
    trivial_ms = statistics.median(trivial) * 1000
    text = markdown(rows, trivial_ms, meta)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (out / f"pages-{stamp}.json").write_text(json.dumps({"meta": meta, "trivial_ms": trivial_ms, "rows": rows}, ensure_ascii=False,
                                                        indent=2), encoding="utf-8")
    (out / f"pages-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if any(isinstance(r["status"], int) and r["status"] >= 500 for r in rows) else 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_own_step(name: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "_step", name, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        print(json.dumps({"world": step_world}[sys.argv[2]](*sys.argv[3:])))
    else:
        sys.exit(main())
