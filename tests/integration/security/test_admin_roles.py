"""Separation of administrative roles (等保 2.0 三员分立), the audit search page, re-authentication
for sensitive grade and token actions, and ProxyFix (the client address and HTTPS behind nginx).

- system administrator (`admin`): accounts and scopes; not passwords of existing accounts, not
  unlocks, not the audit log; cannot create or become a security or audit administrator;
- security administrator: unlocks, password resets (non-administrators), others' token revocation,
  the security settings page; nothing else;
- audit administrator: reads, searches, exports and verifies the audit log; nothing else;
- those two accounts are made and changed only with `flask users ...` on the server, audited.
"""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from registry.accounts import operations as ops
from registry.accounts.models import User
from registry.core.errors import Forbidden, ValidationFailed
from registry.core.models import AuditEntry
from registry.extensions import db
from tests.builders import ANCI, GUANGYANG, PASSWORD, ZHENGDING, csrf_from, login

ADMIN_PAGES = {"admin": "/admin/users", "security_admin": "/security/", "audit_admin": "/audit/"}


def _actions(object_id=None) -> list[str]:
    q = select(AuditEntry.action).order_by(AuditEntry.id)
    if object_id is not None:
        q = q.where(AuditEntry.object_id == object_id)
    return list(db.session.scalars(q))


def _cli(db_app, *args, input=None):
    return db_app.test_cli_runner().invoke(args=list(args), input=input)


@pytest.mark.parametrize("role", sorted(ADMIN_PAGES))
def test_each_administrator_reaches_only_its_own_pages(client, make_user, role):
    user = make_user(role)
    assert login(client, user.username).status_code == 302
    for owner, path in ADMIN_PAGES.items():
        assert client.get(path).status_code == (200 if owner == role else 403), (role, path)
    assert client.get("/audit/verify").status_code == (200 if role == "audit_admin" else 403)
    assert client.get("/audit/export.csv").status_code == (200 if role == "audit_admin" else 403)
    assert client.get("/").headers["Location"].endswith(ADMIN_PAGES[role])


def test_none_of_the_three_does_the_others_work_through_the_operations(db_app, make_user):
    admin, security, auditor = make_user("admin"), make_user("security_admin"), make_user("audit_admin")
    target = make_user("enterprise")
    new = {"username": "someone", "password": PASSWORD, "role": "enterprise"}
    for actor in (security, auditor):
        with pytest.raises(Forbidden):
            ops.create_user(actor, new)
        with pytest.raises(Forbidden):
            ops.update_user(actor, target.id, {"username": target.username, "role": "enterprise"})
    for actor in (admin, auditor):
        with pytest.raises(Forbidden):
            ops.unlock_user(actor, target.id)
        with pytest.raises(Forbidden):
            ops.reset_password(actor, target.id, {"password": "Another-good-pass-9"})
    from registry.audit import search as audit_search

    for actor in (admin, security, target):
        with pytest.raises(Forbidden):
            audit_search.search(actor, audit_search.AuditFilters())
    db.session.rollback()


@pytest.mark.parametrize("role", ["security_admin", "audit_admin"])
def test_the_system_administrator_cannot_grant_itself_or_anyone_a_guarding_role(db_app, make_user, client, role):
    admin = make_user("admin")
    with pytest.raises(ValidationFailed) as err:
        ops.update_user(admin, admin.id, {"username": admin.username, "role": role})
    assert "role" in err.value.errors
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        ops.create_user(admin, {"username": "x-guard", "password": PASSWORD, "role": role})
    db.session.rollback()
    guard = make_user(role)
    with pytest.raises(ValidationFailed):  # nor edit (demote, disable, rename) such an account
        ops.update_user(admin, guard.id, {"username": guard.username, "role": "enterprise", "active": False})
    db.session.rollback()
    # the same through the page and the API
    assert login(client, admin.username).status_code == 302
    html = client.get("/admin/users/new").get_data(as_text=True)
    resp = client.post("/admin/users/new", data={"csrf_token": csrf_from(html), "username": "x-guard", "role": role,
                                                 "password": PASSWORD, "active": "y"})
    assert resp.status_code == 422
    from registry.accounts.operations import create_token

    _t, secret = create_token(admin, {"name": "t"})
    db.session.commit()
    resp = client.put(f"/api/v1/users/{admin.id}", json={"username": admin.username, "role": role},
                      headers={"Authorization": f"Bearer {secret}"})
    assert resp.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"
    assert db.session.scalar(select(User).where(User.username == "x-guard")) is None


