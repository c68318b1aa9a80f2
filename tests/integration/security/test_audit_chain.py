"""Security audit (等保 2.0 安全审计 c/d, ASVS V7.3.3): the audit log is append-only and tamper-evident."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.accounts import operations as ops
from registry.core import audit
from registry.core.models import AuditEntry
from registry.extensions import db


def _some_entries(make_user, n: int = 3) -> list[AuditEntry]:
    for _ in range(n):
        make_user("enterprise")
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _cli(db_app, *args):
    return db_app.test_cli_runner().invoke(args=["audit", *args])


def test_entries_form_a_hash_chain_from_genesis(db_app, make_user):
    rows = _some_entries(make_user)
    assert rows[0].prev_hash == audit.GENESIS
    for prev, row in zip(rows, rows[1:]):
        assert row.prev_hash == prev.entry_hash
    assert all(r.entry_hash == audit.entry_hash(r) for r in rows)
    checked, broken = audit.verify_chain()
    assert (checked, broken) == (len(rows), None)
    result = _cli(db_app, "verify")
    assert result.exit_code == 0 and f"{len(rows)} entries" in result.output


def test_several_entries_in_one_transaction_chain_in_order(db_app, make_user):
    user = make_user("enterprise")
    ops.authenticate(user.username, "Wrong-password-1")
    ops.authenticate("nobody", "Wrong-password-1")
    ops.authenticate(user.username, "Correct-horse-battery-1")
    db.session.commit()
    assert audit.verify_chain()[1] is None


def test_orm_update_and_delete_of_an_audit_entry_are_refused(db_app, make_user):
    row = _some_entries(make_user, 1)[0]
    row.summary = "rewritten"
    with pytest.raises(audit.AuditImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, row.id))
    with pytest.raises(audit.AuditImmutable):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_a_raw_update(db_app, make_user):
    row = _some_entries(make_user, 1)[0]
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE audit_entry SET summary = 'x' WHERE id = {row.id}")


def test_the_database_refuses_a_raw_delete(db_app, make_user):
    """Nobody erases the audit log: a DELETE straight to the database is refused on both databases."""
    row = _some_entries(make_user, 1)[0]
    db.session.remove()
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE id = {row.id}")
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM audit_entry")
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == 1


def _drop_trigger(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER audit_entry_append_only ON audit_entry")
    else:
        conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")


def _restore_trigger(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""")
    else:
        conn.exec_driver_sql("""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
            BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""")
        conn.exec_driver_sql("""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
            BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""")


@pytest.mark.parametrize("tamper", ["change", "delete"])
def test_verify_names_the_first_tampered_entry_and_exits_non_zero(db_app, make_user, tamper):
    rows = _some_entries(make_user, 4)
    victim = rows[2]
    db.session.remove()
    with db.engine.begin() as conn:  # one transaction: the trigger is back however it ends
        _drop_trigger(conn)
        if tamper == "change":
            conn.exec_driver_sql(f"UPDATE audit_entry SET action = 'user.nothing' WHERE id = {victim.id}")
        else:
            conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE id = {victim.id}")
        _restore_trigger(conn)
    checked, broken = audit.verify_chain()
    expected_id = victim.id if tamper == "change" else rows[3].id
    assert broken is not None and broken.entry_id == expected_id and checked == 2
    assert ("contents" if tamper == "change" else "prev_hash") in broken.problem
    result = _cli(db_app, "verify")
    assert result.exit_code == 1
    assert f"entry id {expected_id}" in result.output


def test_export_archives_entries_without_deleting_any(db_app, make_user, tmp_path):
    rows = _some_entries(make_user, 2)
    out = tmp_path / "audit.jsonl"
    result = _cli(db_app, "export", str(out))
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(rows)
    # nothing deleted; the export itself is one more entry (audit.archive)
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == len(rows) + 1
    assert "prune" not in db_app.cli.commands["audit"].commands


def test_core_bulk_inserts_are_chained_too(db_app, make_user):
    """Exchange imports write audit rows with Core executemany; the chain covers them as well."""
    from sqlalchemy import insert

    from registry.core.timeutil import utcnow

    make_user("enterprise")
    now = utcnow()
    rows = [{"at": now, "user_id": None, "action": "enterprise.import", "object_type": "enterprise", "object_id": i,
             "root_type": "enterprise", "root_id": i, "region_code": None, "summary": "f.xlsx",
             "before": None, "after": {"n": i}, "request_id": None} for i in range(3)]
    db.session.execute(insert(AuditEntry.__table__), rows)
    make_user("enterprise")
    db.session.commit()
    checked, broken = audit.verify_chain()
    assert broken is None and checked == 5
