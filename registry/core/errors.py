"""Errors that operations raise and every door (page, API, CLI) turns into a user's message.

Operations never return half-done work: they raise one of these, the request rolls back, and
the caller shows `message` plus `errors` (field → messages) in the user's language.
"""
from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: Mapping[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.errors: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in (errors or {}).items()}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "errors": self.errors}


class ValidationFailed(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    """Also used for objects outside the user's scope, so existence does not leak."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """A stale edit (optimistic locking) or a state transition that is no longer allowed."""

    status = 409
    code = "conflict"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Unavailable(DomainError):
    """The database or the disk failed for a moment: nothing was saved, and trying again may work."""

    status = 503
    code = "unavailable"


class TooLarge(DomainError):
    """A request or upload beyond a documented limit (its size, or how many items it lists)."""

    status = 413
    code = "too_large"


class TooBusy(DomainError):
    """Too many requests of this kind at once (concurrent imports) or too much kept (upload quota)."""

    status = 429
    code = "too_many_requests"
