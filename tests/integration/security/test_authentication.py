"""Identification and authentication (等保 2.0 身份鉴别 / ASVS V2, V3): password policy, lockout,
login audit with the client IP, re-authentication, security headers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.accounts import operations as ops
from registry.accounts.auth import SYSTEM
from registry.accounts.models import PasswordHistory, User
from registry.core.errors import ValidationFailed
from registry.core.models import AuditEntry
from registry.core.timeutil import utcnow
from registry.extensions import db
from tests.builders import PASSWORD, csrf_from, login


def _actions(user_id=None) -> list[str]:
    q = select(AuditEntry.action).order_by(AuditEntry.id)
    if user_id is not None:
        q = q.where(AuditEntry.object_id == user_id)
    return list(db.session.scalars(q))


# ---- password policy (ASVS 2.1.1, 等保 口令复杂度) ----

@pytest.mark.parametrize("password", ["short-A1", "alllowercaseletters", "lower-and-symbols", "ALLUPPER123456"])
def test_password_needs_ten_characters_and_three_character_classes(db_app, password):
    with pytest.raises(ValidationFailed) as err:
        ops.sign_up({"username": "factory", "password": password})
    assert "password" in err.value.errors


def test_password_may_not_equal_the_username(db_app):
    with pytest.raises(ValidationFailed) as err:
        ops.sign_up({"username": "Factory-2026", "password": "factory-2026"})
    assert "password" in err.value.errors
    with pytest.raises(ValidationFailed):
        ops.create_user(SYSTEM, {"username": "Boss.Office1", "password": "Boss.Office1", "role": "enterprise"})


def test_the_last_five_passwords_cannot_be_reused(db_app, make_user):
    user = make_user("enterprise")
    passwords = [PASSWORD] + [f"New-password-{i}" for i in range(1, 6)]
    for old, new in zip(passwords, passwords[1:]):
        ops.change_password(user, {"current_password": old, "new_password": new})
        db.session.commit()
    # current = New-password-5; the four before it are still remembered
    for reused in passwords[-5:]:
        with pytest.raises(ValidationFailed) as err:
            ops.change_password(user, {"current_password": passwords[-1], "new_password": reused})
        assert "new_password" in err.value.errors
        db.session.rollback()
    # the sixth-last one has dropped out of the history
    ops.change_password(user, {"current_password": passwords[-1], "new_password": PASSWORD})
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(PasswordHistory).where(PasswordHistory.user_id == user.id)) == 4


def test_an_administrator_cannot_set_a_recent_password_either(db_app, make_user):
    user = make_user("enterprise")
    data = {"username": user.username, "role": "enterprise", "password": PASSWORD}
    with pytest.raises(ValidationFailed):
        ops.update_user(SYSTEM, user.id, data)
    security = make_user("security_admin")
    with pytest.raises(ValidationFailed) as err:
        ops.reset_password(security, user.id, {"password": PASSWORD})
    assert "password" in err.value.errors


# ---- lockout (ASVS 2.2.1, 等保 登录失败处理) ----

def test_five_failures_lock_the_account_even_for_the_right_password(client, make_user):
    user = make_user("enterprise")
    for _ in range(4):
        assert login(client, user.username, "Wrong-password-1").status_code == 422
    resp = login(client, user.username, "Wrong-password-1")
    assert resp.status_code == 423
    assert "locked" in resp.get_data(as_text=True) or "锁定" in resp.get_data(as_text=True)
    assert login(client, user.username, PASSWORD).status_code == 423
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    actions = _actions(user.id)
    assert actions.count("user.login_failed") == 5 and "user.lock" in actions and "user.login_locked" in actions


def test_the_lock_expires_by_itself(client, make_user):
    user = make_user("enterprise")
    for _ in range(5):
        login(client, user.username, "Wrong-password-1")
    db.session.expire_all()
    u = db.session.get(User, user.id)
    u.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, user.username, PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0


def test_the_security_administrator_unlocks_from_the_account_security_page(client, make_user):
    security = make_user("security_admin")
    user = make_user("enterprise")
    for _ in range(5):
        login(client, user.username, "Wrong-password-1")
    assert login(client, security.username).status_code == 302
    listing = client.get("/security/?locked=1&lang=en").get_data(as_text=True)
    assert user.username in listing and f"/security/users/{user.id}" in listing
    page = client.get(f"/security/users/{user.id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"/security/users/{user.id}/unlock" in html
    resp = client.post(f"/security/users/{user.id}/unlock", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is None
    assert "user.unlock" in _actions(user.id)
    assert login(client, user.username).status_code == 302


# ---- login audit with the client IP (等保 安全审计) ----

def test_every_login_success_and_failure_is_audited_with_the_client_ip(client, make_user):
    user = make_user("enterprise")
    login(client, "nobody-here", "Wrong-password-1")
    login(client, user.username, "Wrong-password-1")
    login(client, user.username, PASSWORD)
    rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("user.login%")).order_by(AuditEntry.id)))
    assert [r.action for r in rows] == ["user.login_unknown", "user.login_failed", "user.login"]
    assert all(r.after["ip"] == "127.0.0.1" for r in rows)
    assert rows[0].summary == "nobody-here"


# ---- re-authentication (ASVS 3.7.1) ----

def test_account_administration_asks_for_the_password_after_ten_minutes(client, make_user):
    admin = make_user("admin")
    login(client, admin.username)
    assert client.get("/admin/users/new").status_code == 200
    with client.session_transaction() as sess:
        sess["_auth_at"] -= 11 * 60
    resp = client.get("/admin/users/new")
    assert resp.status_code == 302 and "/reauth" in resp.headers["Location"]
    page = client.get(resp.headers["Location"])
    token = csrf_from(page.get_data(as_text=True))
    assert client.post("/reauth", data={"csrf_token": token, "password": "Wrong-password-1", "next": "/admin/users/new"}).status_code == 422
    resp = client.post("/reauth", data={"csrf_token": token, "password": PASSWORD, "next": "/admin/users/new"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/users/new")
    assert client.get("/admin/users/new").status_code == 200
    assert {"user.reauth_failed", "user.reauth"} <= set(_actions(admin.id))


def test_non_administrators_get_403_not_a_password_prompt(client, make_user):
    user = make_user("enterprise")
    login(client, user.username)
    with client.session_transaction() as sess:
        sess.pop("_auth_at", None)
    assert client.get("/admin/users/new").status_code == 403


# ---- headers and cookies (ASVS V14.4, V3.4) ----

def test_csp_forbids_third_party_origins_and_carries_a_fresh_nonce(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'self'",
                 "frame-ancestors 'none'", "form-action 'self'"):
        assert part in first
    assert "'nonce-" in first and first != second
    assert "http" not in first and "*" not in first


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "max-age=" in client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_production_cookies_are_secure_and_http_only(monkeypatch):
    from config import Production

    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    conf = Production()
    assert conf.SESSION_COOKIE_SECURE and conf.SESSION_COOKIE_HTTPONLY and conf.SESSION_COOKIE_SAMESITE == "Lax"
    assert conf.REMEMBER_COOKIE_SECURE and conf.REMEMBER_COOKIE_HTTPONLY


def test_inline_scripts_run_only_with_the_nonce_or_as_a_known_static_script(tmp_path):
    """A template script without the nonce is allowed only by the hash of its exact static text."""
    from registry.core.security_headers import content_security_policy, static_inline_script_hashes

    (tmp_path / "a.html").write_text(
        '<script type="application/json">{}</script><script src="/static/x.js"></script>'
        '<script nonce="{{ csp_nonce() }}">ok()</script><script>draw();</script><script>var x = {{ data }};</script>',
        encoding="utf-8",
    )
    hashes = static_inline_script_hashes(tmp_path)
    assert len(hashes) == 1  # only `draw();`: JSON, src, nonce'd and Jinja-rendered scripts are not hashed
    policy = content_security_policy("abc", hashes)
    assert "script-src 'self' 'nonce-abc' 'sha256-" in policy and "unsafe-inline" not in policy.split("style-src")[0]