def test_guarding_roles_are_made_and_changed_on_the_server_shell_and_audited(db_app):
    result = _cli(db_app, "users", "create", "sec.officer", "--role", "security_admin",
                  input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "sec.officer"))
    assert user.role == "security_admin"
    result = _cli(db_app, "users", "set-role", "sec.officer", "audit_admin")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "audit_admin"
    rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == user.id,
                                                            AuditEntry.object_type == "user_account")))
    assert [r.action for r in rows] == ["user.create", "user.role_change"]
    assert rows[1].before == {"role": "security_admin", "region_code": None} and rows[1].after["role"] == "audit_admin"
    assert all(r.user_id is None for r in rows)  # the server's shell, not a web account
    result = _cli(db_app, "users", "reset-password", "sec.officer", input="Fresh-password-77\nFresh-password-77\n")
    assert result.exit_code == 0, result.output
    assert "user.password_reset" in _actions(user.id)


def test_a_web_role_change_is_audited_and_needs_a_recent_password(client, make_user):
    admin = make_user("admin")
    target = make_user("county", ANCI)
    assert login(client, admin.username).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    with client.session_transaction() as sess:
        sess["_auth_at"] -= 11 * 60
    resp = client.post(f"/admin/users/{target.id}/edit", data={"csrf_token": token})
    assert resp.status_code == 302 and "/reauth" in resp.headers["Location"]
    with client.session_transaction() as sess:
        sess["_auth_at"] += 11 * 60
    html = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    resp = client.post(f"/admin/users/{target.id}/edit", data={
        "csrf_token": csrf_from(html), "username": target.username, "role": "city", "region_code": "131000", "active": "y"})
    assert resp.status_code == 302
    change = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.role_change"))
    assert change.before == {"role": "county"} and change.after == {"role": "city"} and change.user_id == admin.id


