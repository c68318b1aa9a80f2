"""Issue 13, Low 3 — the newest audit entries are anchored outside the table (等保 2.0 安全审计 c:
audit records protected from deletion and change; ASVS 7.3.3).

Attack as found: deleting the last 50 rows, or rewriting the last 10 with recomputed hashes, left a
chain that `flask audit verify` called intact — the chain proves only that each entry follows the
one before it, not where it ends. Now signed checkpoints (HMAC-SHA256 of the chain head: entry id,
its hash, the number of entries, the time) are taken by `flask audit checkpoint`, automatically every
AUDIT_CHECKPOINT_EVERY entries and on every `flask backup`; they are kept in the append-only
`audit_checkpoint` table and exported (`flask audit checkpoint --export FILE`, the audit
administrator's `/audit/checkpoints.jsonl`), and `flask audit verify [--checkpoints FILE]` names a
checkpoint whose entry was removed or rewritten, or whose signature does not hold.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from registry.core import audit
from registry.core.models import AuditCheckpoint, AuditEntry
from registry.extensions import db


def _entries(n: int) -> None:
    for i in range(n):
        audit.record(None, "test.entry", None, summary=f"entry {i}")
        db.session.commit()


def _cli(db_app, *args):
    return db_app.test_cli_runner().invoke(args=["audit", *args])


def _lift_triggers(conn) -> list:
    """The attacker has the database owner's rights: lift the append-only triggers (both tables)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        conn.exec_driver_sql("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")
        return []
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_entry', 'audit_checkpoint')").all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return triggers


def _put_back(conn, triggers) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE TRIGGER USER")
        conn.exec_driver_sql("ALTER TABLE audit_checkpoint ENABLE TRIGGER USER")
        return
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def _checkpoint_file(db_app, tmp_path):
    _entries(80)
    taken = _cli(db_app, "checkpoint", "--export", str(tmp_path / "checkpoints.jsonl"))
    assert taken.exit_code == 0, taken.output
    lines = (tmp_path / "checkpoints.jsonl").read_text(encoding="utf-8").splitlines()
    newest = json.loads(lines[-1])
    tail = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (newest["entry_id"], newest["entry_hash"]) == (tail.id, tail.entry_hash)
    return tmp_path / "checkpoints.jsonl"


@pytest.mark.parametrize("also_delete_checkpoints", [False, True])
def test_removing_the_newest_entries_is_detected_by_the_checkpoints(db_app, tmp_path, also_delete_checkpoints):
    exported = _checkpoint_file(db_app, tmp_path)
    db.session.remove()
    with db.engine.begin() as conn:
        triggers = _lift_triggers(conn)
        last = conn.exec_driver_sql("SELECT max(id) FROM audit_entry").scalar()
        conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE id > {last - 50}")
        if also_delete_checkpoints:
            conn.exec_driver_sql("DELETE FROM audit_checkpoint")
        _put_back(conn, triggers)
    checked, broken = audit.verify_chain()
    assert broken is None and checked == 30  # the chain alone still looks whole: the finding
    plain = _cli(db_app, "verify")
    if also_delete_checkpoints:
        assert plain.exit_code == 0  # only the copy kept outside the database knows
    else:
        assert plain.exit_code == 1 and "removed" in plain.output, plain.output
    anchored = _cli(db_app, "verify", "--checkpoints", str(exported))
    assert anchored.exit_code == 1, anchored.output
    assert f"entry {last}" in anchored.output and "removed" in anchored.output


