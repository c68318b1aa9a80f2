"""Issue 13, Medium 4 and Low 10 — backups taken while the app runs restore, all or nothing
(等保 2.0 数据备份恢复, 数据保密性; ASVS 14.2 / V8.1).

Attacks as found: (Medium 4) the manifest's row counts were taken before the copy, so a backup taken
while people worked did not restore (PostgreSQL `audit_entry 173 vs 175`; SQLite 2 of 5); a failed
restore left the database loaded without the evidence files, and a second attempt was refused.
(Low 10) backups were world-readable (0644) although they hold password hashes; a full disk during
`flask backup` ended in a traceback and a partial file.

Now: the counts come from the copied snapshot itself (SQLite: the copied file, counted after the
copy; PostgreSQL: one REPEATABLE READ read-only transaction exports its snapshot to `pg_dump
--snapshot` and counts in it); restore stages everything and swaps it in only when every check
passed, so a failed restore leaves the target as it was and can be run again; files are 0600 in a
0700 directory; a full disk ends in a message, a non-zero exit and no partial backup.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess  # nosec B404
import threading
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, inspect

from registry.audit.backup import BackupError, restore
from tests.builders import csrf_from
from tests.integration.security.backup_support import build_evidence_world, check_restored, fresh_databases  # noqa: F401

BACKUPS = 4


@pytest.fixture(autouse=True)
def _evidence_setting(db_app):
    yield
    db_app.config.pop("GRADE_EVIDENCE_DIR", None)


def _writer(base: str, stop: threading.Event, done: list[int]) -> None:
    """Someone using the app during the backup: failed sign-ins of unknown names (audited)."""
    with requests.Session() as s:
        token = csrf_from(s.get(f"{base}/login", timeout=30).text)
        while not stop.is_set():
            r = s.post(f"{base}/login", timeout=60,
                       data={"username": f"ghost-{uuid.uuid4().hex[:8]}", "password": "Wrong-password-1", "csrf_token": token})
            done.append(r.status_code)


def test_backups_taken_while_people_write_restore_with_matching_counts_chain_and_evidence(
        db_app, live_server, make_user, make_enterprise, tmp_path, fresh_databases):  # noqa: F811
    world = build_evidence_world(db_app, tmp_path / "evidence", make_user, make_enterprise)
    db_app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
    stop, statuses = threading.Event(), []
    writers = [threading.Thread(target=_writer, args=(live_server, stop, statuses)) for _ in range(3)]
    for w in writers:
        w.start()
    try:
        for i in range(BACKUPS):
            while len(statuses) < 5 * (i + 1):  # writes are under way
                threading.Event().wait(0.02)
            result = db_app.test_cli_runner().invoke(args=["backup", str(tmp_path / f"backup-{i}")])
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        for w in writers:
            w.join(60)
        db_app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses and set(statuses) == {422}, set(statuses)
    for i in range(BACKUPS):
        target, evidence = fresh_databases.new(), tmp_path / f"restored-evidence-{i}"
        restore(tmp_path / f"backup-{i}", target, evidence)  # raises if a row count differs
        check_restored(target, evidence, world)
        manifest = json.loads((tmp_path / f"backup-{i}" / "manifest.json").read_text())
        assert manifest["tables"]["audit_entry"] > 0


def test_a_failed_restore_leaves_the_target_as_it_was_and_can_be_retried(
        db_app, make_user, make_enterprise, tmp_path, fresh_databases):  # noqa: F811
    world = build_evidence_world(db_app, tmp_path / "evidence", make_user, make_enterprise)
    backup_dir = tmp_path / "backup"
    result = db_app.test_cli_runner().invoke(args=["backup", str(backup_dir)])
    assert result.exit_code == 0, result.output
    manifest_path = backup_dir / "manifest.json"
    good = manifest_path.read_text()
    wrong = json.loads(good)
    wrong["tables"]["audit_entry"] += 2  # as the old backups were: counted at another moment
    manifest_path.write_text(json.dumps(wrong))
    target, evidence = fresh_databases.new(), tmp_path / "restored-evidence"
    with pytest.raises(BackupError, match="audit_entry"):
        restore(backup_dir, target, evidence)
    engine = create_engine(target)
    try:
        assert inspect(engine).get_table_names() == []  # nothing loaded
    finally:
        engine.dispose()
    assert not evidence.exists() or not any(p.is_file() for p in evidence.rglob("*"))
    manifest_path.write_text(good)
    restore(backup_dir, target, evidence)  # the second attempt is not refused
    check_restored(target, evidence, world)


def test_backups_are_private_to_their_owner(db_app, make_user, make_enterprise, tmp_path):
    build_evidence_world(db_app, tmp_path / "evidence", make_user, make_enterprise)
    backup_dir = tmp_path / "backup"
    old = os.umask(0o022)  # the usual umask, which made every file 0644
    try:
        result = db_app.test_cli_runner().invoke(args=["backup", str(backup_dir)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(backup_dir.stat().st_mode) == 0o700
    paths = list(backup_dir.rglob("*"))
    assert any(p.name == "manifest.json" for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


@pytest.fixture()
def small_disk(tmp_path):
    target = tmp_path / "small"
    target.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)],  # noqa: S603, S607
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.decode()[:200]}")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)  # noqa: S603, S607


def test_a_full_disk_during_backup_gives_a_message_a_non_zero_exit_and_no_partial_backup(
        db_app, make_user, make_enterprise, tmp_path, small_disk):
    build_evidence_world(db_app, tmp_path / "evidence", make_user, make_enterprise)
    big = tmp_path / "evidence" / "ff" / ("f" * 64)
    big.parent.mkdir(parents=True, exist_ok=True)
    big.write_bytes(os.urandom(256 * 1024))  # more than the 64 KiB disk holds
    backup_dir = small_disk / "backup"
    result = db_app.test_cli_runner().invoke(args=["backup", str(backup_dir)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a message, not a traceback
    assert "No space left" in result.output or "disk is full" in result.output, result.output
    assert not backup_dir.exists() or not any(backup_dir.iterdir()), list(backup_dir.rglob("*"))
    left = [p for p in Path(small_disk).rglob("*") if p.is_file()]
    assert left == [], left


def test_a_failing_pg_dump_gives_a_message_and_no_partial_backup(db_app, make_user, tmp_path):
    """Issue 9 §6 open item, closed with Low 10: `pg_dump` failing mid-backup (here: it cannot reach the
    database it is given) ends in a BackupError naming pg_dump, and nothing of the backup is left."""
    from sqlalchemy.engine import make_url

    from registry.audit.backup import backup
    from registry.extensions import db

    url = make_url(db_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL pass only: pg_dump")
    make_user("enterprise")
    broken = url.set(database="no_such_database_here").render_as_string(hide_password=False)
    with pytest.raises(BackupError, match="pg_dump") as caught:
        backup(db.engine, broken, tmp_path / "backup", None)
    assert "Nothing was kept" in str(caught.value)
    assert not (tmp_path / "backup").exists()
