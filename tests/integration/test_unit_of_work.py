"""One transaction boundary (issue 15 item 2): a request or a CLI command commits once at its end through
registry/core/unit_of_work.py, maps a lost race (stale version, uniqueness) to one 409, and rolls back on any
error. The probes run on an app of their own (same database) that adds a few routes and a command, all going
through the registry's real operations and the real hooks — no mock of the database.
"""
from __future__ import annotations

import click
import pytest
from flask import jsonify
from sqlalchemy import func, select, update

from tests.support import ANCI, PASSWORD, enterprise_payload


@pytest.fixture()
def probe(db_app, database_url):
    """An app like the registry's, plus routes and a CLI command that write and then fail in chosen ways."""
    from config import Testing
    from registry import create_app
    from registry.accounts.auth import SYSTEM
    from registry.accounts.models import User
    from registry.accounts.operations import create_user
    from registry.core import unit_of_work
    from registry.enterprises import operations as ents
    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_CHECK_DEFAULT = False  # the probes are posted without a form

    app = create_app(Config)

    def _user(name: str):
        return create_user(SYSTEM, {"username": name, "password": PASSWORD, "role": "enterprise", "region_code": None})

    @app.post("/probe/raise-after-flush")
    def raise_after_flush():
        _user("flushed1")
        db.session.flush()
        raise RuntimeError("boom after the flush")

    @app.post("/probe/refuse-after-flush")
    def refuse_after_flush():
        _user("refused1")
        db.session.flush()
        return jsonify({"refused": True}), 422

    @app.post("/probe/ok")
    def ok():
        _user("kept1")
        return jsonify({"ok": True}), 201

    @app.post("/probe/stale/<int:enterprise_id>")
    def stale(enterprise_id: int):
        """Someone else saves the enterprise between our read and our write (a second connection)."""
        ent = db.session.get(Enterprise, enterprise_id)
        with db.engine.begin() as other:
            other.execute(update(Enterprise).where(Enterprise.id == enterprise_id).values(version=Enterprise.version + 1))
        ent.name = "我们的改动"
        _user("stale1")
        return jsonify({"saved": True}), 200  # the commit at the end finds the version moved

    @app.post("/probe/stale-in-view/<int:enterprise_id>")
    def stale_in_view(enterprise_id: int):
        ent = db.session.get(Enterprise, enterprise_id)
        with db.engine.begin() as other:
            other.execute(update(Enterprise).where(Enterprise.id == enterprise_id).values(version=Enterprise.version + 1))
        ent.name = "我们的改动"
        unit_of_work.flush()  # the door's flush meets the lost race first
        return jsonify({"saved": True}), 200

    @app.cli.command("probe-midway")
    @click.option("--fail", is_flag=True)
    @unit_of_work.command
    def probe_midway(fail: bool):
        owner = _user("cli1")
        ents.register_enterprise(owner, enterprise_payload(77, ANCI))
        db.session.flush()
        if fail:
            raise click.ClickException("failed midway")
        click.echo("done")

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _ = User  # imported for the assertions' readers


def _count(db_app, model, **where) -> int:
    from registry.extensions import db

    db.session.rollback()  # a fresh look at what was committed
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def test_a_request_raising_after_a_flush_leaves_nothing_written(db_app, probe):
    """Item 2: rolls back on any error — the flushed user and its audit entry are gone; the answer is a 500."""
    from registry.accounts.models import User
    from registry.core.models import AuditEntry

    before = _count(db_app, AuditEntry)
    r = probe.test_client().post("/probe/raise-after-flush", headers={"Accept": "application/json"})
    assert r.status_code == 500
    assert _count(db_app, User, username="flushed1") == 0
    assert _count(db_app, AuditEntry) == before


def test_an_error_answer_rolls_back_and_a_success_commits_once(db_app, probe):
    from registry.accounts.models import User

    client = probe.test_client()
    assert client.post("/probe/refuse-after-flush").status_code == 422
    assert _count(db_app, User, username="refused1") == 0
    assert client.post("/probe/ok").status_code == 201  # no commit() in the view: the unit of work committed
    assert _count(db_app, User, username="kept1") == 1


@pytest.mark.parametrize("path", ["/probe/stale", "/probe/stale-in-view"])
def test_a_stale_version_is_one_409_and_nothing_is_kept(db_app, probe, make_enterprise, path):
    """Item 2: stale data → 409 in one place, whether the lost race shows at the commit (after the view
    returned: the answer is replaced before it is sent) or at the view's own flush."""
    from registry.accounts.models import User
    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    ent, _owner = make_enterprise()
    r = probe.test_client().post(f"{path}/{ent.id}?lang=en", headers={"Accept": "application/json"})
    assert r.status_code == 409
    assert r.get_json() is None or r.get_json().get("code") in (None, "conflict")
    assert r.headers.get("X-Request-ID")  # the replacement answer went through the other hooks too
    assert _count(db_app, User, username="stale1") == 0
    assert db.session.get(Enterprise, ent.id).name != "我们的改动"


def test_a_cli_command_failing_midway_writes_nothing(db_app, probe):
    """Item 2: a CLI command commits once at its end (@unit_of_work.command); failing midway keeps nothing."""
    from registry.accounts.models import User
    from registry.enterprises.models import Enterprise

    runner = probe.test_cli_runner()
    failed = runner.invoke(args=["probe-midway", "--fail"])
    assert failed.exit_code == 1 and "failed midway" in failed.output
    assert _count(db_app, User, username="cli1") == 0
    assert _count(db_app, Enterprise) == 0
    done = runner.invoke(args=["probe-midway"])
    assert done.exit_code == 0, done.output
    assert _count(db_app, User, username="cli1") == 1
    assert _count(db_app, Enterprise) == 1


def test_a_failed_sign_in_is_kept_although_the_answer_is_an_error(client, make_user):
    """keep_on_refusal: the failure count and its audit entry survive the 422 (lockout, issue 13)."""
    from registry.accounts.models import User
    from registry.core.models import AuditEntry
    from registry.extensions import db

    user = make_user("enterprise")
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    html = client.get("/login").get_data(as_text=True)
    from tests.support import csrf_from

    r = client.post("/login", data={"csrf_token": csrf_from(html), "username": user.username, "password": "wrong-1234567"})
    assert r.status_code == 422
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) > before
    assert db.session.get(User, user.id).failed_logins >= 1


def test_a_token_s_last_use_is_recorded_by_the_unit_of_work_even_when_refused(client, make_user):
    """The request loader no longer commits: a served request records last_used_at with its own commit, a
    refused one (403) in a small transaction after its rollback."""
    from registry.accounts.models import ApiToken
    from registry.accounts.operations import create_token
    from registry.extensions import db

    user = make_user("enterprise")
    token, secret = create_token(user, {"name": "t", "expires_in_days": 1})
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/enterprises", headers=headers).status_code == 200
    db.session.rollback()
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    assert client.get("/api/v1/users", headers=headers).status_code == 403  # administrators only
    db.session.rollback()
    assert db.session.get(ApiToken, token.id).last_used_at >= first
