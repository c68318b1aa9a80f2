"""Issue 13 Low 9 — a reset password is known to whoever set it (ASVS 2.1.x, 2.5.x; 等保 2.0 身份鉴别
口令定期更换 / 三员分立: the security administrator must not be able to act as the user).

The attack: the security administrator (or whoever runs `flask users reset-password`) sets a
password, knows it, and the account keeps it; the user is never asked to change it. Now a reset
flags `must_change_password`: the next sign-in lands on the password change page, and until the
user has chosen a new password every other page answers 403 and every API call 403
`password_change_required`, with a message saying what to do. Real HTTP through the app.
"""
from __future__ import annotations

from sqlalchemy import select

from tests.builders import PASSWORD, csrf_from, login

RESET_TO = "Admin-knows-this-1"
CHOSEN = "Only-i-know-this-2"


def _reset_on_the_security_page(client, security, user) -> None:
    assert login(client, security.username).status_code == 302
    html = client.get(f"/security/users/{user.id}").get_data(as_text=True)
    r = client.post(f"/security/users/{user.id}/password", data={"csrf_token": csrf_from(html), "password": RESET_TO})
    assert r.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/security/").get_data(as_text=True))})


def _must_change(client, user) -> None:
    """Signed in with the reset password: only the password change is open."""
    r = login(client, user.username, RESET_TO)
    assert r.status_code == 302 and r.headers["Location"] == "/account"
    page = client.get("/account?lang=en").get_data(as_text=True)
    assert "Your password was reset by an administrator." in page
    assert client.get("/").headers["Location"] == "/account"
    for path in ("/enterprises/", "/account/tokens", "/audit/"):
        r = client.get(path + "?lang=en")
        assert r.status_code == 403, path
        assert "Change it on the “My account” page (/account)" in r.get_data(as_text=True)
    r = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert r.status_code == 403 and r.get_json()["code"] == "password_change_required"
    assert "reset by an administrator" in r.get_json()["message"]
    token = csrf_from(page)
    r = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRFToken": token})
    assert r.status_code == 403 and r.get_json()["code"] == "password_change_required"


def _change(client) -> None:
    token = csrf_from(client.get("/account").get_data(as_text=True))
    r = client.post("/account/password", data={"csrf_token": token, "current_password": RESET_TO, "new_password": CHOSEN})
    assert r.status_code == 302
    assert client.get("/enterprises/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_after_a_reset_by_the_security_administrator_the_user_must_choose_a_new_password(client, make_user):
    from registry.accounts.models import User
    from registry.core.models import AuditEntry
    from registry.extensions import db

    user, security = make_user("enterprise"), make_user("security_admin")
    _reset_on_the_security_page(client, security, user)
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password is True
    _must_change(client, user)
    _change(client)
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password is False
    change = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_change",
                                                        AuditEntry.object_id == user.id))
    assert change.after == {"after_reset": True}


def test_the_reset_password_cannot_be_kept(client, make_user):
    """Choosing the reset password again is refused (password history), so the flag cannot be cleared with it."""
    user, security = make_user("enterprise"), make_user("security_admin")
    _reset_on_the_security_page(client, security, user)
    login(client, user.username, RESET_TO)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    r = client.post("/account/password", data={"csrf_token": token, "current_password": RESET_TO, "new_password": RESET_TO})
    assert r.status_code == 422
    assert client.get("/enterprises/").status_code == 403


def test_a_reset_on_the_server_shell_forces_a_change_too(client, db_app, make_user):
    user = make_user("county", "131002")
    result = db_app.test_cli_runner().invoke(args=["users", "reset-password", user.username],
                                             input=f"{RESET_TO}\n{RESET_TO}\n")
    assert result.exit_code == 0, result.output
    assert "must be chosen at the next sign-in" in result.output
    _must_change(client, user)
    _change(client)


def test_an_ordinary_sign_in_is_not_affected(client, make_user):
    user = make_user("enterprise")
    r = login(client, user.username, PASSWORD)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/enterprises/").status_code == 200
