# ruff: noqa: S603, S607  # fixed argv: our own scripts, pg_ctl, flask, mount
"""Issue 9 §6 — faults: the database restarted under load, a process killed mid-write, a full disk.

(a) PostgreSQL is restarted (`pg_ctl restart -m fast`, on a cluster this test starts for itself)
    while requests are in flight: those requests answer a clean 503 with a translated, retryable
    message (JSON for the API, an error page for browsers, `Retry-After`), never a 500, and the
    app serves normally again right after, without being restarted (`pool_pre_ping`, invalidated
    connections dropped).
(b) A real command (`flask import` of a province workbook, `flask schedule publish`,
    `flask emergency compile`, filing an emergency list) is SIGKILLed after writing all its rows
    but before its commit: every table has the same row count as before, no half version exists,
    and `flask audit verify` passes. Runs on SQLite and PostgreSQL.
(c) The disk fills up while evidence is uploaded (a 64 KiB tmpfs mounted as the evidence
    directory; where mounting is not permitted, ENOSPC raised by the file write): a translated 503,
    no evidence row, no partial file.
"""
from __future__ import annotations

import errno
import functools
import glob
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select, text

from tests.builders import ANCI

ROOT = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


DB_GONE = "The database is unavailable for a moment. Nothing was saved; please try again in a minute."
DISK_FULL = ("The file could not be stored (the server's disk is full or failing). Nothing was saved; "
             "please try again later or tell the administrator.")


def _zh(app, msgid: str) -> str:
    """The message as a Chinese user reads it (the catalogue's translation once merged, else the msgid)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("zh"):
        return gettext(msgid)


def _as_pg(cmd: list[str]) -> list[str]:
    return (["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []) + cmd


def _pg_bindir() -> str | None:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return dirs[-1] if dirs else None


# ---- (a) database restarted while requests are in flight ---------------------------------------

@pytest.fixture()
def own_postgres():
    """A PostgreSQL cluster of this test's own, so that restarting it disturbs no other test."""
    if not PG_URL:
        pytest.skip("PostgreSQL pass only (TEST_DATABASE_URL): the test restarts a cluster it starts itself")
    if _pg_bindir() is None:
        pytest.skip("PostgreSQL server binaries not installed")
    cluster = Path(tempfile.mkdtemp(prefix="lantian-restart-")) / "pg"  # pytest's tmp is not readable by 'postgres'
    url = subprocess.run([str(ROOT / "scripts/pg_throwaway.sh"), "start", str(cluster)], check=True,
                         capture_output=True, text=True).stdout.strip()
    try:
        yield url, cluster
    finally:
        subprocess.run([str(ROOT / "scripts/pg_throwaway.sh"), "stop", str(cluster)], check=False)
        shutil.rmtree(cluster.parent, ignore_errors=True)


