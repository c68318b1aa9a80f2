"""How a request becomes a user: the session cookie for pages, a Bearer token for the API."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update

from registry.accounts import sessions
from registry.accounts.models import ApiToken, User
from registry.accounts.passwords import hash_token
from registry.core import unit_of_work
from registry.core.timeutil import utcnow
from registry.extensions import db


def load_user(user_id: str) -> User | None:
    """The session's user, while the account is active and the session's generation is still its own
    (sessions.py: logout, password change or reset, lock and role change end every earlier session)."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not sessions.is_current(user):
        return None
    return user


def token_max_age() -> timedelta:
    return timedelta(days=int(current_app.config.get("API_TOKEN_MAX_DAYS", 365)))


def token_expiry(token: ApiToken) -> datetime:
    """When `token` stops working: its own expiry, but never later than the longest lifetime allowed
    now (API_TOKEN_MAX_DAYS after creation), so tokens minted before the limit are cut to it too."""
    cap = token.created_at + token_max_age()
    return cap if token.expires_at is None or token.expires_at > cap else token.expires_at


def load_user_from_request(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(header[7:].strip()))
    )
    now = utcnow()
    if token is None or token.revoked_at is not None or token_expiry(token) <= now:
        return None
    # A reset revokes every token and a flagged account cannot make one; refused here all the same.
    if not token.user.active or token.user.must_change_password:
        return None
    # Recorded by the request's unit of work (core/unit_of_work.py) when the request succeeds; kept even when
    # it is refused (its own writes are rolled back): a small transaction of its own after the rollback.
    token.last_used_at = now
    token_id = token.id
    unit_of_work.after_refusal(lambda: _mark_used(token_id, now))
    return token.user


def _mark_used(token_id: int, when: datetime) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))


def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify({"code": "unauthenticated", "message": _("Please log in."), "errors": {}}), 401
    return redirect(url_for("accounts.login", next=request.full_path))
