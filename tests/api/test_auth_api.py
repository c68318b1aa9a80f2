"""API authentication: Bearer tokens (hashed, revocable, expiring) or the session cookie, and
CSRF for session-authenticated writes (400 `csrf_failed` without the X-CSRFToken header)."""
from __future__ import annotations

from datetime import timedelta

from tests.builders import ANCI, PASSWORD, csrf_from, enterprise_payload, login


def _unauthenticated(response) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.get_json()["code"] == "unauthenticated"
    assert set(response.get_json()) == {"code", "message", "errors"}


def test_anonymous_gets_401_json_and_public_reference_data(api_client):
    _unauthenticated(api_client.get("/api/v1/enterprises"))
    _unauthenticated(api_client.post("/api/v1/enterprises", json=enterprise_payload(1, ANCI)))
    _unauthenticated(api_client.get("/api/v1/me", headers={"Accept-Language": "en"}))
    assert api_client.get("/api/v1/me", headers={"Accept-Language": "en"}).get_json()["message"] == "Please log in."
    assert api_client.get("/api/v1/vocabularies").status_code == 200
    assert api_client.get("/api/v1/regions").status_code == 200


def test_token_secret_is_shown_once_and_listed_by_prefix_only(api_client, make_user, token_for):
    user = make_user("enterprise")
    headers = token_for(user)
    # Tokens are created from a signed-in session whose password was just checked (issue 13 M3).
    assert login(api_client, user.username, PASSWORD).status_code == 302
    csrf = csrf_from(api_client.get("/account").get_data(as_text=True))
    r = api_client.post("/api/v1/tokens", json={"name": "夜间导入", "expires_in_days": 30}, headers={"X-CSRFToken": csrf})
    assert r.status_code == 201
    created = r.get_json()
    assert created["token"].startswith("lt_") and created["prefix"] == created["token"][:10]
    listed = api_client.get("/api/v1/tokens", headers=headers).get_json()["items"]
    assert {t["name"] for t in listed} == {"tests", "夜间导入"}
    assert all("token" not in t and "token_hash" not in t for t in listed)
    me = api_client.get("/api/v1/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert me.status_code == 200


def test_revoked_token_stops_working_at_once(api_client, make_user, token_for):
    user = make_user("enterprise")
    keep, doomed = token_for(user, "keep"), token_for(user, "doomed")
    doomed_id = next(t["id"] for t in api_client.get("/api/v1/tokens", headers=keep).get_json()["items"] if t["name"] == "doomed")
    assert api_client.get("/api/v1/me", headers=doomed).status_code == 200
    assert api_client.delete(f"/api/v1/tokens/{doomed_id}", headers=keep).status_code == 204
    _unauthenticated(api_client.get("/api/v1/me", headers=doomed))
    assert api_client.get("/api/v1/me", headers=keep).status_code == 200
    revoked = next(t for t in api_client.get("/api/v1/tokens", headers=keep).get_json()["items"] if t["name"] == "doomed")
    assert revoked["revoked_at"]


def test_expired_token_is_401(api_client, make_user, token_for, monkeypatch):
    from registry.accounts import auth_loader
    from registry.core.timeutil import utcnow

    headers = token_for(make_user("enterprise"), expires_in_days=1)
    assert api_client.get("/api/v1/me", headers=headers).status_code == 200
    later = utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(auth_loader, "utcnow", lambda: later)
    _unauthenticated(api_client.get("/api/v1/me", headers=headers))


def test_unknown_token_and_deactivated_account_are_401(api_client, make_user, token_for):
    _unauthenticated(api_client.get("/api/v1/me", headers={"Authorization": "Bearer lt_not-a-real-token"}))
    user = make_user("enterprise")
    headers = token_for(user)
    admin = token_for(make_user("admin"))
    r = api_client.put(f"/api/v1/users/{user.id}", json={"username": user.username, "role": "enterprise", "active": False}, headers=admin)
    assert r.status_code == 200 and r.get_json()["active"] is False
    _unauthenticated(api_client.get("/api/v1/me", headers=headers))


def test_session_write_without_csrf_header_is_400_and_with_it_succeeds(api_client, make_user):
    """A browser sends the cookie by itself, so a cookie-authenticated write must prove it came
    from our pages: the token from base.html's csrf-token meta tag, in X-CSRFToken."""
    user = make_user("enterprise")
    r = login(api_client, user.username, PASSWORD)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]

    assert api_client.get("/api/v1/me").get_json()["username"] == user.username  # safe methods need no token

    r = api_client.post("/api/v1/tokens", json={"name": "from the browser"})
    assert r.status_code == 400
    assert r.get_json()["code"] == "csrf_failed" and "X-CSRFToken" in r.get_json()["errors"]
    r = api_client.post("/api/v1/tokens", json={"name": "from the browser"}, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400

    page = api_client.get("/", follow_redirects=True)
    token = csrf_from(page.get_data(as_text=True))
    r = api_client.post("/api/v1/tokens", json={"name": "from the browser"}, headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_data(as_text=True)


def test_bearer_token_wins_over_a_session_cookie(api_client, make_user, token_for):
    admin = make_user("admin")
    assert login(api_client, admin.username, PASSWORD).status_code == 302
    enterprise_user = make_user("enterprise")
    r = api_client.get("/api/v1/me", headers=token_for(enterprise_user))
    assert r.get_json()["username"] == enterprise_user.username
    # A bad token is anonymous even though the admin's cookie came along.
    _unauthenticated(api_client.get("/api/v1/me", headers={"Authorization": "Bearer lt_wrong"}))
    # And a Bearer write needs no CSRF token.
    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(7, ANCI), headers=token_for(enterprise_user))
    assert r.status_code == 201, r.get_json()


def test_officials_cannot_register_and_enterprises_cannot_administer(api_client, make_user, token_for):
    county = token_for(make_user("county", ANCI))
    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(4, ANCI), headers=county)
    assert r.status_code == 403 and r.get_json()["code"] == "forbidden"
    enterprise = token_for(make_user("enterprise"))
    assert api_client.get("/api/v1/users", headers=enterprise).status_code == 403