def test_rewriting_the_newest_entries_with_recomputed_hashes_is_detected(db_app, tmp_path):
    exported = _checkpoint_file(db_app, tmp_path)
    rows = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    db.session.remove()
    with db.engine.begin() as conn:
        triggers = _lift_triggers(conn)
        prev = rows[-11].entry_hash
        for row in rows[-10:]:  # a careful forger: every hash recomputed, the chain links up
            fields = {name: getattr(row, name) for name in audit.HASHED_FIELDS}
            fields["summary"] = "nothing happened"
            new_hash = audit.hash_fields(fields, prev)
            conn.exec_driver_sql(
                "UPDATE audit_entry SET summary = 'nothing happened', prev_hash = NULL WHERE id = ?"
                if conn.dialect.name == "sqlite" else
                "UPDATE audit_entry SET summary = 'nothing happened', prev_hash = NULL WHERE id = %s", (row.id,))
            conn.exec_driver_sql(
                "UPDATE audit_entry SET prev_hash = ?, entry_hash = ? WHERE id = ?" if conn.dialect.name == "sqlite" else
                "UPDATE audit_entry SET prev_hash = %s, entry_hash = %s WHERE id = %s", (prev, new_hash, row.id))
            prev = new_hash
        conn.exec_driver_sql("DELETE FROM audit_checkpoint")
        _put_back(conn, triggers)
    assert audit.verify_chain()[1] is None  # intact by the chain alone: the finding
    anchored = _cli(db_app, "verify", "--checkpoints", str(exported))
    assert anchored.exit_code == 1, anchored.output
    assert f"entry {rows[-1].id}" in anchored.output and "rewritten" in anchored.output


def test_a_forged_checkpoint_file_does_not_verify(db_app, tmp_path):
    """Whoever rewrote the entries cannot sign a matching checkpoint without the key."""
    exported = _checkpoint_file(db_app, tmp_path)
    lines = exported.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1])
    forged["entry_hash"] = "f" * 64
    exported.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n", encoding="utf-8")
    result = _cli(db_app, "verify", "--checkpoints", str(exported))
    assert result.exit_code == 1 and "signature" in result.output, result.output


def test_checkpoints_are_taken_every_n_entries_and_on_backup_and_verify(db_app, tmp_path):
    db_app.config["AUDIT_CHECKPOINT_EVERY"] = 10
    try:
        _entries(35)
    finally:
        db_app.config.pop("AUDIT_CHECKPOINT_EVERY", None)
    automatic = list(db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
    assert len(automatic) == 3 and [c.entries for c in automatic] == [10, 20, 30]
    result = _cli(db_app, "verify")
    assert result.exit_code == 0 and "3 checkpoints" in result.output, result.output
    backed = db_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert backed.exit_code == 0, backed.output
    kept = (tmp_path / "backup" / "audit-checkpoints.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(kept) == 4 and json.loads(kept[-1])["entries"] == 35
    assert "audit-checkpoints.jsonl" in json.loads((tmp_path / "backup" / "manifest.json").read_text())["files"]
    checkpoints = db.session.scalars(select(AuditCheckpoint)).all()
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM audit_checkpoint WHERE id = {checkpoints[0].id}")


def test_the_audit_administrator_exports_the_checkpoints_and_sees_a_truncation_on_the_verify_page(
        db_app, client, make_user, tmp_path):
    from tests.builders import csrf_from, login

    auditor = make_user("audit_admin")
    _entries(20)
    assert _cli(db_app, "checkpoint").exit_code == 0
    login(client, auditor.username)
    resp = client.get("/audit/checkpoints.jsonl")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    exported = tmp_path / "from-the-browser.jsonl"
    exported.write_bytes(resp.data)
    assert _cli(db_app, "verify", "--checkpoints", str(exported)).exit_code == 0
    page = client.get("/audit/verify?lang=en").get_data(as_text=True)
    assert "1 checkpoints sign the head" in page and "do not match" not in page
    db.session.remove()
    with db.engine.begin() as conn:
        triggers = _lift_triggers(conn)
        last = conn.exec_driver_sql("SELECT max(id) FROM audit_entry").scalar()
        conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE id > {last - 5}")
        _put_back(conn, triggers)
    page = client.get("/audit/verify?lang=en").get_data(as_text=True)
    signed = json.loads(resp.data.decode().splitlines()[-1])["entry_id"]
    assert "do not match the log" in page and f"entry {signed} is missing" in page
    assert _cli(db_app, "verify", "--checkpoints", str(exported)).exit_code == 1
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, make_user("county", "131002").username)
    assert client.get("/audit/checkpoints.jsonl").status_code == 403