def test_the_security_administrator_resets_passwords_and_revokes_others_tokens(client, make_user):
    security = make_user("security_admin")
    user = make_user("enterprise")
    admin = make_user("admin")
    from registry.accounts.operations import create_token

    token, secret = create_token(user, {"name": "sync"})
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert login(client, security.username).status_code == 302
    html = client.get(f"/security/users/{user.id}?lang=en").get_data(as_text=True)
    assert "sync" in html and f"/security/tokens/{token.id}/revoke" in html
    assert client.post(f"/security/users/{user.id}/password", data={"csrf_token": csrf_from(html), "password": "short"}).status_code == 422
    resp = client.post(f"/security/users/{user.id}/password", data={"csrf_token": csrf_from(html), "password": "Brand-new-pass-42"})
    assert resp.status_code == 302
    resp = client.post(f"/security/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 200 and 'id="confirm-form"' in resp.get_data(as_text=True)  # asks first (issue 16)
    resp = client.post(f"/security/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(html), "confirmed": "1"})
    assert resp.status_code == 302
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert {"user.password_reset"} <= set(_actions(user.id)) and "token.revoke" in _actions(token.id)
    # an administrator's password is reset only on the server: the security admin cannot take over the admin
    admin_page = client.get(f"/security/users/{admin.id}?lang=en").get_data(as_text=True)
    assert f"/security/users/{admin.id}/password\"" not in admin_page
    resp = client.post(f"/security/users/{admin.id}/password", data={"csrf_token": csrf_from(html), "password": "Brand-new-pass-42"})
    assert resp.status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    assert login(client, user.username, "Brand-new-pass-42").status_code == 302


def test_the_security_settings_page_shows_the_policy(client, make_user):
    security = make_user("security_admin")
    login(client, security.username)
    html = client.get("/security/?lang=en").get_data(as_text=True)
    for text in ("Minimum password length", "Failed sign-ins before a lock", "Audit log retention (days)", "Trusted reverse proxies"):
        assert text in html


# ---- the audit search page ----

@pytest.fixture()
def audit_world(make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent_in, owner_in = make_enterprise(ANCI, submitted=True)
    ent_next, _o = make_enterprise(GUANGYANG, submitted=True)
    ent_far, _o2 = make_enterprise(ZHENGDING, submitted=True, name="=HYPERLINK(\"http://x\")石家庄测试")
    return {"county": county, "in": ent_in, "next": ent_next, "far": ent_far, "owner": owner_in}


def test_officials_search_only_entries_about_their_region(client, make_user, audit_world):
    county, city_out = audit_world["county"], make_user("city", "130100")
    login(client, county.username)
    html = client.get("/audit/?lang=en&object_type=enterprise").get_data(as_text=True)
    assert f'title="enterprise #{audit_world["in"].id}"' in html
    assert f'title="enterprise #{audit_world["next"].id}"' not in html and f'title="enterprise #{audit_world["far"].id}"' not in html
    assert 'title="user.login' not in html  # no row of sign-ins (the filter lists every action); sign-ins and account changes are the audit administrator's
    rows = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv").get_data().decode("utf-8-sig"))))
    assert rows and all(r["region_code"].startswith(ANCI) for r in rows)  # the export has the same scope
    assert all(r["object_type"] not in ("user_account", "api_token") for r in rows)
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, city_out.username)
    html = client.get("/audit/?lang=en&object_type=enterprise").get_data(as_text=True)
    assert f'title="enterprise #{audit_world["far"].id}"' in html and f'title="enterprise #{audit_world["in"].id}"' not in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, audit_world["owner"].username)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_the_audit_administrator_filters_by_user_action_object_date_and_ip_in_the_url(client, make_user, audit_world):
    auditor = make_user("audit_admin")
    login(client, auditor.username)
    owner = audit_world["owner"].username
    html = client.get(f"/audit/?lang=en&user={owner}&action=enterprise.").get_data(as_text=True)
    assert 'title="enterprise.register"' in html or 'title="enterprise.create"' in html  # rows show labels, codes on hover
    assert 'title="user.login' not in html
    html = client.get(f"/audit/?lang=en&action=user.login&user={auditor.username}&ip=127.0.0.1").get_data(as_text=True)
    assert 'title="user.login"' in html and "1 entries" in html
    assert "0 entries" in client.get("/audit/?lang=en&ip=10.9.9.9").get_data(as_text=True)
    assert "0 entries" in client.get("/audit/?lang=en&date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True)
    resp = client.get("/audit/?lang=en&date_from=2026-13-01&object_id=abc")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "date_from" in body and "object_id" in body and "YYYY-MM-DD" in body
    obj = audit_world["in"].id
    html = client.get(f"/audit/?lang=en&object_type=enterprise&object_id={obj}").get_data(as_text=True)
    assert f'title="enterprise #{obj}"' in html and f'title="enterprise #{audit_world["far"].id}"' not in html


def test_the_audit_search_is_paginated_with_the_filters_kept(client, make_user):
    auditor = make_user("audit_admin")
    for i in range(55):
        make_user("enterprise", username=f"bulk{i:02d}")
    login(client, auditor.username)
    html = client.get("/audit/?lang=en&action=user.create").get_data(as_text=True)
    # issue 18 item 4: onward by keyset ("Older entries", ?before=id), the filters kept, no count of the whole log
    import re

    older = re.search(r'href="(/audit/\?[^"]*before=\d+[^"]*)" rel="next"', html)
    assert older and "action=user.create" in older.group(1) and "Older entries" in html
    html2 = client.get(older.group(1).replace("&amp;", "&") + "&lang=en").get_data(as_text=True)
    assert 'rel="next"' not in html2 and 'rel="first"' in html2 and html2.count('data-audit-id="') == 56 - 50


def test_the_csv_export_is_neutralised_and_itself_audited(client, make_user, audit_world):
    auditor = make_user("audit_admin")
    login(client, auditor.username)
    resp = client.get("/audit/export.csv?object_type=enterprise")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {int(r["object_id"]) for r in rows} >= {audit_world["in"].id, audit_world["far"].id}
    cells = [c for r in rows for c in r.values()]
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    assert any("HYPERLINK" in c for c in cells)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.export"))
    assert entry.user_id == auditor.id and entry.after["rows"] == len(rows) and "enterprise" in entry.summary


def test_the_audit_administrator_verifies_the_chain_in_the_browser(client, make_user):
    auditor = make_user("audit_admin")
    login(client, auditor.username)
    html = client.get("/audit/verify?lang=en").get_data(as_text=True)
    assert "The hash chain is intact" in html


def test_no_route_changes_or_deletes_audit_entries(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/audit") or "audit" in rule.endpoint:
            assert not ({"POST", "PUT", "PATCH", "DELETE"} & set(rule.methods or ())), rule.rule
    assert "prune" not in app.cli.commands["audit"].commands


def test_retention_is_at_least_180_days_by_default():
    from config import Default

    assert Default.AUDIT_RETENTION_DAYS >= 180 or __import__("os").environ.get("AUDIT_RETENTION_DAYS")


def test_flask_audit_export_is_itself_audited(db_app, make_user, tmp_path):
    make_user("enterprise")
    out = tmp_path / "a.jsonl"
    result = _cli(db_app, "audit", "export", str(out))
    assert result.exit_code == 0, result.output
    assert _actions()[-1] == "audit.archive"


# ---- re-authentication for sensitive grade and token actions (ASVS 3.7.1) ----

@pytest.mark.parametrize("path", ["/grades/1/review", "/grades/1/approve", "/grades/1/effective",
                                  "/grades/enterprise/1/finding", "/grades/enterprise/1/record",
                                  "/account/tokens", "/account/tokens/1/revoke"])
def test_sensitive_actions_ask_for_the_password_after_ten_minutes(client, make_user, path):
    official = make_user("city", "131000")
    login(client, official.username)
    html = client.get("/account").get_data(as_text=True)
    with client.session_transaction() as sess:
        sess["_auth_at"] -= 11 * 60
    resp = client.post(path, data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 302 and "/reauth" in resp.headers["Location"]


# ---- ProxyFix: TRUSTED_PROXY_COUNT ----

def _app_with_proxies(database_url: str, n: int):
    from config import Testing
    from registry import create_app

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = database_url
        TRUSTED_PROXY_COUNT = n

    return create_app(Config)


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_headers_are_believed_only_from_the_configured_proxies(db_app, database_url, make_user, proxies):
    user = make_user("enterprise")
    other = _app_with_proxies(database_url, proxies)
    # (flask-wtf checks the Referer of HTTPS form posts, as a browser sends it)
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "Referer": "https://localhost/login"}
    with other.test_client() as c:
        page = c.get("/login", headers=forwarded)
        assert ("Strict-Transport-Security" in page.headers) == (proxies == 1)
        token = csrf_from(page.get_data(as_text=True))
        resp = c.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}, headers=forwarded)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    with other.app_context():
        from registry.extensions import db as other_db

        entry = other_db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.login"))
        assert entry.after["ip"] == ("203.0.113.7" if proxies else "127.0.0.1")
        other_db.session.remove()
        other_db.engine.dispose()


def test_the_role_check_constraint_admits_the_two_roles_and_refuses_any_other(db_app, make_user):
    """Migration a7c3e9d1f2b4 (SQLite batch recreate, PostgreSQL ALTER): the database itself knows the roles."""
    from sqlalchemy.exc import IntegrityError

    guards = [make_user("security_admin"), make_user("audit_admin")]
    assert [g.role for g in guards] == ["security_admin", "audit_admin"]
    db.session.remove()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE user_account SET role = 'superuser' WHERE id = {guards[0].id}")
