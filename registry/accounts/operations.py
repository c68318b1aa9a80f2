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

from registry.accounts import auth, lockout, password_policy, sessions
from registry.accounts.models import PRIVILEGED_ROLES, ROLE_REGION_LEVEL, ApiToken, Role, User
from registry.accounts.passwords import hash_password, hash_token, hasher_key, needs_rehash, new_token, verify_password
from registry.accounts.reauth import reauth_minutes
from registry.accounts.schemas import PasswordChangeInput, SignUpInput, TokenInput, UserInput
from registry.core import audit
from registry.core.errors import Forbidden, NotFound, ValidationFailed
from registry.core.regions import get_region
from registry.core.timeutil import utcnow
from registry.core.validation import load
from registry.extensions import db

_DUMMY_PASSWORD = "not-a-real-password-0"  # noqa: S105  # nosec B105  # hashed for timing parity, never a credential
_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a password no one has, made once per argon2 setting: an unknown or locked account then
    costs exactly one argon2 verification, as a known one does (issue 13 L4; it cost a hash and a verify)."""
    key = hasher_key()
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hash_password(_DUMMY_PASSWORD)
    return _dummy_hashes[key]


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "region_code": user.region_code,
        "active": user.active,
    }


def _ensure_unique_username(username: str, exclude_id: int | None = None, *, public: bool = False) -> None:
    """`public`: self-service sign-up, where the message does not say the name exists (issue 13 L4)."""
    existing = db.session.scalar(select(User).where(User.username == username))
    if existing is not None and existing.id != exclude_id:
        message = _("This username cannot be used. Choose another one.") if public else _("This username is taken.")
        raise ValidationFailed(_("Some fields are invalid."), {"username": [message]})


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


def _check_role_assignment(actor, role: str | None, current: str | None = None) -> None:
    """Security and audit administrator accounts are made and changed only on the server (三员分立):
    the system administrator can neither grant those roles (to itself or anyone) nor edit such accounts."""
    for r in (role, current):
        if r in PRIVILEGED_ROLES and not auth.can_assign_role(actor, r):
            raise ValidationFailed(
                _("Some fields are invalid."),
                {"role": [_("Security and audit administrator accounts are created and changed only on the server "
                            "(flask users create / flask users set-role).")]},
            )


def _check_new_password(user: User | None, username: str, password: str, field: str = "password") -> None:
    """The policy checks that need more than the password: not the username, not recently used."""
    problems = []
    if password.strip().casefold() == (username or "").strip().casefold():
        problems.append(_("The password must not be the username."))
    if user is not None and password_policy.was_used_recently(user, password):
        problems.append(_("Do not reuse one of your last %(n)d passwords.", n=password_policy.history_size()))
    if problems:
        raise ValidationFailed(_("Some fields are invalid."), {field: problems})


def _set_password(user: User, password: str, actor=None) -> None:
    """Replace the password, keeping the old hash in the history; every session and API token of the
    account ends with the old password (issue 13 M2, M3: a thief's cookie or token dies with it)."""
    password_policy.remember_current(user)
    user.password_hash = hash_password(password)
    db.session.flush()
    sessions.end_all(user)
    revoke_all_tokens(actor if actor is not None else user, user)


def revoke_all_tokens(actor, user: User) -> int:
    """Revoke every live API token of `user` (its password changed or was reset), each audited as
    `token.revoke` with the reason."""
    now = utcnow()
    tokens = list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ))
    for token in tokens:
        token.revoked_at = now
        audit.record(actor, "token.revoke", token,
                     after={"name": token.name, "owner_id": user.id, "reason": "password_changed", "ip": client_ip()})
    return len(tokens)


def client_ip() -> str | None:
    """The client address as the WSGI server sees it (ProxyFix decides whether to trust proxies)."""
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None


