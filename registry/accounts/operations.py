"""Account use cases: sign up, administer users, log in, manage API tokens.

Each function checks its permission first, validates through the shared schemas, flushes
and writes the audit log; the caller (request or CLI command) commits once.
"""
from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts import auth
from registry.accounts.models import ROLE_REGION_LEVEL, ApiToken, Role, User
from registry.accounts.passwords import hash_password, hash_token, needs_rehash, new_token, verify_password
from registry.accounts.schemas import PasswordChangeInput, SignUpInput, TokenInput, UserInput
from registry.core import audit
from registry.core.errors import Forbidden, NotFound, ValidationFailed
from registry.core.regions import get_region
from registry.core.timeutil import utcnow
from registry.core.validation import load
from registry.extensions import db

_DUMMY_PASSWORD = "not-a-real-password-0"


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "region_code": user.region_code,
        "active": user.active,
    }


def _ensure_unique_username(username: str, exclude_id: int | None = None) -> None:
    existing = db.session.scalar(select(User).where(User.username == username))
    if existing is not None and existing.id != exclude_id:
        raise ValidationFailed(_("Some fields are invalid."), {"username": [_("This username is taken.")]})


def _check_region_for_role(role: str, region_code: str | None) -> None:
    level = ROLE_REGION_LEVEL.get(Role(role))
    if level is None:
        return
    region = get_region(region_code)
    if region is None:
        raise ValidationFailed(
            _("Some fields are invalid."), {"region_code": [_("Unknown region code %(code)s.", code=region_code)]}
        )
    if region.level != level:
        raise ValidationFailed(
            _("Some fields are invalid."),
            {"region_code": [_("A %(role)s official needs a %(level)s-level region.", role=role, level=level)]},
        )


def sign_up(data: dict[str, Any]) -> User:
    """Self-service registration always creates an enterprise account (officials are invited)."""
    values = load(SignUpInput(), data)
    _ensure_unique_username(values["username"])
    user = User(
        username=values["username"],
        email=values.get("email"),
        full_name=values.get("full_name", ""),
        password_hash=hash_password(values["password"]),
        role=Role.ENTERPRISE.value,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(user, "user.sign_up", user, after=_user_snapshot(user))
    return user


def create_user(actor, data: dict[str, Any], *, password_hash: str | None = None) -> User:
    """An account made by an administrator; `password_hash` lets bulk loaders hash once."""
    if not auth.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators manage accounts."))
    values = load(UserInput(), data)
    if not values.get("password") and not password_hash:
        raise ValidationFailed(_("Some fields are invalid."), {"password": [_("This field is required.")]})
    _ensure_unique_username(values["username"])
    _check_region_for_role(values["role"], values.get("region_code"))
    user = User(
        username=values["username"],
        email=values.get("email"),
        full_name=values.get("full_name", ""),
        password_hash=password_hash or hash_password(values["password"]),
        role=values["role"],
        region_code=values.get("region_code") if values["role"] in ("county", "city", "province") else None,
        active=values.get("active", True),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, after=_user_snapshot(user))
    return user


def update_user(actor, user_id: int, data: dict[str, Any]) -> User:
    if not auth.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators manage accounts."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Not found."))
    values = load(UserInput(), data)
    _ensure_unique_username(values["username"], exclude_id=user.id)
    _check_region_for_role(values["role"], values.get("region_code"))
    if user.id == actor.id and (values["role"] != Role.ADMIN.value or not values.get("active", True)):
        raise ValidationFailed(_("Some fields are invalid."), {"role": [_("You cannot remove your own administrator access.")]})
    before = _user_snapshot(user)
    user.username = values["username"]
    user.email = values.get("email")
    user.full_name = values.get("full_name", "")
    user.role = values["role"]
    user.region_code = values.get("region_code") if values["role"] in ("county", "city", "province") else None
    user.active = values.get("active", True)
    if values.get("password"):
        user.password_hash = hash_password(values["password"])
    db.session.flush()
    b, a = audit.changed_fields(before, _user_snapshot(user))
    audit.record(actor, "user.update", user, before=b, after=a)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work is done either way."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        # Same work as a real check, so timing does not reveal which usernames exist.
        verify_password(hash_password(_DUMMY_PASSWORD), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        audit.record(user, "user.login_failed", user)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(user, "user.login", user)
    return user


def change_password(actor, data: dict[str, Any]) -> None:
    if not auth.is_authenticated(actor):
        raise Forbidden(_("Please log in."))
    values = load(PasswordChangeInput(), data)
    if not verify_password(actor.password_hash, values["current_password"]):
        raise ValidationFailed(
            _("Some fields are invalid."), {"current_password": [_("The current password is wrong.")]}
        )
    actor.password_hash = hash_password(values["new_password"])
    audit.record(actor, "user.password_change", actor)


def create_token(actor, data: dict[str, Any]) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept."""
    if not auth.can_manage_own_tokens(actor):
        raise Forbidden(_("Please log in."))
    values = load(TokenInput(), data)
    secret = new_token()
    token = ApiToken(
        user_id=actor.id,
        name=values["name"],
        prefix=secret[:10],
        token_hash=hash_token(secret),
        expires_at=utcnow() + timedelta(days=values["expires_in_days"]),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.create", token, after={"name": token.name, "prefix": token.prefix})
    return token, secret


def list_tokens(actor) -> list[ApiToken]:
    if not auth.can_manage_own_tokens(actor):
        raise Forbidden(_("Please log in."))
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id.desc())))


def revoke_token(actor, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or not hmac.compare_digest(str(token.user_id), str(getattr(actor, "id", ""))):
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token, after={"name": token.name})
    return token


def list_users(actor) -> list[User]:
    if not auth.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators manage accounts."))
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def get_user(actor, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not auth.can_view_user(actor, user):
        raise NotFound(_("Not found."))
    return user
