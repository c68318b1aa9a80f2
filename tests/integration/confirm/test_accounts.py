"""Accounts (issue 16 item 3): revoking an API token cannot be undone; the page asks first and the token keeps
working until confirmed. The security administrator's revocation of anyone's token is checked in
tests/integration/security/test_admin_roles.py."""
from __future__ import annotations

from registry.accounts.operations import create_token
from registry.extensions import db
from tests.integration.confirm.helpers import confirm, confirmation, english, token


def test_revoking_ones_own_token_asks_first(client, make_user):
    user = make_user("city", "131000")
    tok, secret = create_token(user, {"name": "同步程序"})
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    english(client, user.username)
    path = f"/account/tokens/{tok.id}/revoke"
    first = client.post(path, data={"csrf_token": token(client, "/account/tokens")})
    text, _ = confirmation(first)
    assert "The token “同步程序” stops working at once" in text and "last used: never" in text
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert confirm(client, first, path).status_code == 302
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
