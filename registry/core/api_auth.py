"""Who is calling the JSON API, and the CSRF rule for browser sessions that write through it.

Two doors lead in: a Bearer token (scripts, other systems) or the session cookie (the app's own
pages calling the API from the browser). A Bearer header always wins over a cookie, so a
script never acts as whoever happens to be logged in in the same client. A cookie is sent by
the browser on its own, so a session-authenticated unsafe request must prove it came from our
pages with the CSRF token (header X-CSRFToken, from the `csrf-token` meta tag of base.html);
without it the answer is 400 `csrf_failed` (flask-wtf's own status for a CSRF failure).
A Bearer request cannot be forged cross-site (a browser never adds that header by itself),
so it needs no CSRF token.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from registry.core.errors import DomainError, Unauthenticated
from registry.extensions import csrf, login_manager

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfFailed(DomainError):
    status = 400
    code = "csrf_failed"


def bearer_token_sent() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def authenticate_api_request() -> None:
    """before_request of every API blueprint: settle the user, then guard session writes."""
    if bearer_token_sent():
        # An unknown, revoked or expired token is anonymous even if a session cookie came along. The token
        # loader is the one the app factory gave Flask-Login (accounts/auth_loader.py): core does not import it.
        login_manager._update_request_context_with_user(login_manager.request_callback(request))
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method in UNSAFE_METHODS and current_user.is_authenticated:
        try:
            csrf.protect()
        except CSRFError as err:
            raise CsrfFailed(
                _("The security token (CSRF) is missing or invalid. Reload the page and try again."),
                {"X-CSRFToken": [str(_("Send the page's CSRF token in the X-CSRFToken header."))]},
            ) from err


def guard(blp) -> None:
    """Apply the API authentication rules to every route of `blp`."""
    blp.before_request(authenticate_api_request)


def login_required(func: Callable) -> Callable:
    """Like flask_login.login_required, but answers 401 with the JSON error envelope."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise Unauthenticated(_("Please log in."))
        return func(*args, **kwargs)

    return wrapper


def actor():
    """The authenticated user object (not the LocalProxy), for passing to operations."""
    return current_user._get_current_object()