def sign_up(data: dict[str, Any]) -> User:
    """Self-service registration always creates an enterprise account (officials are invited)."""
    values = load(SignUpInput(), data)
    _ensure_unique_username(values["username"], public=True)
    _check_new_password(None, values["username"], values["password"])
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
    _check_role_assignment(actor, values["role"])
    _ensure_unique_username(values["username"])
    _check_region_for_role(values["role"], values.get("region_code"))
    if values.get("password"):
        _check_new_password(None, values["username"], values["password"])
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
    _check_role_assignment(actor, values["role"], current=user.role)
    _ensure_unique_username(values["username"], exclude_id=user.id)
    _check_region_for_role(values["role"], values.get("region_code"))
    if user.id == actor.id and (values["role"] != Role.ADMIN.value or not values.get("active", True)):
        raise ValidationFailed(_("Some fields are invalid."), {"role": [_("You cannot remove your own administrator access.")]})
    if values.get("password"):
        if not auth.can_reset_password_of(actor, user):
            raise ValidationFailed(
                _("Some fields are invalid."),
                {"password": [_("Passwords of existing accounts are reset by the security administrator.")]},
            )
        _check_new_password(user, values["username"], values["password"])
    before = _user_snapshot(user)
    user.username = values["username"]
    user.email = values.get("email")
    user.full_name = values.get("full_name", "")
    user.role = values["role"]
    user.region_code = values.get("region_code") if values["role"] in ("county", "city", "province") else None
    user.active = values.get("active", True)
    if values.get("password"):
        _set_password(user, values["password"], actor)
    db.session.flush()
    b, a = audit.changed_fields(before, _user_snapshot(user))
    if {"role", "region_code", "active"} & set(a):
        sessions.end_all(user)  # the account's rights changed: its sessions start over
    audit.record(actor, "user.update", user, before=b, after=a)
    if b.get("role") != a.get("role") and "role" in a:
        audit.record(actor, "user.role_change", user, before={"role": b["role"]}, after={"role": a["role"]})
    return user


def set_role(actor, username: str, role: str, region_code: str | None = None) -> User:
    """Change an account's role (the server's shell only for the privileged roles); audited as `user.role_change`."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise NotFound(_("Not found."))
    if role not in {r.value for r in Role}:
        raise ValidationFailed(_("Some fields are invalid."), {"role": [_("Unknown role.")]})
    if not auth.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators manage accounts."))
    _check_role_assignment(actor, role, current=user.role)
    _check_region_for_role(role, region_code)
    before = {"role": user.role, "region_code": user.region_code}
    user.role = role
    user.region_code = region_code if Role(role).is_official else None
    db.session.flush()
    if before != {"role": user.role, "region_code": user.region_code}:
        sessions.end_all(user)
    audit.record(actor, "user.role_change", user, before=before, after={"role": user.role, "region_code": user.region_code})
    return user


def reset_password(actor, user_id: int, data: dict[str, Any]) -> User:
    """The security administrator sets a new password (policy and history apply) and lifts any lock."""
    if not (auth.can_administer_security(actor) or auth.is_server_shell(actor)):
        raise Forbidden(_("Only the security administrator resets passwords."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Not found."))
    if not auth.can_reset_password_of(actor, user):
        raise Forbidden(_("Administrators' passwords are reset only on the server (flask users reset-password)."))
    password = (data or {}).get("password") or ""
    problems = password_policy.shape_problems(password)
    if not password:
        problems = [_("This field is required.")]
    if problems:
        raise ValidationFailed(_("Some fields are invalid."), {"password": problems})
    _check_new_password(user, user.username, password)
    _set_password(user, password, actor)
    lockout.unlock(user)
    # The administrator knows this password: the user must choose a new one at the next sign-in
    # and can do nothing else until then (issue 13 L9; the CLI's reset-password too).
    user.must_change_password = True
    db.session.flush()
    audit.record(actor, "user.password_reset", user, after={"ip": client_ip(), "forced_change": True})
    return user


class AccountLocked(Exception):
    """Raised by `authenticate` while the account is locked; the page says so and when it ends."""

    def __init__(self, until) -> None:
        super().__init__(str(until))
        self.until = until


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work is done either way.

    Every attempt is audited with the client IP (等保 安全审计): `user.login`,
    `user.login_failed` (known account, with the failure count), `user.login_unknown`
    (no such username; the name tried is kept in the summary), `user.login_locked`.
    Five consecutive failures lock the account (lockout.py, counted atomically in the database); a
    locked account is refused even with the right password, and the refusal is counted and audited.
    Every path costs exactly one argon2 verification (issue 13 L4).
    """
    name = (username or "").strip()
    ip = client_ip()
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        # Same work as a real check (one argon2 verification), so timing does not reveal which usernames exist.
        verify_password(_dummy_hash(), password or "")
        audit.record(None, "user.login_unknown", None, summary=name[:64], after={"ip": ip})
        return None
    if lockout.is_locked(user):
        verify_password(_dummy_hash(), password or "")
        # Refused attempts on a locked account count too, in the same atomic UPDATE: `failed_logins`
        # is then the number of guesses, and the write lock is taken before the audit entry.
        failure = lockout.register_failure(user)
        if failure.locked:
            audit.record(user, "user.login_locked", user,
                         after={"ip": ip, "failed_logins": failure.count, "locked_until": failure.locked_until})
            raise AccountLocked(failure.locked_until)
        # The lock ran out meanwhile: a refused attempt all the same (the password was not checked).
        audit.record(user, "user.login_failed", user, after={"ip": ip, "failed_logins": failure.count})
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        failure = lockout.register_failure(user)  # counted atomically in the database (issue 13 M1)
        audit.record(
            user, "user.login_failed", user,
            after={"ip": ip, "failed_logins": failure.count, "locked_until": failure.locked_until},
        )
        if failure.newly_locked:
            audit.record(user, "user.lock", user, after={"ip": ip, "locked_until": failure.locked_until})
        if failure.locked:
            raise AccountLocked(failure.locked_until)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    lockout.register_success(user)
    user.last_login_at = utcnow()
    audit.record(user, "user.login", user, after={"ip": ip})
    return user


