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
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

SESSION_KEY = "_auth_at"

# What the password unlocks, by the blueprint of the page the user returns to (the `next` of /reauth).
# Looked up, never taken from the query string, so the page cannot be made to say anything else.
PENDING_ACTIONS = {
    "accounts": _l("This action changes user accounts, passwords or API tokens."),
    "grades": _l("This action records a decision on a performance grade."),
    "schedules": _l("This action publishes a staggered-production schedule or decides an application."),
    "emergency": _l("This action files an emergency emission-reduction list or changes what it proposes."),
}
GENERIC_ACTION = _l("This is a sensitive action.")


def pending_action(next_url: str | None):
    """A translated description of the action waiting behind /reauth, from where the user goes back to."""
    path = urlsplit(next_url or "").path
    if path.startswith("/") and not path.startswith("//"):
        adapter = current_app.url_map.bind("localhost")
        for method in ("GET", "POST"):
            try:
                endpoint, _args = adapter.match(path, method=method)
            except (HTTPException, RequestRedirect):
                continue
            return PENDING_ACTIONS.get(endpoint.partition(".")[0], GENERIC_ACTION)
    return GENERIC_ACTION


def mark_authenticated() -> None:
    session[SESSION_KEY] = int(time.time())


def _max_age_seconds(max_age: timedelta | None) -> float:
    if max_age is None:
        max_age = current_app.config.get("REAUTH_MAX_AGE", timedelta(minutes=10))
    return max_age.total_seconds()


def reauth_minutes() -> int:
    return int(_max_age_seconds(None) // 60)


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
