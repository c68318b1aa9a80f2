"""Concurrent audit writers on PostgreSQL never fork the hash chain (the advisory lock serialises them).

Several threads, each in its own session and transaction, write audit entries at the same time;
a barrier makes them read the tail together. Afterwards the chain verifies and every entry is there.
"""
from __future__ import annotations

import os
import threading

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers itself",
)

WRITERS = 6
PER_WRITER = 5


def test_concurrent_audit_writers_keep_one_chain(db_app):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from registry.core import audit
    from registry.core.models import AuditEntry
    from registry.extensions import db

    engine = db.engine
    barrier = threading.Barrier(WRITERS, timeout=20)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with db_app.app_context(), Session(engine) as session:
                barrier.wait()
                for i in range(PER_WRITER):
                    session.add(AuditEntry(at=audit.utcnow(), action="test.concurrent", object_type="writer",
                                           object_id=n, root_type="", summary=f"{n}-{i}"))
                    session.flush()
                session.commit()
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    db.session.expire_all()
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert total == WRITERS * PER_WRITER
    checked, broken = audit.verify_chain()
    assert broken is None and checked == total
