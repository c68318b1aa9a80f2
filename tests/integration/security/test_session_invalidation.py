"""Issue 13 Medium 2 — sessions survive logout, password change and reset (ASVS 3.3.1, 3.3.3;
等保 2.0 身份鉴别 / 访问控制: 结束会话).

The attack: a session cookie copied before logout still got 200 when replayed afterwards, and a
second browser stayed signed in after the password was changed. Each account now carries a
session generation (accounts/sessions.py) stamped into the session at sign-in and checked on
every request; logout, a password change or reset, a lock and a role change move it on.

Real HTTP against a threaded server; the "thief" is a second `requests` client given a copy of
the victim's cookie. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import requests

from tests.builders import PASSWORD, csrf_from

NEW_PASSWORD = "Another-horse-battery-2"


def _signed_in(base: str, username: str, password: str = PASSWORD) -> requests.Session:
    s = requests.Session()
    token = csrf_from(s.get(f"{base}/login", timeout=30).text)
    r = s.post(f"{base}/login", data={"username": username, "password": password, "csrf_token": token},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.status_code
    return s


def _copy(base: str, victim: requests.Session) -> requests.Session:
    """A thief's client carrying a copy of the victim's session cookie."""
    thief = requests.Session()
    thief.cookies.set("session", victim.cookies.get("session"), domain="127.0.0.1")
    return thief


def _alive(base: str, s: requests.Session) -> bool:
    """Both doors agree: the API answers 200 (else 401) and a page 200 (else a redirect to /login)."""
    api = s.get(f"{base}/api/v1/me", timeout=30).status_code
    page = s.get(f"{base}/account", allow_redirects=False, timeout=30)
    assert (api == 200) == (page.status_code == 200), (api, page.status_code)
    if page.status_code != 200:
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    return api == 200


def _post(base: str, s: requests.Session, path: str, data: dict) -> requests.Response:
    token = csrf_from(s.get(f"{base}/account", timeout=30).text)
    return s.post(f"{base}{path}", data={"csrf_token": token, **data}, allow_redirects=False, timeout=30)


def test_a_cookie_replayed_after_logout_is_refused(db_app, live_server, make_user):
    """M2: copy the cookie, log out, replay the copy: 401 on the API, the login page for pages."""
    user = make_user("enterprise")
    victim = _signed_in(live_server, user.username)
    thief = _copy(live_server, victim)
    assert _alive(live_server, thief)
    assert _post(live_server, victim, "/logout", {}).status_code == 302
    assert not _alive(live_server, thief)
    assert not _alive(live_server, victim)


def test_logout_ends_every_session_of_the_account(db_app, live_server, make_user):
    """M2 (documented choice): logging out on one PC also ends the session left open on another."""
    user = make_user("enterprise")
    office, home = _signed_in(live_server, user.username), _signed_in(live_server, user.username)
    assert _post(live_server, office, "/logout", {}).status_code == 302
    assert not _alive(live_server, home)
    again = _signed_in(live_server, user.username)
    assert _alive(live_server, again)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(db_app, live_server, make_user):
    """M2: the second browser (or a thief's copy) is out after the change; the changing one stays in."""
    user = make_user("enterprise")
    mine, other = _signed_in(live_server, user.username), _signed_in(live_server, user.username)
    thief = _copy(live_server, mine)
    r = _post(live_server, mine, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 302
    assert _alive(live_server, mine)
    assert not _alive(live_server, other)
    assert not _alive(live_server, thief)  # the copy carries the old generation


def test_a_password_reset_by_the_security_administrator_ends_the_sessions(db_app, live_server, make_user):
    user, security = make_user("enterprise"), make_user("security_admin")
    victim = _signed_in(live_server, user.username)
    officer = _signed_in(live_server, security.username)
    token = csrf_from(officer.get(f"{live_server}/security/users/{user.id}", timeout=30).text)
    r = officer.post(f"{live_server}/security/users/{user.id}/password",
                     data={"csrf_token": token, "password": NEW_PASSWORD}, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    assert not _alive(live_server, victim)
    assert _alive(live_server, officer)


def test_a_role_change_or_deactivation_ends_the_sessions(db_app, live_server, make_user):
    from registry.accounts import operations as ops
    from registry.accounts.auth import SYSTEM
    from registry.extensions import db

    county = make_user("county", "131002")
    session = _signed_in(live_server, county.username)
    ops.set_role(SYSTEM, county.username, "city", "131000")
    db.session.commit()
    assert not _alive(live_server, session)
    session = _signed_in(live_server, county.username)
    assert _alive(live_server, session)
    ops.update_user(SYSTEM, county.id, {"username": county.username, "role": "city", "region_code": "131000",
                                        "active": False})
    db.session.commit()
    assert not _alive(live_server, session)


def test_a_session_from_before_the_generation_existed_counts_as_generation_zero(client, make_user):
    """Deployment: a cookie without the stamp keeps working until the account's first logout or change."""
    from tests.api.world import session_login

    user = make_user("enterprise")
    session_login(client, user)  # sets Flask-Login's keys only, as an old cookie has
    assert client.get("/api/v1/me").status_code == 200
    from registry.accounts import sessions

    sessions.end_all(user)
    from registry.extensions import db

    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401
