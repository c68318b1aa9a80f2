"""Backup and restore of the database and evidence files, with a manifest (等保 2.0 数据备份恢复).

`flask backup DIR` writes DIR/database.sqlite3 (SQLite online backup API, consistent while
the app runs) or DIR/database.dump (PostgreSQL `pg_dump -Fc`), copies the evidence files
(GRADE_EVIDENCE_DIR or instance/evidence) to DIR/evidence/, and writes DIR/manifest.json with
the row count of every table and the SHA-256 of every file. `flask restore DIR` checks the
manifest's hashes first, restores into an *empty* database (it refuses a database that has
tables) and the evidence folder, comparing the row counts with the manifest.

Issue 13 (Medium 4, Low 10):
- The row counts describe the copy itself: on SQLite they are counted in the copied file after
  the copy; on PostgreSQL one REPEATABLE READ, read-only transaction exports its snapshot, counts
  the rows in it and hands it to `pg_dump --snapshot`, so dump and counts see the same instant
  while the app keeps writing. Evidence files are copied after that instant (a file is written
  before its row commits, so every row in the copy has its file).
- Restore is all or nothing and can be retried: the evidence files are staged next to the
  evidence folder; the database is loaded into a staged file (SQLite) or inside one transaction
  that also checks every row count and rolls back on any difference (PostgreSQL, `psql
  --single-transaction`); only when every check passed are the evidence files moved in and the
  database file swapped in (SQLite) — a failure at any step leaves the target as it was.
- A backup is private: files 0600, directories 0700 (umask 077 while it runs); a full disk or a
  failing `pg_dump` ends in a BackupError naming the cause, and whatever was written is removed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore/psql are run with argument lists, never a shell
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import Engine, make_url

from registry.core.timeutil import utcnow

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
EVIDENCE = "evidence"
CHECKPOINTS = "audit-checkpoints.jsonl"
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)

    def write(self, directory: Path) -> None:
        path = directory / MANIFEST
        path.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True), encoding="utf-8")
        os.chmod(path, PRIVATE_FILE)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
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


def row_counts(engine_or_conn) -> dict[str, int]:
    names = sorted(inspect(engine_or_conn).get_table_names())
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}
    return {name: engine_or_conn.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


def _sqlite_file_counts(path: Path) -> dict[str, int]:
    """Every table's row count in a SQLite file (what `inspect().get_table_names()` lists)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"))
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608  # nosec B608  # names from sqlite_master
    finally:
        conn.close()