def test_database_restart_mid_request_gives_a_retryable_503_and_the_app_recovers(own_postgres):
    import requests
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from config import Testing
    from registry import create_app
    from registry.core.regions import load_regions
    from registry.extensions import db

    url, cluster = own_postgres

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        load_regions()
        db.session.commit()
    api_path, page_path = "/api/v1/public/grades", "/public/grades"
    adapter = app.url_map.bind("localhost")
    slow = threading.Event()

    def slowed(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            if slow.is_set():  # a request busy in the database when the restart comes
                db.session.execute(text("SELECT pg_sleep(4)"))
            return view(*args, **kwargs)
        return inner

    for path in (api_path, page_path):
        endpoint = adapter.match(path, method="GET")[0]
        app.view_functions[endpoint] = slowed(app.view_functions[endpoint])

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    zh = {"Accept-Language": "zh"}
    try:
        assert requests.get(base + api_path, headers=zh, timeout=10).status_code == 200
        assert requests.get(base + page_path, timeout=10).status_code == 200

        in_flight: list = []
        slow.set()
        starters = [threading.Thread(target=lambda p=p: in_flight.append((p, requests.get(base + p, headers=zh, timeout=60))))
                    for p in (api_path, api_path, api_path, page_path, page_path)]
        for t in starters:
            t.start()
        deadline = time.monotonic() + 15
        probe = app.app_context()
        with probe:
            while True:
                sleeping = db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'"))
                db.session.rollback()  # the statistics are a snapshot per transaction
                if sleeping >= 5:
                    break
                assert time.monotonic() < deadline, "the in-flight requests never reached the database"
                time.sleep(0.1)
            db.session.remove()
        slow.clear()  # requests that arrive from now on are ordinary ones

        during: list[int] = []
        restarting = threading.Event()
        restarting.set()

        def hammer():
            while restarting.is_set():
                try:
                    during.append(requests.get(base + api_path, headers=zh, timeout=30).status_code)
                except requests.RequestException as err:  # the app server itself must never drop a request
                    during.append(repr(err))
                time.sleep(0.05)

        h = threading.Thread(target=hammer)
        h.start()
        # -l: the restarted server must not inherit our pipes (we would wait for it to exit)
        restart = subprocess.run(_as_pg([f"{_pg_bindir()}/pg_ctl", "-D", str(cluster / "data"), "-l", str(cluster / "server.log"),
                                         "-m", "fast", "-w", "restart"]), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, timeout=120)
        assert restart.returncode == 0, restart.stderr
        time.sleep(0.5)
        restarting.clear()
        h.join(60)
        for t in starters:
            t.join(60)

        # the requests in flight: a clean, translated, retryable 503 — JSON for the API, a page for browsers
        assert len(in_flight) == 5
        for path, r in in_flight:
            assert r.status_code == 503, (path, r.status_code, r.text[:300])
            assert r.headers.get("Retry-After") == "5"
            assert "Traceback" not in r.text
            if path == api_path:
                body = r.json()
                assert body == {"code": "unavailable", "message": _zh(app, DB_GONE), "errors": {}}, body
            else:
                assert r.headers["Content-Type"].startswith("text/html")
                assert str(escape(_zh(app, DB_GONE))) in r.text and "503" in r.text
        # requests during the restart: served or refused cleanly, never a 500 or a dropped connection
        assert during and set(during) <= {200, 503}, during

        # recovered without restarting the app: the very next requests succeed
        after = [requests.get(base + p, headers=zh, timeout=30).status_code for p in (api_path, page_path) * 5]
        assert after == [200] * 10, after
    finally:
        slow.clear()
        server.shutdown()
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# ---- (b) a process killed mid-import / mid-publication -----------------------------------------

def _counts() -> dict[str, int]:
    from registry.extensions import db

    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ, FLASK_APP="wsgi", DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    env.pop("LANTIAN_CONFIG", None)
    return env


def _kill_at_commit(database_url: str, args: list[str], timeout: float = 240) -> None:
    """Start the command under the crash driver, wait until it has written everything, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.integration.reliability.crash_driver", *args], cwd=ROOT,
                            env=_env(database_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout
        line = ""
        while "READY-TO-COMMIT" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                raise AssertionError(f"the command ended before its commit: {proc.stderr.read()[-3000:]}")
            assert time.monotonic() < deadline, "the command never reached its commit"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        proc.stdout.close()
        proc.stderr.close()


def _audit_verifies(database_url: str) -> str:
    from registry.extensions import db

    db.session.remove()
    out = subprocess.run([str(ROOT / ".venv/bin/flask"), "audit", "verify"] if (ROOT / ".venv/bin/flask").exists()
                         else [sys.executable, "-m", "flask", "audit", "verify"],
                         cwd=ROOT, env=_env(database_url), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "audit chain intact" in out.stdout
    return out.stdout


@pytest.fixture(scope="session")
def province_workbook(tmp_path_factory, app) -> Path:
    """A synthetic province workbook (bench/import_export.py) at 1 %: 600 enterprises, 3,000 lines."""
    from bench.import_export import generate

    path = tmp_path_factory.mktemp("province") / "province-0.01.xlsx"
    with app.app_context():
        generate(path, 0.01, 8)
    return path


def test_import_killed_after_writing_every_row_leaves_nothing(db_app, database_url, make_enterprise, province_workbook):
    make_enterprise(ANCI, submitted=True)  # something already in the registry, and an audit chain to extend
    before = _counts()
    _kill_at_commit(database_url, ["flask", "flask", "import", str(province_workbook)])
    assert _counts() == before
    _audit_verifies(database_url)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL pass: the write phase is watched in pg_stat_activity")
def test_import_killed_at_a_random_moment_of_its_inserts_leaves_nothing(db_app, database_url, province_workbook):
    """The real `flask import`, no hook: killed while its INSERTs are running."""
    from registry.extensions import db

    before = _counts()
    db.session.remove()
    proc = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "import", str(province_workbook)], cwd=ROOT,
                            env=_env(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while True:
            inserting = db.session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                "AND query ILIKE 'INSERT INTO production_line%'"))
            db.session.rollback()
            if inserting:
                break
            assert proc.poll() is None, "the import finished before its inserts were seen"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    time.sleep(0.5)  # the server notices the dead client and rolls its transaction back
    assert _counts() == before
    _audit_verifies(database_url)


@pytest.mark.demo_city(per_city=8)
def test_schedule_publication_killed_before_commit_leaves_the_draft(demo_city, database_url):
    from registry.accounts.models import User
    from registry.extensions import db
    from registry.schedules import operations as ops
    from registry.schedules.models import ScheduleVersion

    city = db.session.scalar(select(User).where(User.username == "langfang"))
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(city, schedule.id)
    db.session.commit()
    version_id, schedule_id = version.id, schedule.id
    before = _counts()
    _kill_at_commit(database_url, ["flask", "flask", "schedule", "publish", "--as", "langfang", str(schedule_id),
                                   "--filed-on", "2017-10-01", "--recipients", "廊坊市大气办"])
    assert _counts() == before
    db.session.expire_all()
    assert db.session.get(ScheduleVersion, version_id).status == "draft"
    _audit_verifies(database_url)


@pytest.mark.demo_city(per_city=8)
def test_emergency_list_compilation_and_filing_killed_before_commit_leave_nothing(demo_city, database_url):
    from registry.accounts.models import User
    from registry.emergency import operations as ops
    from registry.emergency.models import EmergencyList
    from registry.extensions import db

    before = _counts()
    _kill_at_commit(database_url, ["flask", "flask", "emergency", "compile", "131000", "langfang-2017-18",
                                   "--as-user", "langfang"])
    assert _counts() == before, "a half-compiled list version remained"

    city = db.session.scalar(select(User).where(User.username == "langfang"))
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    list_id = lst.id
    before = _counts()
    _kill_at_commit(database_url, ["file-list", str(list_id), "langfang"])
    assert _counts() == before
    db.session.expire_all()
    stored = db.session.get(EmergencyList, list_id)
    assert stored.status == "draft" and stored.filed_at is None
    _audit_verifies(database_url)


# ---- (c) disk full while evidence is uploaded ---------------------------------------------------

@pytest.fixture()
def full_disk(db_app, tmp_path, monkeypatch):
    """A 64 KiB tmpfs as the evidence directory (root can mount); otherwise ENOSPC from the file write."""
    target = tmp_path / "evidence"
    target.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)],
                             capture_output=True).returncode == 0
    if not mounted:
        real = Path.write_bytes

        def no_space(self, data):
            if str(self).startswith(str(target)):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
            return real(self, data)

        monkeypatch.setattr(Path, "write_bytes", no_space)
    db_app.config["GRADE_EVIDENCE_DIR"] = str(target)
    try:
        yield target, mounted
    finally:
        db_app.config.pop("GRADE_EVIDENCE_DIR", None)
        if mounted:
            subprocess.run(["umount", str(target)], check=False)


def _big_pdf(n: int = 200_000) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(n) + b"\n%%EOF\n"


def test_disk_full_on_evidence_upload_gives_a_clear_error_and_leaves_nothing(full_disk, make_user, make_enterprise):
    from flask import current_app

    from registry.accounts.operations import create_token
    from registry.core.models import AuditEntry
    from registry.extensions import db
    from registry.grades import operations as ops
    from registry.grades.models import Evidence
    from tests.builders import csrf_from, login
    from tests.builders.grades import person_client

    target, _mounted = full_disk
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = ops.create_application(owner, {"enterprise_id": ent.id, "industries": {"steel": {"line_ids": [ent.lines[0].id]}}})
    db.session.commit()
    app_id = app.id
    _token, secret = create_token(owner, {"name": "upload"})
    db.session.commit()
    browser = person_client(current_app)
    assert login(browser, owner.username).status_code in (302, 303)
    audits_before = db.session.scalar(select(func.count()).select_from(AuditEntry))

    api = current_app.test_client()
    r = api.post(f"/api/v1/grade-applications/{app_id}/evidence",
                 headers={"Authorization": f"Bearer {secret}", "Accept-Language": "zh"},
                 data={"file": (io.BytesIO(_big_pdf()), "scan.pdf"), "indicator": "steel.clean_transport_share"},
                 content_type="multipart/form-data")
    assert r.status_code == 503, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert body["code"] == "unavailable" and body["message"] == _zh(current_app, DISK_FULL) and body["errors"]["file"], body

    page = browser.get(f"/grades/{app_id}")
    r = browser.post(f"/grades/{app_id}/evidence", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "indicator": "steel.clean_transport_share",
        "file": (io.BytesIO(_big_pdf()), "scan.pdf")}, content_type="multipart/form-data")
    page_html = r.get_data(as_text=True)
    assert r.status_code == 503 and "Traceback" not in page_html
    assert str(escape(_zh(current_app, DISK_FULL))) in page_html, page_html[:800]

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Evidence).where(Evidence.application_id == app_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits_before
    assert [p for p in target.rglob("*") if p.is_file()] == [], "a partial evidence file was left behind"
