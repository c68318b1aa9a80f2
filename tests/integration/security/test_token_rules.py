"""Issue 13 Medium 3 — a stolen token can mint a longer one (ASVS 3.5.2, 2.10.x; 等保 2.0 身份鉴别).

The attack: a 1-day Bearer token created a token expiring in 2036, and tokens kept working after
the owner changed the password. Now a token cannot create tokens (creation needs a signed-in
session whose password was entered within REAUTH_MAX_AGE), every token of the account is revoked
by a password change or reset, and no token lives longer than API_TOKEN_MAX_DAYS (365 by default;
the validation error names `expires_in_days`, in the user's language; zh in
registry/translations/pending/sec-accounts.tsv). Real HTTP through the app.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.builders import PASSWORD, csrf_from, login

NEW_PASSWORD = "Another-horse-battery-2"


def _tokens(user_id: int) -> int:
    from registry.accounts.models import ApiToken
    from registry.extensions import db

    return db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id))


def _bearer(user, days: int = 1) -> dict:
    from registry.accounts.operations import create_token
    from registry.extensions import db

    _token, secret = create_token(user, {"name": "one day", "expires_in_days": days})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_cannot_mint_a_token(client, make_user):
    """M3, the attack as reported: a 1-day token asks for a 3650-day one (and for a 1-day one): 403."""
    user = make_user("enterprise")
    stolen = _bearer(user, days=1)
    for days in (3650, 1):
        r = client.post("/api/v1/tokens?lang=en", json={"name": "longer", "expires_in_days": days}, headers=stolen)
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["code"] == "forbidden"
        assert r.get_json()["message"].startswith("An API token cannot create API tokens.")
    assert _tokens(user.id) == 1


def test_a_session_needs_a_recent_password_to_create_a_token_through_the_api(client, make_user):
    user = make_user("enterprise")
    assert login(client, user.username, PASSWORD).status_code == 302
    csrf = {"X-CSRFToken": csrf_from(client.get("/account").get_data(as_text=True))}
    with client.session_transaction() as sess:
        sess["_auth_at"] -= 11 * 60
    r = client.post("/api/v1/tokens", json={"name": "sync"}, headers=csrf)
    assert r.status_code == 403 and r.get_json()["code"] == "forbidden"
    with client.session_transaction() as sess:
        sess["_auth_at"] += 11 * 60
    r = client.post("/api/v1/tokens", json={"name": "sync", "expires_in_days": 365}, headers=csrf)
    assert r.status_code == 201, r.get_json()


def test_the_lifetime_is_at_most_the_configured_maximum_and_the_error_names_the_field(client, make_user, monkeypatch):
    user = make_user("enterprise")
    assert login(client, user.username, PASSWORD).status_code == 302
    csrf = {"X-CSRFToken": csrf_from(client.get("/account").get_data(as_text=True))}
    r = client.post("/api/v1/tokens", json={"name": "2036", "expires_in_days": 3650}, headers=csrf)
    assert r.status_code == 422
    body = r.get_json()
    assert list(body["errors"]) == ["expires_in_days"] and "365" in body["errors"]["expires_in_days"][0]
    r = client.post("/api/v1/tokens?lang=en", json={"name": "2036", "expires_in_days": 366}, headers=csrf)
    assert r.get_json()["errors"]["expires_in_days"] == ["A token is valid for 1 to 365 days."]
    monkeypatch.setitem(client.application.config, "API_TOKEN_MAX_DAYS", 30)
    assert client.post("/api/v1/tokens", json={"name": "x", "expires_in_days": 31}, headers=csrf).status_code == 422
    assert client.post("/api/v1/tokens", json={"name": "x", "expires_in_days": 30}, headers=csrf).status_code == 201
    # The page says the same beside the field, and its input carries the maximum.
    monkeypatch.setitem(client.application.config, "API_TOKEN_MAX_DAYS", 365)
    html = client.get("/account/tokens?lang=en").get_data(as_text=True)
    assert 'max="365"' in html
    r = client.post("/account/tokens?lang=en", data={"csrf_token": csrf_from(html), "name": "n", "expires_in_days": "3650"})
    assert r.status_code == 422 and "A token is valid for 1 to 365 days." in r.get_data(as_text=True)


def test_a_token_made_before_the_limit_is_cut_to_it(client, make_user):
    """A token already minted to 2036 (before the fix) stops API_TOKEN_MAX_DAYS after its creation."""
    from registry.accounts.models import ApiToken
    from registry.core.timeutil import utcnow
    from registry.extensions import db

    user = make_user("enterprise")
    headers = _bearer(user)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    token.expires_at = utcnow().replace(year=2036)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token.created_at = utcnow() - timedelta(days=366)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_tokens_die_with_a_password_change(client, make_user):
    user = make_user("enterprise")
    headers = _bearer(user, days=30)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert login(client, user.username, PASSWORD).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    r = client.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                               "new_password": NEW_PASSWORD})
    assert r.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    listed = client.get("/api/v1/tokens").get_json()["items"]
    assert listed and all(t["revoked_at"] for t in listed)


def test_tokens_die_with_a_password_reset(client, make_user):
    user, security = make_user("enterprise"), make_user("security_admin")
    headers = _bearer(user, days=30)
    assert login(client, security.username, PASSWORD).status_code == 302
    html = client.get(f"/security/users/{user.id}").get_data(as_text=True)
    r = client.post(f"/security/users/{user.id}/password", data={"csrf_token": csrf_from(html), "password": NEW_PASSWORD})
    assert r.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
