"""How a request becomes a user: the session cookie for pages, a Bearer token for the API."""
from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.models import ApiToken, User
from registry.accounts.passwords import hash_token
from registry.core.timeutil import utcnow
from registry.extensions import db


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def load_user_from_request(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(header[7:].strip()))
    )
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.active:
        return None
    token.last_used_at = now
    db.session.commit()
    return token.user


def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify({"code": "unauthenticated", "message": _("Please log in."), "errors": {}}), 401
    return redirect(url_for("accounts.login", next=request.full_path))