def unlock_user(actor, user_id: int) -> User:
    """The security administrator lifts a lockout before it expires (the unlock path of 等保 登录失败处理)."""
    if not (auth.can_administer_security(actor) or auth.is_server_shell(actor)):
        raise Forbidden(_("Only the security administrator unlocks accounts."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Not found."))
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    lockout.unlock(user)
    db.session.flush()
    audit.record(actor, "user.unlock", user, before=before, after={"failed_logins": 0, "locked_until": None})
    return user


def reauthenticate(actor, password: str) -> bool:
    """Re-check the signed-in user's password before a sensitive action; failures count toward lockout."""
    if not auth.is_authenticated(actor):
        raise Forbidden(_("Please log in."))
    ip = client_ip()
    if lockout.is_locked(actor):
        audit.record(actor, "user.reauth_locked", actor, after={"ip": ip})
        return False
    if verify_password(actor.password_hash, password or ""):
        lockout.register_success(actor)
        audit.record(actor, "user.reauth", actor, after={"ip": ip})
        return True
    failure = lockout.register_failure(actor)
    audit.record(actor, "user.reauth_failed", actor, after={"ip": ip, "failed_logins": failure.count})
    if failure.newly_locked:
        audit.record(actor, "user.lock", actor, after={"ip": ip, "locked_until": failure.locked_until})
    return False


def change_password(actor, data: dict[str, Any]) -> None:
    if not auth.is_authenticated(actor):
        raise Forbidden(_("Please log in."))
    values = load(PasswordChangeInput(), data)
    if not verify_password(actor.password_hash, values["current_password"]):
        raise ValidationFailed(
            _("Some fields are invalid."), {"current_password": [_("The current password is wrong.")]}
        )
    _check_new_password(actor, actor.username, values["new_password"], field="new_password")
    forced = bool(actor.must_change_password)
    _set_password(actor, values["new_password"])
    actor.must_change_password = False
    audit.record(actor, "user.password_change", actor, after={"after_reset": True} if forced else None)


def logout(actor) -> None:
    """Sign out: every session of the account ends server-side (sessions.py says why all of them)."""
    if not auth.is_authenticated(actor):
        return
    sessions.end_all(actor)
    audit.record(actor, "user.logout", actor, after={"ip": client_ip()})


def create_token(actor, data: dict[str, Any], *, by_token: bool = False, password_confirmed: bool = True
                 ) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept.

    Issue 13 M3: a token cannot create tokens (a stolen one could otherwise outlive itself), so
    the pages and the API pass `by_token` (the request came with a Bearer token) and
    `password_confirmed` (the session's password check is recent, reauth.py); the server's own
    callers (CLI, fixtures) keep the defaults. The lifetime is bounded by API_TOKEN_MAX_DAYS.
    """
    if not auth.can_manage_own_tokens(actor):
        raise Forbidden(_("Please log in."))
    if by_token:
        raise Forbidden(_("An API token cannot create API tokens. Sign in with your password and create it "
                          "on the API tokens page."))
    if not password_confirmed:
        raise Forbidden(_("Confirm your password first: API tokens are created only within %(n)d minutes of "
                          "entering it (the API tokens page asks for it).", n=reauth_minutes()))
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


def revoke_token_of(actor, token_id: int) -> ApiToken:
    """The security administrator revokes anyone's API token (a leaked or departed user's)."""
    if not auth.can_administer_security(actor):
        raise Forbidden(_("Only the security administrator revokes other users' tokens."))
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token, after={"name": token.name, "owner_id": token.user_id, "ip": client_ip()})
    return token


def tokens_of(actor, user_id: int) -> list[ApiToken]:
    if not auth.can_administer_security(actor):
        raise Forbidden(_("Only the security administrator revokes other users' tokens."))
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))


def get_user_for_security(actor, user_id: int) -> User:
    if not auth.can_administer_security(actor):
        raise Forbidden(_("Only the security administrator sees sign-in locks and tokens of others."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Not found."))
    return user


def list_users(actor) -> list[User]:
    if not auth.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators manage accounts."))
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def get_user(actor, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not auth.can_view_user(actor, user):
        raise NotFound(_("Not found."))
    return user
