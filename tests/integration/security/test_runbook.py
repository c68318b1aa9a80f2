# ruff: noqa: S603, S607  # fixed argv: flask, bash, psql from the PostgreSQL install
"""Issue 13, Medium 5 — docs/operations.md is a runbook that a test follows literally
(等保 2.0 数据备份恢复, 访问控制 (最小权限), 安全审计; ASVS 1.4.1, 14.1, 7.3).

As found, the document lost data and weakened controls when followed: its backup steps never
mentioned the evidence files or `flask backup` (after following them, evidence downloads answered
404 while `flask audit verify` said intact); its deploy steps omitted TRUSTED_PROXY_COUNT; it never
said to run the app as a database role that does not own the tables.

Here the fenced blocks tagged `runbook-backup`, `runbook-restore`, `runbook-env`, `runbook-roles` and
`runbook-grants` are extracted from the document and run exactly as written (bash, psql), with the
paths and URLs as environment variables, against a real instance with evidence files; then the
restored copy must pass `flask audit verify` and serve every evidence file.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.builders import ANCI, PASSWORD, csrf_from, enterprise_payload
from tests.integration.security.backup_support import build_evidence_world, check_restored, fresh_databases  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "operations.md"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def runbook_block(tag: str) -> str:
    """The one fenced block of docs/operations.md whose info string ends with `tag`."""
    blocks = re.findall(r"^```[a-z]+ " + re.escape(tag) + r"\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) == 1, f"docs/operations.md must have exactly one `{tag}` block"
    return blocks[0]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "AUDIT_CHECKPOINT_KEY")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env.update(LANTIAN_CONFIG="production", SECRET_KEY="testing-secret", PYTHONDONTWRITEBYTECODE="1")  # noqa: S105  # nosec B105
    env.update(values)
    return env


def run_bash(block: str, **values: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=ROOT, env=_env(**values),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"runbook block failed:\n{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    return done


@pytest.fixture(autouse=True)
def _evidence_setting(db_app):
    yield
    db_app.config.pop("GRADE_EVIDENCE_DIR", None)


def test_following_the_backup_and_restore_steps_literally_restores_rows_chain_and_evidence(
        db_app, make_user, make_enterprise, tmp_path, fresh_databases):  # noqa: F811
    world = build_evidence_world(db_app, tmp_path / "evidence", make_user, make_enterprise)
    backup_dir = tmp_path / "backups" / "lantian-today"
    backed = run_bash(runbook_block("runbook-backup"), DATABASE_URL=db_app.config["SQLALCHEMY_DATABASE_URI"],
                      GRADE_EVIDENCE_DIR=str(tmp_path / "evidence"), BACKUP_DIR=str(backup_dir))
    assert "audit chain intact" in backed.stdout, backed.stdout
    assert len([p for p in (backup_dir / "evidence").rglob("*") if p.is_file()]) == len(world["evidence"])
    target, restored_evidence = fresh_databases.new(), tmp_path / "restored" / "evidence"
    restored = run_bash(runbook_block("runbook-restore"), DATABASE_URL=target,
                        GRADE_EVIDENCE_DIR=str(restored_evidence), BACKUP_DIR=str(backup_dir))
    assert "row counts match" in restored.stdout and "audit chain intact" in restored.stdout, restored.stdout
    check_restored(target, restored_evidence, world)  # `flask audit verify` + every evidence download


def test_the_deploy_environment_trusts_the_proxy_and_the_app_then_sees_the_client(db_app, make_user, tmp_path):
    """The runbook's environment block, sourced as written (only the connection targets are this
    test's): behind one proxy the audit log records the client's address and HTTPS gets HSTS."""
    block = runbook_block("runbook-env")
    for needed in ("TRUSTED_PROXY_COUNT=1", "lantian_app", "GRADE_EVIDENCE_DIR=", "AUDIT_CHECKPOINT_KEY=", "SECRET_KEY="):
        assert needed in block, needed
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import re\n"
        "from sqlalchemy import select\n"
        "from wsgi import app\n"
        "from registry.core.models import AuditEntry\n"
        "from registry.extensions import db\n"
        "c = app.test_client()\n"
        "h = {'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https'}\n"
        "page = c.get('/login', headers=h, base_url='http://proxy.internal')\n"
        "print('HSTS', page.headers.get('Strict-Transport-Security'))\n"
        "token = re.search(r'name=\"csrf_token\" type=\"hidden\" value=\"([^\"]+)\"', page.get_data(as_text=True)).group(1)\n"
        "r = c.post('/login', headers={**h, 'Referer': 'https://proxy.internal/login'}, base_url='http://proxy.internal',\n"
        "           data={'username': 'runbook-probe', 'password': 'Wrong-password-1', 'csrf_token': token})\n"
        "print('STATUS', r.status_code)\n"
        "with app.app_context():\n"
        "    e = db.session.scalars(select(AuditEntry).where(AuditEntry.summary == 'runbook-probe')).one()\n"
        "    print('AUDIT-IP', e.after['ip'])\n", encoding="utf-8")
    script = (block + "\n# this test's connection targets (the block's are placeholders)\n"
              f"export DATABASE_URL='{db_app.config['SQLALCHEMY_DATABASE_URI']}' RATELIMIT_STORAGE_URI=memory:// "
              f"GRADE_EVIDENCE_DIR='{tmp_path / 'evidence'}'\n"
              f"PYTHONPATH=. python '{probe}'\n")
    done = run_bash(script, APP_DB_PASSWORD="x", DB_HOST="127.0.0.1", AUDIT_CHECKPOINT_KEY="k" * 40)
    assert "HSTS max-age=" in done.stdout, done.stdout  # HTTPS seen through the proxy
    assert "STATUS 422" in done.stdout and "AUDIT-IP 203.0.113.9" in done.stdout, done.stdout
    assert "HSTS max-age=" in done.stdout, done.stdout


# ---- the database roles (PostgreSQL) ---------------------------------------------------------------

def _psql() -> str:
    from registry.audit.backup import pg_binary

    return pg_binary("psql")


def _sql_statements(block: str) -> list[str]:
    return [s.strip() for s in block.split(";") if s.strip() and not s.strip().startswith("--")]


@pytest.fixture()
def runbook_roles():
    if not PG_URL:
        pytest.skip("PostgreSQL pass only (TEST_DATABASE_URL): roles and privileges are PostgreSQL's")
    base = make_url(PG_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def clean():
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "lantian" WITH (FORCE)'))
            conn.execute(text("DROP ROLE IF EXISTS lantian_app"))
            conn.execute(text("DROP ROLE IF EXISTS lantian_owner"))

    clean()
    with admin.connect() as conn:
        for statement in _sql_statements(runbook_block("runbook-roles")):  # literally, as the superuser
            conn.execute(text(statement))
    try:
        yield (base.set(username="lantian_owner", password=None, database="lantian"),
               base.set(username="lantian_app", password=None, database="lantian"))
    finally:
        clean()
        admin.dispose()


def test_the_app_works_as_a_role_that_does_not_own_the_tables(runbook_roles, tmp_path):
    owner, app_role = runbook_roles
    owner_url, app_url = (u.render_as_string(hide_password=False) for u in (owner, app_role))
    run_bash("export FLASK_APP=wsgi\nflask db upgrade", DATABASE_URL=owner_url)
    grants = tmp_path / "grants.sql"
    grants.write_text(runbook_block("runbook-grants"), encoding="utf-8")
    libpq_owner = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run([_psql(), libpq_owner, "-X", "-v", "ON_ERROR_STOP=1", "-f", str(grants)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    # the application, as lantian_app: commands, then requests
    run_bash("export FLASK_APP=wsgi\nflask load-regions\n"
             f"flask users create county.official --role county --region {ANCI} --password '{PASSWORD}'",
             DATABASE_URL=app_url)
    from config import Testing
    from registry import create_app
    from registry.enterprises import operations as ent_ops
    from registry.extensions import db
    from tests.builders.grades import person_client

    class AsAppRole(Testing):
        SQLALCHEMY_DATABASE_URI = app_url

    app = create_app(AsAppRole)
    try:
        browser = person_client(app)
        page = browser.get("/signup")
        r = browser.post("/signup", data={"username": "firm.one", "password": PASSWORD, "email": "f@example.cn",
                                          "full_name": "F", "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert r.status_code in (302, 303), r.get_data(as_text=True)[:500]
        with app.app_context():
            from registry.accounts.models import User

            user = db.session.scalar(db.select(User).where(User.username == "firm.one"))
            ent_ops.register_enterprise(user, enterprise_payload(5, ANCI))
            db.session.commit()
        other = person_client(app)
        page = other.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        assert other.post("/login", data={"username": "nobody", "password": "Wrong-password-1", "csrf_token": token}).status_code == 422
        assert other.post("/login", data={"username": "county.official", "password": PASSWORD,
                                          "csrf_token": token}).status_code in (302, 303)
        assert other.get("/enterprises/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    checked = run_bash(f"export FLASK_APP=wsgi\nflask audit checkpoint\nflask audit verify\nflask backup '{tmp_path / 'b'}'",
                       DATABASE_URL=app_url, GRADE_EVIDENCE_DIR=str(tmp_path / "evidence"))
    assert "audit chain intact" in checked.stdout

    # and what the role may not do
    engine = create_engine(app_url)
    try:
        for statement in ("DELETE FROM audit_entry", "UPDATE audit_entry SET summary = ''", "TRUNCATE audit_entry",
                          "DELETE FROM audit_checkpoint", "TRUNCATE audit_checkpoint", "DROP TABLE enterprise",
                          "ALTER TABLE audit_entry DISABLE TRIGGER USER", "CREATE TABLE x (id int)",
                          "DELETE FROM alembic_version"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()
