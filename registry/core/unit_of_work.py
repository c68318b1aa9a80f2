"""One transaction boundary (issue 15 item 2): the only module that commits the database session.

A page or API request commits once, at its end, in an `after_request` hook (`register`): when the answer is
not an error (status < 400) the session is committed BEFORE the response leaves the application, so a failed
commit still becomes an error answer (409 for a lost race, 503 for a lost database) instead of a success the
database never kept; an error answer (a raised error turned into 4xx/5xx by the error handlers, or a view's
own 4xx) rolls everything back. The hook runs before the other `after_request` hooks (it is registered last),
so a replacement answer gets the usual headers. Streaming bodies are generated after the commit: they must
only read. Why a hook rather than a decorator on each state-changing view: a view that forgets the decorator
would silently lose its writes (or, with autoflush, keep half of them in a later request); the hook covers
every door — pages, API, downloads that audit themselves — with no per-view opt-in.

Two documented exceptions to "an error answer writes nothing":
- `keep_on_refusal()`: the refusal IS the record — a failed sign-in counts toward the lockout and is
  audited (accounts/views.login, reauth); the request's writes are committed with its 4xx answer.
- `after_refusal(fn)`: a small write that must survive the rollback of a refused request (an API token's
  `last_used_at`, set by the request loader): run in a fresh transaction after the rollback.

A CLI command commits once at its end through `command` (a decorator under `@click.command`), and background
work (the schedule generation worker) and the rare mid-request step that another session must see first (the
generation's claim, before its worker thread starts) use `transaction()` / `commit()` explicitly.

Stale data (optimistic locking: StaleDataError) and a lost uniqueness race (IntegrityError) become one
Conflict (409) here, whether they surface during the view's flush (`register`'s error handler) or at the
commit. A blueprint may word the conflict for its users with `conflict_message` (grades: "another official
decided this at the same moment").
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from registry.core.errors import Conflict, DomainError
from registry.extensions import db

log = logging.getLogger("registry")
F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
LOST_RACE = (StaleDataError, IntegrityError)
_KEEP = "_uow_keep_on_refusal"
_AFTER_REFUSAL = "_uow_after_refusal"
_MESSAGE = "_uow_conflict_message"


def conflict(err: Exception) -> Conflict:
    """The one mapping of a lost race to a 409: someone else saved the same record first."""
    db.session.rollback()
    log.info("concurrent write refused (%s), request %s", type(err).__name__,
             g.get("request_id") if has_request_context() else "-")
    message = g.get(_MESSAGE) if has_app_context() else None
    return Conflict(message or _("The record was changed by someone else. Reload and try again."))


def commit() -> None:
    """Commit the session now; a lost race is rolled back and raised as Conflict. Doors do not call this:
    the request hook, `command` and `transaction` do (and the generation claim, see the module's doc)."""
    try:
        db.session.commit()
    except LOST_RACE as err:
        raise conflict(err) from None


def flush() -> None:
    """Send the door's writes now (ids, version counters and server values are then known to the answer);
    a lost race surfaces here as Conflict. Committing stays with the unit of work."""
    try:
        db.session.flush()
    except LOST_RACE as err:
        raise conflict(err) from None


def run(operation: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run one operation and flush its writes (see `flush`); what grades/unit.commit and emergency's
    `_commit` helpers did, without their commit."""
    result = operation(*args, **kwargs)
    flush()
    return result


@contextmanager
def transaction() -> Iterator[None]:
    """One unit of work: commit at the end, roll back (and re-raise) on any error."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    commit()


def command(fn: F) -> F:
    """A CLI command's unit of work: one commit when it returns, nothing written when it fails or exits."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with transaction():
                return fn(*args, **kwargs)
        except DomainError as err:  # a lost race at the commit (the command's own errors are its to word)
            raise click.ClickException(f"{err.message} {err.errors or ''}".strip()) from None

    return wrapper  # type: ignore[return-value]


def keep_on_refusal() -> None:
    """Commit this request's writes even though it answers with an error (a failed sign-in's count and audit)."""
    setattr(g, _KEEP, True)


def after_refusal(fn: Callable[[], None]) -> None:
    """Run `fn` in a transaction of its own if the request is refused (its own writes are rolled back)."""
    g.setdefault(_AFTER_REFUSAL, []).append(fn)


def conflict_message(message: str) -> None:
    """This request's wording of a lost race (a blueprint's before_request may set it)."""
    setattr(g, _MESSAGE, message)


def _refused(response) -> Any:
    db.session.rollback()
    for fn in g.get(_AFTER_REFUSAL, ()):
        try:
            with transaction():
                fn()
        except Exception:  # the refusal stands; a bookkeeping write is not worth a 500
            log.warning("a write after a refused request failed, request %s", g.get("request_id"), exc_info=True)
    return response


def register(app: Flask) -> None:
    """Install the request's commit hook and the lost-race error handler. Call after the other after_request
    hooks are registered, so this one runs first (Flask runs them in reverse order)."""

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def _lost_race(err: Exception):
        """Operations check versions and uniqueness first; this fires when a concurrent transaction
        committed between that check and our flush."""
        return current_app.handle_user_exception(conflict(err))

    @app.after_request
    def _commit_request(response):
        if response.status_code >= 400 and not g.get(_KEEP):
            return _refused(response)
        try:
            commit()
        except Exception as err:  # Conflict → 409, a lost database → 503, anything else → 500
            return _refused(current_app.make_response(current_app.handle_user_exception(err)))
        return response
