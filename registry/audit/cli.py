"""`flask audit verify|checkpoint|export`, `flask backup DIR` and `flask restore DIR`."""
from __future__ import annotations

import json
import os
from datetime import timezone
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from registry.accounts.auth import SYSTEM
from registry.audit.backup import CHECKPOINTS, BackupError, backup, restore
from registry.core import audit_checkpoints, unit_of_work
from registry.core.audit import record, verify_chain
from registry.core.audit_chain import HASHED_FIELDS, utc_text
from registry.core.models import AuditEntry
from registry.extensions import db


def register(app: Flask) -> None:
    @app.cli.group("audit")
    def audit_group():
        """The tamper-evident audit log: verify the hash chain, export for archiving."""

    @audit_group.command("verify")
    @click.option("--checkpoints", "checkpoints_file", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="Also check the signed checkpoints exported to this file (kept outside the database).")
    def audit_verify_cmd(checkpoints_file):
        """Walk the hash chain and check the signed checkpoints (those in the database, and those in
        FILE); report what is broken and exit 1 if anything is (issue 13, Low 3: the checkpoints notice
        the newest entries being removed or rewritten, which the chain alone cannot)."""
        checked, broken = verify_chain()
        if broken is not None:
            click.echo(f"audit chain BROKEN at entry id {broken.entry_id} (after {checked} good entries): {broken.problem}", err=True)
            raise SystemExit(1)
        in_db = audit_checkpoints.stored()
        found = [f"database: {p}" for p in audit_checkpoints.problems(in_db)]
        from_file = []
        if checkpoints_file:
            try:
                from_file = audit_checkpoints.read_file(checkpoints_file)
            except (OSError, ValueError) as err:
                raise click.ClickException(f"cannot read {checkpoints_file}: {err}") from err
            found += [f"{checkpoints_file}: {p}" for p in audit_checkpoints.problems(from_file)]
        if found:
            for problem in found:
                click.echo(f"audit chain BROKEN: {problem}", err=True)
            raise SystemExit(1)
        newest = max((cp["entry_id"] for cp in in_db + from_file), default=None)
        anchor = f"; {len(in_db)} checkpoints" + (f" and {len(from_file)} from {checkpoints_file}" if checkpoints_file else "")
        anchor += f" match (newest covers entry {newest}; later entries rest on the chain alone)" if newest is not None else ""
        click.echo(f"audit chain intact: {checked} entries{anchor}")

    @audit_group.command("checkpoint")
    @click.option("--export", "export_path", type=click.Path(dir_okay=False, writable=True), default=None,
                  help="Then write every checkpoint (JSON lines) to this file, to keep outside the database.")
    @unit_of_work.command
    def audit_checkpoint_cmd(export_path):
        """Sign the chain's head now (HMAC with AUDIT_CHECKPOINT_KEY, or a key derived from SECRET_KEY)."""
        cp = audit_checkpoints.take()
        click.echo(f"checkpoint: entry {cp['entry_id']} ({cp['entries']} entries) hash {cp['entry_hash']} at {cp['at']}")
        if export_path:
            text_ = audit_checkpoints.export_lines()
            with open(export_path, "w", encoding="utf-8") as out:
                out.write(text_)
            click.echo(f"exported {text_.count(chr(10))} checkpoints to {export_path}")

    @audit_group.command("export")
    @click.option("--before", "before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Only entries before this date (UTC), e.g. those older than AUDIT_RETENTION_DAYS.")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    @unit_of_work.command
    def audit_export_cmd(before, path: str):
        """Archive entries as JSON lines with their hashes; audited as `audit.archive`. Nothing is ever
        deleted: there is no prune command (AUDIT_RETENTION_DAYS is a minimum, docs/security.md §3)."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if before is not None:
            query = query.where(AuditEntry.at < before.replace(tzinfo=timezone.utc))
        n = 0
        last_hash = None
        with open(path, "w", encoding="utf-8") as out:
            for row in db.session.scalars(query).yield_per(2000):
                data = {name: getattr(row, name) for name in HASHED_FIELDS}
                data.update(id=row.id, at=utc_text(row.at), prev_hash=row.prev_hash, entry_hash=row.entry_hash)
                out.write(json.dumps(data, ensure_ascii=False, default=str, sort_keys=True) + "\n")
                n += 1
                last_hash = row.entry_hash
        # The archive is itself recorded: what was exported, up to which entry (its hash lets the
        # archive be checked against the live chain later). Nothing is deleted: see docs/security.md.
        record(SYSTEM, "audit.archive", None, summary=path,
               after={"entries": n, "before": before.date().isoformat() if before else None, "last_hash": last_hash})
        click.echo(f"exported {n} audit entries to {path}")

    def _evidence_dir():
        return Path(current_app.config.get("GRADE_EVIDENCE_DIR") or os.path.join(current_app.instance_path, "evidence"))

    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False))
    def backup_cmd(directory: str):
        """Back up the database and evidence files into an empty DIRECTORY, with a manifest."""
        with unit_of_work.transaction():  # its own unit of work: the backup reads the database afterwards
            audit_checkpoints.take()  # the backup's chain head, signed (issue 13, Low 3)
        checkpoints = audit_checkpoints.export_lines().encode("utf-8")
        db.session.remove()
        try:
            manifest = backup(db.engine, current_app.config["SQLALCHEMY_DATABASE_URI"], Path(directory), _evidence_dir(),
                              extra_files={CHECKPOINTS: checkpoints})
        except BackupError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"backup in {directory}: {len(manifest.tables)} tables, {sum(manifest.tables.values())} rows, "
                   f"{len(manifest.files)} files")

    @app.cli.command("restore")
    @click.argument("directory", type=click.Path(exists=True, file_okay=False))
    def restore_cmd(directory: str):
        """Restore a backup DIRECTORY into the configured database, which must be empty."""
        db.session.remove()
        db.engine.dispose()
        try:
            manifest = restore(Path(directory), current_app.config["SQLALCHEMY_DATABASE_URI"], _evidence_dir())
        except BackupError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"restored {len(manifest.tables)} tables, {sum(manifest.tables.values())} rows, "
                   f"{len(manifest.files)} files; row counts match the manifest")
