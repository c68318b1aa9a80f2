"""Issue 13 Medium 1 — lockout bypass by concurrency (ASVS 2.2.1, 等保 2.0 身份鉴别 登录失败处理).

The attack: sixteen wrong passwords sent at the same instant left `failed_logins` at 2, and on
PostgreSQL the lock engaged somewhere between 33 and 48 guesses instead of 5, because the count
was read, incremented and written back in Python. Now one `UPDATE … RETURNING` counts in the
database and the lock is decided from the value it returns.

Real HTTP: a threaded werkzeug server (tests/integration/reliability's pattern), sixteen
`requests` sessions, each with its own connection and CSRF token, released together. Runs on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""
from __future__ import annotations

import requests
from sqlalchemy import func, select

from tests.builders import PASSWORD, csrf_from
from tests.integration.reliability.conftest import at_once

ATTEMPTS = 16
WRONG = "Wrong-password-1"


def _browser(base: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    return s, csrf_from(s.get(f"{base}/login", timeout=30).text)


def _audits(action: str, user_id: int) -> int:
    from registry.core.models import AuditEntry
    from registry.extensions import db

    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_id == user_id))


def _post_login(base, browser, username, password):
    session, token = browser
    return session.post(f"{base}/login", data={"username": username, "password": password, "csrf_token": token},
                        allow_redirects=False, timeout=120)


def test_sixteen_parallel_wrong_passwords_are_all_counted_and_the_lock_engages_at_the_fifth(
        db_app, live_server, make_user):
    """M1: every guess counts (failed_logins == 16), exactly four are answered 'wrong password' (422)
    and the other twelve 'locked' (423); the lock is audited once; the right password is refused after."""
    from registry.accounts import lockout
    from registry.accounts.models import User
    from registry.extensions import db

    user = make_user("enterprise")
    name = user.username  # read here: the threads have no application context
    browsers = [_browser(live_server) for _ in range(ATTEMPTS)]

    results = at_once([lambda b=b: _post_login(live_server, b, name, WRONG) for b in browsers])

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    codes = sorted(r.status_code for r in results)
    assert codes == [422] * 4 + [423] * (ATTEMPTS - 4), codes
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh.failed_logins == ATTEMPTS
    assert lockout.is_locked(fresh)
    assert _audits("user.lock", user.id) == 1
    assert _audits("user.login_failed", user.id) + _audits("user.login_locked", user.id) == ATTEMPTS
    assert _post_login(live_server, _browser(live_server), name, PASSWORD).status_code == 423
    for s, _token in browsers:
        s.close()


def test_parallel_wrong_passwords_on_a_signed_in_account_end_its_sessions(db_app, live_server, make_user):
    """M1 + M2: the lock that the parallel guesses set also ends the owner's open session (等保 结束会话)."""
    user = make_user("enterprise")
    owner = _browser(live_server)
    assert _post_login(live_server, owner, user.username, PASSWORD).status_code == 302
    assert owner[0].get(f"{live_server}/api/v1/me", timeout=30).status_code == 200
    name = user.username
    browsers = [_browser(live_server) for _ in range(8)]

    results = at_once([lambda b=b: _post_login(live_server, b, name, WRONG) for b in browsers])

    assert sorted(r.status_code for r in results) == [422] * 4 + [423] * 4
    assert owner[0].get(f"{live_server}/api/v1/me", timeout=30).status_code == 401
