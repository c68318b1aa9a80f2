"""Reliability fixtures: many clients hitting the live server (tests/conftest.py `live_server`) at once.

The server is werkzeug's threaded `make_server` on 127.0.0.1 (one thread per request, as gunicorn's
threads would be), serving the session's app; each simulated person is a separate `requests.Session`
with its own API token, so every attempt has its own connection, request context and database session.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest

from tests.conftest import live_server  # noqa: F401  (moved to tests/conftest.py; importable from here as before)

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture()
def api_session(db_app):
    """A fresh HTTP client (own connection pool) carrying a new API token of `user`, asking for Chinese."""
    import requests

    from registry.accounts.operations import create_token
    from registry.extensions import db

    sessions = []

    def _make(user, lang: str = "zh"):
        _token, secret = create_token(user, {"name": "reliability"})
        db.session.commit()
        s = requests.Session()
        s.headers.update({"Authorization": f"Bearer {secret}", "Accept-Language": lang})
        sessions.append(s)
        return s

    yield _make
    for s in sessions:
        s.close()


def at_once(attempts: list[Callable[[], object]], timeout: float = 120) -> list[object]:
    """Run every attempt in its own thread, released together; results in order (an exception is a result)."""
    start = threading.Event()
    results: list[object] = [None] * len(attempts)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = attempts[i]()
        except BaseException as err:  # reported by the caller
            results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "some attempts never finished"
    return results


def is_translated(message: str) -> bool:
    return bool(CJK.search(message or ""))
