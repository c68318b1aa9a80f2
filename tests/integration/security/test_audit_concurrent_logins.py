"""Issue 13, Low 2 — concurrent audit-only writes lose no entry (等保 安全审计; ASVS 7.1.3, 11.1.6).

Attack as found: 16 failed logins with unknown usernames at the same instant on SQLite; 3 answered
409 and were never audited, because the chain tail was read before the write lock was taken (pysqlite
starts its transaction only at the INSERT), so a concurrent writer's entry made the tail stale and the
UNIQUE prev_hash refused the insert. Now every audited write takes the write lock first (BEGIN
IMMEDIATE on SQLite; the advisory lock on PostgreSQL). Over real HTTP, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import requests
from sqlalchemy import select

from registry.core import audit
from registry.core.models import AuditEntry
from registry.extensions import db
from tests.builders import csrf_from
from tests.integration.reliability.conftest import at_once

ATTEMPTS = 20


def test_concurrent_failed_logins_of_unknown_users_are_all_audited(live_server):
    sessions = []
    for i in range(ATTEMPTS):
        s = requests.Session()
        token = csrf_from(s.get(f"{live_server}/login", timeout=30).text)
        sessions.append((s, token, f"ghost-{i:02d}"))

    def attempt(s, token, name):
        return lambda: s.post(f"{live_server}/login", timeout=120,
                              data={"username": name, "password": "Wrong-password-1", "csrf_token": token})

    results = at_once([attempt(*x) for x in sessions])
    statuses = [getattr(r, "status_code", r) for r in results]
    for s, _t, _n in sessions:
        s.close()
    assert statuses == [422] * ATTEMPTS, statuses  # "wrong username or password", never 409/500
    db.session.expire_all()
    audited = db.session.scalars(select(AuditEntry.summary).where(AuditEntry.action == "user.login_unknown")).all()
    assert sorted(audited) == sorted(name for _s, _t, name in sessions)
    checked, broken = audit.verify_chain()
    assert broken is None, broken
