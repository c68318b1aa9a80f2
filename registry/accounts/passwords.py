"""Password and token hashing: argon2 for passwords, SHA-256 for high-entropy API tokens."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

TOKEN_PREFIX = "lt_"  # noqa: S105  # nosec B105  # a public prefix, not a secret
_hashers: dict[tuple, PasswordHasher] = {}


def _params() -> dict:
    return current_app.config.get("ARGON2_PARAMS", {}) if has_app_context() else {}


def hasher_key() -> str:
    """Names the argon2 setting in force (a cache key for work done once per setting)."""
    return repr(tuple(sorted(_params().items())))


def _hasher() -> PasswordHasher:
    """argon2 with the library's defaults; tests configure cheaper parameters (ARGON2_PARAMS)."""
    params = _params()
    key = tuple(sorted(params.items()))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(**params)
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def new_token() -> str:
    """A 256-bit secret; a fast hash suffices because it cannot be guessed like a password."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
