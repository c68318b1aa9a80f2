"""Backup and restore of the database and evidence files, with a manifest (等保 2.0 数据备份恢复).

`flask backup DIR` writes DIR/database.sqlite3 (SQLite online backup API, consistent while
the app runs) or DIR/database.dump (PostgreSQL `pg_dump -Fc`), copies the evidence files
(GRADE_EVIDENCE_DIR or instance/evidence) to DIR/evidence/, and writes DIR/manifest.json with
the row count of every table and the SHA-256 of every file. `flask restore DIR` checks the
manifest's hashes first, restores into an *empty* database (it refuses a database that has
tables) and the evidence folder, then compares the row counts with the manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore are run with argument lists, never a shell
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import Engine, make_url

from registry.core.timeutil import utcnow

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
EVIDENCE = "evidence"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(self.__dict__, indent=2, sort_keys=True), encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        path = directory / MANIFEST
        if not path.exists():
            raise BackupError(f"no {MANIFEST} in {directory}")
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_counts(engine: Engine) -> dict[str, int]:
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


def pg_binary(name: str) -> str:
    """pg_dump/pg_restore: the newest /usr/lib/postgresql/*/bin (as scripts/pg_throwaway.sh), else PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found (install the PostgreSQL client)")
    return found


def _libpq_url(url: str) -> str:
    """The URL as libpq tools take it: no '+driver'."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def _copy_tree(src: Path, dst: Path) -> dict[str, str]:
    """Copy every file under src to dst; {relative path: sha256}."""
    hashes = {}
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src).as_posix()
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        hashes[rel] = sha256_file(target)
    return hashes


def backup(engine: Engine, url: str, directory: Path, evidence_dir: Path | None) -> Manifest:
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    dialect = engine.dialect.name
    counts = row_counts(engine)
    files: dict[str, str] = {}
    if dialect == "sqlite":
        src = sqlite3.connect(_sqlite_path(url))
        dst = sqlite3.connect(directory / SQLITE_FILE)
        try:
            src.backup(dst)  # the online backup API: a consistent copy while others write
        finally:
            dst.close()
            src.close()
        files[SQLITE_FILE] = sha256_file(directory / SQLITE_FILE)
    elif dialect == "postgresql":
        subprocess.run(  # noqa: S603  # nosec B603  # fixed binary, argument list, no shell
            [pg_binary("pg_dump"), "-Fc", "--no-owner", "-f", str(directory / PG_FILE), "--dbname", _libpq_url(url)],
            check=True, capture_output=True,
        )
        files[PG_FILE] = sha256_file(directory / PG_FILE)
    else:
        raise BackupError(f"unsupported database: {dialect}")
    if evidence_dir is not None and evidence_dir.is_dir():
        for rel, digest in _copy_tree(evidence_dir, directory / EVIDENCE).items():
            files[f"{EVIDENCE}/{rel}"] = digest
    manifest = Manifest(created_at=utcnow().isoformat(), dialect=dialect, tables=counts, files=files)
    manifest.write(directory)
    return manifest


def check_files(directory: Path, manifest: Manifest) -> None:
    for rel, digest in manifest.files.items():
        path = directory / rel
        if not path.is_file():
            raise BackupError(f"missing file in the backup: {rel}")
        if sha256_file(path) != digest:
            raise BackupError(f"file changed since the backup: {rel}")


def restore(directory: Path, url: str, evidence_dir: Path | None) -> Manifest:
    """Restore a backup into the empty database at `url`; raises BackupError on any mismatch."""
    manifest = Manifest.read(directory)
    check_files(directory, manifest)
    engine = create_engine(url)
    try:
        if engine.dialect.name != manifest.dialect:
            raise BackupError(f"backup is {manifest.dialect}, target is {engine.dialect.name}")
        if inspect(engine).get_table_names():
            raise BackupError("the target database is not empty; restore only into an empty database")
        if manifest.dialect == "sqlite":
            src = sqlite3.connect(directory / SQLITE_FILE)
            dst = sqlite3.connect(_sqlite_path(url))
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            subprocess.run(  # noqa: S603  # nosec B603  # fixed binary, argument list, no shell
                [pg_binary("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", _libpq_url(url), str(directory / PG_FILE)],
                check=True, capture_output=True,
            )
        counts = row_counts(engine)
    finally:
        engine.dispose()
    if counts != manifest.tables:
        diff = {k: (manifest.tables.get(k), counts.get(k)) for k in set(counts) | set(manifest.tables) if counts.get(k) != manifest.tables.get(k)}
        raise BackupError(f"row counts differ after restore (expected, found): {diff}")
    evidence_files = {k[len(EVIDENCE) + 1:]: v for k, v in manifest.files.items() if k.startswith(EVIDENCE + "/")}
    if evidence_files:
        if evidence_dir is None:
            raise BackupError("the backup has evidence files but no evidence folder is configured")
        for rel, digest in evidence_files.items():
            target = evidence_dir / rel
            if target.exists() and sha256_file(target) != digest:
                raise BackupError(f"evidence file {rel} exists with other contents; not overwritten")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / EVIDENCE / rel, target)
            os.chmod(target, 0o640)
    return manifest
