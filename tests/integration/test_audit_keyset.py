"""Issue 18 item 4: the audit log page reads one page (per_page + 1 entries) newest first and goes on by keyset
("older entries": the ids below the last shown), never counting the whole log on a visit."""
from __future__ import annotations

import re

from sqlalchemy import event, func, select

from registry.core import audit
from registry.core.models import AuditEntry
from registry.extensions import db
from tests.builders import PASSWORD, login


def test_the_audit_log_pages_by_keyset_without_a_count(client, make_user):
    """Three pages of 50/50/rest, newest first, joined without gap or repeat; no COUNT statement is run."""
    auditor = make_user("audit_admin", username="auditor")
    for _ in range(110):
        audit.record(auditor, "user.login", auditor, summary="bench")
    db.session.commit()
    login(client, "auditor", PASSWORD)  # itself audited
    everything = list(db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc())))
    assert len(everything) > 110
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        shown, url, pages = [], "/audit/", 0
        while url:
            html = client.get(url).get_data(as_text=True)
            pages += 1
            ids = [int(x) for x in re.findall(r'data-audit-id="(\d+)"', html)]
            assert 0 < len(ids) <= 50
            shown += ids
            older = re.search(r'href="([^"]*before=\d+[^"]*)" rel="next"', html)
            url = older.group(1).replace("&amp;", "&") if older else None
            if pages > 1:
                assert 'rel="first"' in html
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert shown == everything and pages == -(-len(everything) // 50)
    assert not [s for s in statements if "count(" in s and "audit_entry" in s]
    # a result that fits on one page says how many entries it has; an older bookmark's ?page=2 still answers
    one = client.get("/audit/?action=user.create").get_data(as_text=True)
    creations = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.create"))
    assert f"{creations} entries" in one or f"{creations} 条" in one
    assert client.get("/audit/?page=2").status_code == 200
