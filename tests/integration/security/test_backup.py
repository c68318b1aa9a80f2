"""Data backup and recovery (等保 2.0 数据备份恢复): a backup restores into an empty database with
every table's rows and every evidence file identical (SQLite; PostgreSQL when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from registry.audit.backup import BackupError, backup, restore, sha256_file
from registry.extensions import db


@pytest.fixture()
def target_url(db_app, tmp_path):
    """An empty database: a new SQLite file, or a second database on the same PostgreSQL server."""
    source = make_url(db_app.config["SQLALCHEMY_DATABASE_URI"])
    if source.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = "lantian_restore_test"
    admin = create_engine(source, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield source.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _all_rows(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    try:
        out = {}
        with engine.connect() as conn:
            for name in sorted(inspect(engine).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
                out[name] = sorted(repr(tuple(r)) for r in rows)
        return out
    finally:
        engine.dispose()


def _some_data(make_user, evidence):
    for role in ("enterprise", "admin", "enterprise"):
        make_user(role)
    (evidence / "ab").mkdir(parents=True)
    (evidence / "ab" / "abcdef").write_bytes(b"%PDF-1.4 scan of a permit")
    (evidence / "cd").mkdir()
    (evidence / "cd" / "cdef01").write_bytes("排污许可证".encode())


def test_backup_then_restore_into_an_empty_database_gives_identical_rows_and_files(db_app, make_user, tmp_path, target_url):
    evidence, restored_evidence = tmp_path / "evidence", tmp_path / "restored-evidence"
    _some_data(make_user, evidence)
    source_url = db_app.config["SQLALCHEMY_DATABASE_URI"]
    manifest = backup(db.engine, source_url, tmp_path / "backup", evidence)
    assert manifest.tables["user_account"] == 3 and manifest.tables["audit_entry"] >= 3
    assert {"evidence/ab/abcdef", "evidence/cd/cdef01"} <= set(manifest.files)
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text())["tables"] == manifest.tables

    restore(tmp_path / "backup", target_url, restored_evidence)

    source_rows, restored_rows = _all_rows(source_url), _all_rows(target_url)
    assert source_rows.keys() == restored_rows.keys()
    for name in source_rows:
        assert source_rows[name] == restored_rows[name], name
    for path in evidence.rglob("*"):
        if path.is_file():
            assert sha256_file(path) == sha256_file(restored_evidence / path.relative_to(evidence))


def test_restore_refuses_a_changed_backup_and_a_database_that_is_not_empty(db_app, make_user, tmp_path, target_url):
    evidence = tmp_path / "evidence"
    _some_data(make_user, evidence)
    source_url = db_app.config["SQLALCHEMY_DATABASE_URI"]
    backup(db.engine, source_url, tmp_path / "backup", evidence)
    with pytest.raises(BackupError, match="not empty"):
        restore(tmp_path / "backup", source_url, tmp_path / "other")
    (tmp_path / "backup" / "evidence" / "ab" / "abcdef").write_bytes(b"forged")
    with pytest.raises(BackupError, match="changed"):
        restore(tmp_path / "backup", target_url, tmp_path / "other")


def test_backup_and_restore_commands(db_app, make_user, tmp_path):
    make_user("enterprise")
    result = db_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "manifest.json").exists()
    again = db_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
    assert again.exit_code != 0 and "not empty" in again.output
    refused = db_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert refused.exit_code != 0 and "not empty" in refused.output
