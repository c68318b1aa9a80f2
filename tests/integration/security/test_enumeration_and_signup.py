"""Issue 13 Low 4 — username enumeration, and Medium 10's sign-up part — no sign-up rate limit
(ASVS 2.2.1, 2.2.2, 3.2 / 11.1.4; 等保 2.0 身份鉴别, 入侵防范).

The attacks: an unknown username cost two argon2 operations and a known one a single one (a
timing oracle on the login page), the sign-up page said "This username is taken", and sign-up
had no rate limit at all (accounts, and the oracle, for free). Now every login attempt costs
exactly one argon2 verification, sign-up's message does not name the reason, and sign-up is
limited per client address (SIGNUP_RATE_LIMIT) and for everyone together
(SIGNUP_GLOBAL_RATE_LIMIT). The residual oracle (a refused name is still refused) is bounded by
those limits; docs/security.md says why that is accepted.

Work is counted, not timed (two shared cores make timings noisy): the argon2 library's
hash and verify are wrapped with counters; the app is reached over HTTP (the test client).
"""
from __future__ import annotations

from collections import Counter

import pytest
from argon2 import PasswordHasher

from tests.builders import PASSWORD, csrf_from, login


@pytest.fixture()
def argon2_calls(monkeypatch):
    calls: Counter = Counter()
    for name in ("hash", "verify"):
        original = getattr(PasswordHasher, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, name, counted)
    return calls


def _work(client, argon2_calls, username: str, password: str = "Wrong-password-1") -> tuple[int, dict]:
    argon2_calls.clear()
    status = login(client, username, password).status_code
    return status, dict(argon2_calls)


def test_unknown_known_and_locked_accounts_cost_the_same_argon2_work(client, make_user, argon2_calls):
    """L4: one argon2 verification and no hash, whether the name exists, is wrong, or is locked."""
    from registry.accounts import lockout

    user = make_user("enterprise")
    login(client, "warm-up-name", "x")  # the dummy hash is made once per process and argon2 setting
    assert _work(client, argon2_calls, "nobody-at-all") == (422, {"verify": 1})
    assert _work(client, argon2_calls, user.username) == (422, {"verify": 1})
    for _ in range(lockout.max_failures()):
        login(client, user.username, "Wrong-password-1")
    assert _work(client, argon2_calls, user.username) == (423, {"verify": 1})
    assert _work(client, argon2_calls, user.username, PASSWORD) == (423, {"verify": 1})


def test_the_login_message_is_the_same_for_an_unknown_and_a_known_name(client, make_user):
    user = make_user("enterprise")
    client.get("/lang/en")
    a = login(client, "nobody-at-all", "Wrong-password-1")
    b = login(client, user.username, "Wrong-password-1")
    assert a.status_code == b.status_code == 422
    for r in (a, b):
        assert "Wrong username or password, or the account is disabled." in r.get_data(as_text=True)


def _signup(client, username: str, addr: str = "127.0.0.1", **over):
    """A new visitor (empty session) signs up from `addr`."""
    with client.session_transaction() as sess:
        sess.clear()
    token = csrf_from(client.get("/signup", environ_base={"REMOTE_ADDR": addr}).get_data(as_text=True))
    data = {"username": username, "password": PASSWORD, "full_name": "", "email": "", "csrf_token": token, **over}
    return client.post("/signup?lang=en", data=data, environ_base={"REMOTE_ADDR": addr})


def test_sign_up_does_not_say_that_a_name_is_taken(client, make_user):
    user = make_user("enterprise")
    r = _signup(client, user.username)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "taken" not in html and "This username cannot be used. Choose another one." in html


@pytest.fixture()
def signup_limits(client, monkeypatch):
    from registry.extensions import limiter

    def _set(per_address: str, everyone: str) -> None:
        monkeypatch.setitem(client.application.config, "SIGNUP_RATE_LIMIT", per_address)
        monkeypatch.setitem(client.application.config, "SIGNUP_GLOBAL_RATE_LIMIT", everyone)
        limiter.reset()

    yield _set
    limiter.reset()


def test_sign_up_is_limited_per_address(client, signup_limits):
    """M10: the fourth sign-up attempt from one address in a minute is 429 (failed attempts count too)."""
    signup_limits("3 per minute", "100 per minute")
    assert _signup(client, "first-factory").status_code == 302
    assert _signup(client, "x").status_code == 422  # invalid name: counted all the same
    assert _signup(client, "second-factory").status_code == 302
    r = _signup(client, "third-factory")
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)
    assert _signup(client, "other-address-factory", addr="10.1.2.3").status_code == 302


def test_sign_up_is_limited_for_everyone_together(client, signup_limits):
    """M10: a script spreading sign-ups over many addresses meets the global cap."""
    from registry.accounts.models import User
    from registry.extensions import db

    signup_limits("100 per minute", "4 per minute")
    codes = []
    for i in range(6):
        codes.append(_signup(client, f"bot-{i}-factory", addr=f"10.9.0.{i + 1}").status_code)
    assert codes == [302] * 4 + [429] * 2, codes
    assert db.session.query(User).filter(User.username.like("bot-%")).count() == 4


def test_the_security_settings_page_shows_the_new_limits(client, make_user):
    """The security administrator sees the sign-up limits and the longest token lifetime (M10, M3)."""
    login(client, make_user("security_admin").username)
    html = client.get("/security/?lang=en").get_data(as_text=True)
    for text in ("Sign-up rate limit per address", "Sign-up rate limit for everyone together",
                 "Longest API token lifetime (days)"):
        assert text in html
