"""API test fixtures: the fresh-request client and Bearer tokens."""
from __future__ import annotations

import pytest


@pytest.fixture()
def api_client(client):
    """The shared fresh-request client (tests/conftest.py); kept as a name the API tests read well with."""
    return client


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
