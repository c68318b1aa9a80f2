"""Shared fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
migrated with Alembic exactly as production is, and helpers that build data through operations."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import pytest

DB_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + DB_URL.split('@')[-1] if DB_URL else 'SQLite file'}"


def pytest_collection_modifyitems(config, items):
    """Markers by what a test needs (pytest.ini): `web` under tests/web (Chromium), `db` when it uses
    the database (the `database_url` fixture, or its own cluster under tests/load), `unit` otherwise.
    `slow` is set on the tests themselves; `make test-fast` runs `-m "not slow and not web"` on SQLite."""
    web, db, unit = pytest.mark.web, pytest.mark.db, pytest.mark.unit
    for item in items:
        parts = item.path.parts
        if "web" in item.keywords or ("tests" in parts and parts[parts.index("tests") + 1] == "web"):
            item.add_marker(web)
        elif "database_url" in getattr(item, "fixturenames", ()) or "load" in parts[-2:-1]:
            item.add_marker(db)
        else:
            item.add_marker(unit)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if DB_URL:
        return DB_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _no_fsync(engine) -> None:
    """The test file needs no durability against power loss: like the throwaway PostgreSQL cluster
    (fsync=off), SQLite hands its writes to the OS without waiting for the disk. A killed process
    (tests/integration/reliability) loses nothing either way; locking and journaling are unchanged."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _synchronous_off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def app(database_url):
    """One app per test session on a freshly migrated database with the region table loaded."""
    from flask_migrate import upgrade

    from config import Testing
    from registry import create_app
    from registry.extensions import db

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _no_fsync(db.engine)
        if DB_URL:  # a reused PostgreSQL database: start from nothing (tables, triggers, functions)
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        from registry.core.regions import load_regions

        load_regions()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


from tests.builders import ANCI, PASSWORD, enterprise_payload, line_payload, permit_payload  # noqa: E402

KEEP_TABLES = {"region", "alembic_version"}


def _clean(app) -> None:
    from registry.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    "TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            else:
                # The append-only DELETE triggers (audit_entry_no_delete…) are lifted for this
                # cleanup only and put back from their own stored text in the same transaction.
                triggers = conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'"
                ).all()
                for name, _sql in triggers:
                    conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for t in tables:
                    conn.execute(t.delete())
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                for _name, sql in triggers:
                    conn.exec_driver_sql(sql)


@pytest.fixture()
def db_app(app) -> Iterator:
    """The app inside an app context, with every table emptied afterwards (regions kept)."""
    ctx = app.test_request_context()
    ctx.push()
    try:
        yield app
    finally:
        from registry.extensions import db

        db.session.rollback()
        ctx.pop()
        _clean(app)


@pytest.fixture(scope="module")
def rollback_db(app):
    """One outer transaction for the whole module (tests/rollback.py): build a world once with
    `rollback_db.world(key, build)`, run each case inside `with rollback_db.case():`; nothing is
    committed, so the tables are as empty afterwards as `db_app` leaves them. Do not combine with
    `db_app`/`client` in the same test (their cleanup empties the tables through another connection)."""
    from tests.rollback import RollbackDatabase

    rollback = RollbackDatabase(app)
    try:
        yield rollback
    finally:
        rollback.close()


def _fresh_client_class():
    from flask import g
    from flask.testing import FlaskClient

    class _FreshRequestClient(FlaskClient):
        """Every request starts with an empty `g`, as in production.

        `db_app` keeps a request context pushed so tests can call operations; the client's
        requests would otherwise share its app context and `g`, where Flask-Login caches the
        user and Flask-Babel the locale (a revoked token would seem to work).
        """

        def open(self, *args, **kwargs):
            for key in list(vars(g)):
                delattr(g, key)
            return super().open(*args, **kwargs)

    return _FreshRequestClient


@pytest.fixture()
def client(db_app):
    db_app.test_client_class = _fresh_client_class()
    try:
        yield db_app.test_client()
    finally:
        db_app.test_client_class = None


@pytest.fixture()
def make_user(db_app):
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.extensions import db

    counter = {"n": 0}

    def _make(role: str = "enterprise", region_code: str | None = None, username: str | None = None):
        counter["n"] += 1
        user = create_user(
            SYSTEM,
            {
                "username": username or f"{role}{counter['n']}",
                "password": PASSWORD,
                "role": role,
                "region_code": region_code,
            },
        )
        db.session.commit()
        return user

    return _make


@pytest.fixture()
def make_enterprise(db_app, make_user):
    """An enterprise registered by a fresh enterprise user, optionally with a line and submitted."""
    from registry.enterprises import operations as ops
    from registry.extensions import db

    counter = {"n": 0}

    def _make(region_code: str = ANCI, *, submitted: bool = False, approved_by=None, owner=None, **over):
        counter["n"] += 1
        owner = owner or make_user("enterprise")
        ent = ops.register_enterprise(owner, enterprise_payload(counter["n"], region_code, **over))
        ops.add_line(owner, ent.id, line_payload())
        ops.add_permit(owner, ent.id, permit_payload(f"P-{region_code}-{counter['n']}"))
        if submitted or approved_by:
            ops.submit_registration(owner, ent.id, {"version": ent.version})
        if approved_by:
            ops.approve_registration(approved_by, ent.id, {"version": ent.version})
        db.session.commit()
        return ent, owner

    return _make


# ---- one live server, one demo city (shared by tests/integration, tests/api and tests/web) ----

@contextmanager
def serving(app, *, threaded: bool = True) -> Iterator[str]:
    """`app` on 127.0.0.1:<free port> (werkzeug's `make_server`, one thread per request as gunicorn's threads
    would be) until the block ends; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=threaded)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def live_server_session(app) -> Iterator[str]:
    """The session's app over real HTTP, started once for the whole session (the tables are not emptied:
    use `live_server`, or tests/web's `site`)."""
    with serving(app) as url:
        yield url


@pytest.fixture()
def live_server(db_app, live_server_session) -> str:
    """The base URL of the live server, for a test that also prepares data through operations (`db_app`'s
    request context); every table except regions is emptied after the test (`db_app`)."""
    return live_server_session


DEMO_PER_CITY = 12


@pytest.fixture()
def demo_city(request, app):
    """The demo data of registry.demo (every demo city's accounts, enterprises, lines), committed; returns the app.

    The size is `@pytest.mark.demo_city(per_city=N)` on the test or module (default DEMO_PER_CITY). The tables
    are emptied by `site` under the live server of tests/web (before and after the test), elsewhere by `db_app`."""
    from registry.demo import build_demo
    from registry.extensions import db

    under_site = "site" in request.fixturenames
    request.getfixturevalue("site" if under_site else "db_app")
    marker = request.node.get_closest_marker("demo_city")
    per_city = marker.kwargs.get("per_city", DEMO_PER_CITY) if marker else DEMO_PER_CITY
    with app.app_context() if under_site else nullcontext():
        build_demo(per_city=per_city)
        db.session.commit()
    return app


@pytest.fixture()
def demo(demo_city):
    """The old name of `demo_city`, kept for tests written against it."""
    return demo_city