def pg_binary(name: str) -> str:
    """pg_dump/pg_restore/psql: the newest /usr/lib/postgresql/*/bin (as scripts/pg_throwaway.sh), else PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found (install the PostgreSQL client)")
    return found


def _libpq_url(url: str) -> str:
    """The URL as libpq tools take it: no '+driver', and no password (that goes in PGPASSWORD, so
    it never shows in the process list)."""
    return make_url(url).set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _libpq_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def _copy_tree(src: Path, dst: Path, mode: int) -> dict[str, str]:
    """Copy every file under src to dst with `mode`; {relative path: sha256}."""
    hashes = {}
    for path in sorted(p for p in src.rglob("*") if p.is_file() and not p.name.endswith(".part")):
        rel = path.relative_to(src).as_posix()
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        os.chmod(target, mode)
        hashes[rel] = sha256_file(target)
    return hashes


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _clear(directory: Path, remove_directory: bool) -> None:
    """Remove what a failed backup wrote (the directory too if the backup created it)."""
    if not directory.exists():
        return
    if remove_directory:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _tool_error(err: subprocess.CalledProcessError) -> str:
    """The line of a PostgreSQL tool's stderr that says what went wrong."""
    lines = [ln.strip() for ln in (err.stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if "ERROR" in ln or "error" in ln or "No space" in ln]
    detail = (errors or lines or [f"exit status {err.returncode}"])[0]
    return f"{Path(str(err.cmd[0])).name}: {detail}"


def _failure_message(directory: Path, err: BaseException) -> str:
    if isinstance(err, subprocess.CalledProcessError):
        cause = _tool_error(err)
    else:
        cause = str(err)
    hint = " (the disk is full)" if "No space left" in cause or "disk is full" in cause else ""
    return f"the backup could not be written to {directory}{hint}: {cause}. Nothing was kept; free space and run it again."


def backup(engine: Engine, url: str, directory: Path, evidence_dir: Path | None, extra_files: dict[str, bytes] | None = None) -> Manifest:
    """Back up into `directory` (new or empty). `extra_files` ({name: bytes}) are written into the
    backup and listed in the manifest (e.g. the audit checkpoints)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    dialect = engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database: {dialect}")
    created = not directory.exists()
    with _private_umask():
        try:
            directory.mkdir(parents=True, exist_ok=True)
            os.chmod(directory, PRIVATE_DIR)
            return _write_backup(engine, url, directory, evidence_dir, dialect, extra_files or {})
        except (OSError, sqlite3.Error, subprocess.CalledProcessError) as err:
            _clear(directory, remove_directory=created)
            raise BackupError(_failure_message(directory, err)) from err
        except BaseException:
            _clear(directory, remove_directory=created)
            raise


def _write_backup(engine: Engine, url: str, directory: Path, evidence_dir: Path | None, dialect: str,
                  extra_files: dict[str, bytes]) -> Manifest:
    files: dict[str, str] = {}
    if dialect == "sqlite":
        target = directory / SQLITE_FILE
        src = sqlite3.connect(_sqlite_path(url))
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # the online backup API: a consistent copy while others write
        finally:
            dst.close()
            src.close()
        os.chmod(target, PRIVATE_FILE)
        counts = _sqlite_file_counts(target)  # counted in the copy itself, after the copy
        files[SQLITE_FILE] = sha256_file(target)
    else:
        target = directory / PG_FILE
        # One snapshot for the dump and the counts: this transaction exports it to pg_dump and stays
        # open (read-only, REPEATABLE READ) until the dump is written.
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                counts = row_counts(conn)
                subprocess.run(  # noqa: S603  # nosec B603  # fixed binary, argument list, no shell
                    [pg_binary("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target),
                     "--dbname", _libpq_url(url)],
                    check=True, capture_output=True, env=_libpq_env(url),
                )
        os.chmod(target, PRIVATE_FILE)
        files[PG_FILE] = sha256_file(target)
    for name, data in extra_files.items():
        path = directory / name
        path.write_bytes(data)
        os.chmod(path, PRIVATE_FILE)
        files[name] = sha256_file(path)
    if evidence_dir is not None and evidence_dir.is_dir():
        for rel, digest in _copy_tree(evidence_dir, directory / EVIDENCE, PRIVATE_FILE).items():
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


def _count_difference(expected: dict[str, int], found: dict[str, int]) -> str:
    diff = {k: (expected.get(k), found.get(k)) for k in sorted(set(found) | set(expected)) if found.get(k) != expected.get(k)}
    return f"row counts differ (expected, found): {diff}"


def restore(directory: Path, url: str, evidence_dir: Path | None) -> Manifest:
    """Restore a backup into the empty database at `url`, all or nothing; raises BackupError on any
    mismatch, leaving the database and the evidence folder as they were (so it can be run again)."""
    manifest = Manifest.read(directory)
    check_files(directory, manifest)
    bad = [name for name in manifest.tables if not _TABLE_NAME.match(name)]
    if bad:
        raise BackupError(f"the manifest names tables that cannot exist: {bad}")
    evidence_files = {k[len(EVIDENCE) + 1:]: v for k, v in manifest.files.items() if k.startswith(EVIDENCE + "/")}
    if evidence_files and evidence_dir is None:
        raise BackupError("the backup has evidence files but no evidence folder is configured")
    engine = create_engine(url)
    try:
        if engine.dialect.name != manifest.dialect:
            raise BackupError(f"backup is {manifest.dialect}, target is {engine.dialect.name}")
        if inspect(engine).get_table_names():
            raise BackupError("the target database is not empty; restore only into an empty database")
    finally:
        engine.dispose()
    staging = _stage_evidence(directory, evidence_files, evidence_dir) if evidence_files else None
    try:
        if manifest.dialect == "sqlite":
            _restore_sqlite(directory, url, manifest, staging, evidence_dir)
        else:
            _restore_postgres(directory, url, manifest, staging, evidence_dir)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _stage_evidence(directory: Path, evidence_files: dict[str, str], evidence_dir: Path) -> Path:
    """Copy the evidence files into a hidden folder beside the evidence folder (same file system,
    so moving them in is a rename); refuse a different file already at a target path."""
    for rel, digest in evidence_files.items():
        target = evidence_dir / rel
        if target.exists() and sha256_file(target) != digest:
            raise BackupError(f"evidence file {rel} exists with other contents; not overwritten")
    evidence_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = evidence_dir.parent / f".{evidence_dir.name}.restoring-{uuid.uuid4().hex[:12]}"
    try:
        for rel, digest in evidence_files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(directory / EVIDENCE / rel, target)
            os.chmod(target, 0o640)
            if sha256_file(target) != digest:
                raise BackupError(f"evidence file {rel} changed while it was copied")
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"the evidence files could not be staged beside {evidence_dir}: {err}; nothing was changed") from err
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _move_evidence_in(staging: Path | None, evidence_dir: Path | None) -> list[Path]:
    """Move the staged files into place; the paths moved, so that a later failure can take them back."""
    moved: list[Path] = []
    if staging is None or evidence_dir is None:
        return moved
    try:
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = evidence_dir / path.relative_to(staging)
            if target.exists():  # the same content (checked when staging)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(target)
    except OSError as err:
        _take_back(moved)
        raise BackupError(f"the evidence files could not be moved into {evidence_dir}: {err}; nothing was changed") from err
    return moved


def _take_back(moved: list[Path]) -> None:
    for target in moved:
        target.unlink(missing_ok=True)


def _restore_sqlite(directory: Path, url: str, manifest: Manifest, staging: Path | None, evidence_dir: Path | None) -> None:
    target = Path(_sqlite_path(url))
    staged = target.parent / f".{target.name}.restoring-{uuid.uuid4().hex[:12]}"
    try:
        src = sqlite3.connect(f"file:{directory / SQLITE_FILE}?mode=ro", uri=True)
        dst = sqlite3.connect(staged)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        counts = _sqlite_file_counts(staged)
        if counts != manifest.tables:
            raise BackupError(f"restore refused, nothing was changed: {_count_difference(manifest.tables, counts)}")
        os.chmod(staged, PRIVATE_FILE)
        moved = _move_evidence_in(staging, evidence_dir)
        try:
            os.replace(staged, target)  # the database and its evidence files arrive together
        except OSError as err:
            _take_back(moved)
            raise BackupError(f"the database file could not be put in place: {err}; nothing was changed") from err
    except (OSError, sqlite3.Error) as err:
        raise BackupError(f"restore failed, nothing was changed: {err}") from err
    finally:
        staged.unlink(missing_ok=True)


def _count_check_sql(tables: dict[str, int]) -> str:
    """A DO block that raises (rolling the whole restore back) unless every count matches and no
    other table exists."""
    lines = ["DO $lantian_check$", "DECLARE n bigint;", "BEGIN"]
    for name, expected in sorted(tables.items()):
        # names match _TABLE_NAME (checked in restore), counts are ints
        lines.append(f'  SELECT count(*) INTO n FROM public."{name}";')  # noqa: S608  # nosec B608
        lines.append(f"  IF n <> {int(expected)} THEN RAISE EXCEPTION 'row count of {name}: expected {int(expected)}, found %', n; END IF;")
    lines.append("  SELECT count(*) INTO n FROM pg_catalog.pg_tables WHERE schemaname = 'public';")
    lines.append(f"  IF n <> {len(tables)} THEN RAISE EXCEPTION 'expected {len(tables)} tables, found %', n; END IF;")
    lines += ["END", "$lantian_check$;", ""]
    return "\n".join(lines)


def _restore_postgres(directory: Path, url: str, manifest: Manifest, staging: Path | None, evidence_dir: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="lantian-restore-") as tmp:
        script, check = Path(tmp) / "restore.sql", Path(tmp) / "check.sql"
        try:
            subprocess.run(  # noqa: S603  # nosec B603  # fixed binary, argument list, no shell
                [pg_binary("pg_restore"), "--no-owner", "--no-privileges", "-f", str(script), str(directory / PG_FILE)],
                check=True, capture_output=True,
            )
            check.write_text(_count_check_sql(manifest.tables), encoding="utf-8")
            # One transaction: the schema, the rows and the count check commit together or not at all.
            subprocess.run(  # noqa: S603  # nosec B603  # fixed binary, argument list, no shell
                [pg_binary("psql"), "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                 "-f", str(script), "-f", str(check), "--dbname", _libpq_url(url)],
                check=True, capture_output=True, env=_libpq_env(url),
            )
        except subprocess.CalledProcessError as err:
            raise BackupError(f"restore refused, nothing was changed: {_tool_error(err)}") from err
        except OSError as err:
            raise BackupError(f"restore failed, nothing was changed: {err}") from err
    try:
        _move_evidence_in(staging, evidence_dir)
    except BackupError:
        _empty_postgres(url)
        raise


def _empty_postgres(url: str) -> None:
    """Take a restored schema back out (evidence could not be moved in), so the restore can be retried."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for name in inspect(conn).get_table_names():
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS public."{name}" CASCADE')
            for (signature,) in conn.exec_driver_sql(
                    "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public'").all():
                conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    finally:
        engine.dispose()
