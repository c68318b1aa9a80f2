"""Re-authentication for sensitive actions (ASVS V3.7.1): the password again when the last check is old.

`login` and the re-auth page stamp the session with the time the password was last
verified; `require_recent_login` sends anyone whose stamp is older than `max_age` (default
REAUTH_MAX_AGE, 10 minutes) to /reauth and back. A POST is not replayed: the user comes
back to the page (GET) and submits again, so nothing happens without a fresh password.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import current_app, redirect, request, session, url_for

SESSION_KEY = "_auth_at"


def mark_authenticated() -> None:
    session[SESSION_KEY] = int(time.time())


def _max_age_seconds(max_age: timedelta | None) -> float:
    if max_age is None:
        max_age = current_app.config.get("REAUTH_MAX_AGE", timedelta(minutes=10))
    return max_age.total_seconds()


def is_recent(max_age: timedelta | None = None) -> bool:
    stamp = session.get(SESSION_KEY)
    if not isinstance(stamp, (int, float)):
        return False
    return 0 <= time.time() - stamp <= _max_age_seconds(max_age)


def require_recent_login(view: Callable[..., Any] | None = None, *, max_age: timedelta | None = None):
    """Decorator: the password must have been checked within `max_age`; use after @login_required."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapper(*args, **kwargs):
            if not is_recent(max_age):
                back = request.full_path.rstrip("?") if request.method == "GET" else request.path
                return redirect(url_for("accounts.reauth", next=back))
            return func(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
