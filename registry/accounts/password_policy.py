"""The password policy (ASVS V2.1, 等保 2.0 口令复杂度): length, character classes, not the username, no reuse."""
from __future__ import annotations

import string

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.models import PasswordHistory, User
from registry.accounts.passwords import verify_password
from registry.extensions import db

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_CLASSES = 3
DEFAULT_HISTORY = 5


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    return sum(
        (
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
    )


def shape_problems(password: str, username: str | None = None) -> list[str]:
    """Translated reasons why a password is refused, without looking at the database."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least 10 characters."))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most 200 characters."))
    if character_classes(password) < MIN_CLASSES:
        problems.append(_("Use at least three of: lower-case letters, upper-case letters, digits, other characters."))
    if username and password.strip().casefold() == username.strip().casefold():
        problems.append(_("The password must not be the username."))
    return problems


def history_size() -> int:
    return int(current_app.config.get("PASSWORD_HISTORY", DEFAULT_HISTORY)) if has_app_context() else DEFAULT_HISTORY


def was_used_recently(user: User, password: str) -> bool:
    """True when the password is the current one or one of the last `PASSWORD_HISTORY - 1` before it."""
    if user.id is None:
        return False
    if verify_password(user.password_hash, password):
        return True
    previous = db.session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.id.desc())
        .limit(max(history_size() - 1, 0))
    )
    return any(verify_password(h, password) for h in previous)


def remember_current(user: User) -> None:
    """Keep the hash being replaced, then trim the history to the configured size."""
    if user.id is None or not user.password_hash:
        return
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    db.session.flush()
    keep = max(history_size() - 1, 0)
    old_ids = list(
        db.session.scalars(
            select(PasswordHistory.id)
            .where(PasswordHistory.user_id == user.id)
            .order_by(PasswordHistory.id.desc())
            .offset(keep)
        )
    )
    for old_id in old_ids:
        db.session.delete(db.session.get(PasswordHistory, old_id))
