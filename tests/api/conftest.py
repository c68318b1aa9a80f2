"""API test fixtures: a client that starts every request fresh, and Bearer tokens.

Why a fresh client: tests/conftest.py's `db_app` keeps one test request context pushed, so the
client's requests share its app context and therefore `g` — where Flask-Login caches the user
and Flask-Babel the locale. Without clearing `g`, the second request of a test would reuse the
first one's user and language (a revoked token would seem to work). Production requests each
get their own context, so this is a test-only concern.
"""
from __future__ import annotations

import pytest
from flask import g
from flask.testing import FlaskClient


class FreshRequestClient(FlaskClient):
    def open(self, *args, **kwargs):
        for key in list(vars(g)):
            delattr(g, key)
        return super().open(*args, **kwargs)


@pytest.fixture()
def api_client(db_app):
    db_app.test_client_class = FreshRequestClient
    try:
        yield db_app.test_client()
    finally:
        db_app.test_client_class = None


@pytest.fixture()
def token_for(db_app):
    """A Bearer Authorization header for `user`, created through accounts.operations.create_token."""
    from registry.accounts.operations import create_token
    from registry.extensions import db

    def _make(user, name: str = "tests", **extra) -> dict[str, str]:
        _token, secret = create_token(user, {"name": name, **extra})
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return _make
