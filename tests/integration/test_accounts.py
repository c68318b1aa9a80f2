"""Accounts: hashed secrets, scopes checked against the region table, admin-only management."""
from __future__ import annotations

import pytest

from registry.accounts import operations as ops
from registry.accounts.models import ApiToken, User
from registry.accounts.passwords import hash_token
from registry.core.errors import Forbidden, ValidationFailed
from registry.extensions import db
from tests.builders import PASSWORD


def test_passwords_are_stored_as_argon2_hashes(make_user):
    user = make_user("county", "131002")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert ops.authenticate(user.username, PASSWORD) is user
    assert ops.authenticate(user.username, "wrong-password-123") is None
    assert ops.authenticate("nobody-here", PASSWORD) is None


def test_api_token_secret_is_shown_once_and_stored_only_as_hash(make_user):
    user = make_user("enterprise")
    token, secret = ops.create_token(user, {"name": "ERP 对接"})
    db.session.commit()
    stored = db.session.get(ApiToken, token.id)
    assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
    assert not any(secret == getattr(stored, c.key) for c in ApiToken.__table__.columns)


def test_deactivated_user_cannot_log_in(make_user):
    admin = make_user("admin")
    user = make_user("county", "131002")
    ops.update_user(admin, user.id, {"username": user.username, "role": "county", "region_code": "131002", "active": False})
    db.session.commit()
    assert ops.authenticate(user.username, PASSWORD) is None


@pytest.mark.parametrize(
    "role,region,field",
    [("county", "131000", "region_code"), ("city", "131002", "region_code"), ("province", None, "region_code"), ("wizard", None, "role")],
)
def test_official_scope_must_match_role_level(make_user, role, region, field):
    admin = make_user("admin")
    with pytest.raises(ValidationFailed) as err:
        ops.create_user(admin, {"username": "x-user", "password": PASSWORD, "role": role, "region_code": region})
    assert field in err.value.errors


def test_only_administrators_manage_accounts(make_user):
    city = make_user("city", "131000")
    with pytest.raises(Forbidden):
        ops.create_user(city, {"username": "x-user", "password": PASSWORD, "role": "county", "region_code": "131002"})
    with pytest.raises(Forbidden):
        ops.list_users(city)


def test_sign_up_always_creates_an_enterprise_account(db_app):
    user = ops.sign_up({"username": "factory", "password": "Long-enough-pass-1", "role": "admin"})
    assert user.role == "enterprise"
    with pytest.raises(ValidationFailed) as err:
        ops.sign_up({"username": "factory", "password": "Long-enough-pass-1"})
    assert "username" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        ops.sign_up({"username": "other", "password": "short"})
    assert "password" in err.value.errors
    assert db.session.query(User).count() == 1


def test_admin_user_list_is_paged_and_searchable(make_user, client):
    from tests.builders import login

    admin = make_user("admin", username="root-admin")
    for i in range(55):
        make_user("enterprise", username=f"factory-{i:02d}")
    login(client, admin.username)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "factory-00" in first and "factory-54" not in first
    found = client.get("/admin/users?q=factory-54").get_data(as_text=True)
    assert "factory-54" in found and "factory-00" not in found
