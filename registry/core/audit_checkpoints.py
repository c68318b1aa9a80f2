"""Signed checkpoints of the audit chain's head (issue 13, Low 3; 等保 2.0 安全审计 c, ASVS 7.3.3).

The hash chain proves that each entry follows the one before it, not where the chain ends: whoever
can write to the database can delete the newest entries, or rewrite them and recompute their hashes,
and the chain still verifies. A checkpoint anchors the head: (time, id of the newest entry, its
hash, the number of entries) signed with HMAC-SHA256 under the **checkpoint key**:

- `AUDIT_CHECKPOINT_KEY` (config / environment) when set — recommended, kept apart from SECRET_KEY
  (and, for the exported files, by the audit administrator);
- otherwise derived from SECRET_KEY: HMAC-SHA256(SECRET_KEY, "lantian audit checkpoint key v1").

Checkpoints are taken by `flask audit checkpoint`, automatically by the first audit write after
every AUDIT_CHECKPOINT_EVERY entries (default 1000; 0 turns it off), and by `flask backup`. They are
kept in the append-only `audit_checkpoint` table and exported as JSON lines (`flask audit checkpoint
--export FILE`, the audit administrator's `/audit/checkpoints.jsonl`). `flask audit verify` checks the
table's checkpoints, and `--checkpoints FILE` an exported copy: a checkpoint whose entry is missing
means entries were removed; a different hash means they were rewritten; a wrong signature means the
checkpoint itself was forged. Entries written after the newest checkpoint are protected by the
chain only: take checkpoints often and keep the exports outside the database host.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import insert, select, text

from registry.core.audit_chain import GENESIS, take_write_lock, utc_text
from registry.core.models import AuditCheckpoint, AuditEntry
from registry.core.timeutil import utcnow
from registry.extensions import db

KEY_INFO = b"lantian audit checkpoint key v1"
DEFAULT_EVERY = 1000
_table_seen: set[str] = set()


def checkpoint_key(config=None) -> bytes:
    config = config if config is not None else current_app.config
    configured = config.get("AUDIT_CHECKPOINT_KEY")
    if configured:
        return configured.encode("utf-8") if isinstance(configured, str) else bytes(configured)
    secret = config["SECRET_KEY"]
    secret = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    return hmac.new(secret, KEY_INFO, hashlib.sha256).digest()


def _utc_text(value) -> str:

    return utc_text(value) if not isinstance(value, str) else value


def sign(key: bytes, at: str, entry_id: int, entry_hash: str, entries: int) -> str:
    message = f"lantian-audit-checkpoint-v1|{at}|{int(entry_id)}|{entry_hash}|{int(entries)}"
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _insert(conn, key: bytes, entry_id: int, entry_hash: str, since: tuple[int, int] | None = None) -> dict[str, Any]:
    """`since` = (entry id, entries) of the previous checkpoint: then only the entries after it are counted."""
    if since is None:
        entries = conn.execute(text("SELECT count(*) FROM audit_entry WHERE id <= :i"), {"i": entry_id}).scalar_one()
    else:
        entries = since[1] + conn.execute(text("SELECT count(*) FROM audit_entry WHERE id > :a AND id <= :i"),
                                          {"a": since[0], "i": entry_id}).scalar_one()
    at = utcnow()
    at_text = _utc_text(at)
    mac = sign(key, at_text, entry_id, entry_hash, entries)
    conn.execute(insert(AuditCheckpoint.__table__).values(at=at, entry_id=entry_id, entry_hash=entry_hash,
                                                         entries=entries, mac=mac))
    return {"at": at_text, "entry_id": entry_id, "entry_hash": entry_hash, "entries": entries, "mac": mac}


def take(key: bytes | None = None) -> dict[str, Any]:
    """A checkpoint of the chain's head now, in the session's transaction (the caller commits)."""

    conn = db.session.connection()
    take_write_lock(conn)
    row = conn.execute(text("SELECT id, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first()
    entry_id, entry_hash = (row[0], row[1]) if row else (0, GENESIS)
    return _insert(conn, key or checkpoint_key(), entry_id, entry_hash)


def maybe_take(conn, tail_id: int | None, tail_hash: str) -> None:
    """Called by the chain hook under the audit write lock: a checkpoint of the current tail when
    AUDIT_CHECKPOINT_EVERY entries have been written since the last one."""
    if not tail_id or not has_app_context():
        return
    every = int(current_app.config.get("AUDIT_CHECKPOINT_EVERY", DEFAULT_EVERY) or 0)
    if every <= 0:
        return
    url = str(conn.engine.url)
    if url not in _table_seen:  # a database migrated before this table existed (during `flask db upgrade`)
        from sqlalchemy import inspect

        if not inspect(conn).has_table(AuditCheckpoint.__tablename__):
            return
        _table_seen.add(url)
    last = conn.execute(text("SELECT entry_id, entries FROM audit_checkpoint ORDER BY id DESC LIMIT 1")).first()
    if tail_id - (last[0] if last else 0) >= every:
        _insert(conn, checkpoint_key(), tail_id, tail_hash, since=(last[0], last[1]) if last else None)


def as_dict(cp: AuditCheckpoint) -> dict[str, Any]:
    return {"id": cp.id, "at": _utc_text(cp.at), "entry_id": cp.entry_id, "entry_hash": cp.entry_hash,
            "entries": cp.entries, "mac": cp.mac}


def stored() -> list[dict[str, Any]]:
    return [as_dict(cp) for cp in db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))]


def export_lines(checkpoints: Iterable[dict[str, Any]] | None = None) -> str:
    """JSON lines, oldest first: what the audit administrator keeps outside the database."""
    return "".join(json.dumps(cp, sort_keys=True) + "\n" for cp in (stored() if checkpoints is None else checkpoints))


def read_file(path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def problems(checkpoints: Iterable[dict[str, Any]], key: bytes | None = None) -> list[str]:
    """What does not hold: each checkpoint's signature, its entry's presence and hash, the count."""
    key = key or checkpoint_key()
    checkpoints = list(checkpoints)
    # The entry's hash binds every entry before it (the chain is verified first), so the count is
    # checked once, for the newest checkpoint: one COUNT, however many checkpoints there are.
    newest = max((cp.get("entry_id") or 0 for cp in checkpoints if isinstance(cp.get("entry_id"), int)), default=0)
    out = []
    for cp in checkpoints:
        label = f"checkpoint {cp.get('id', '?')} of {cp.get('at')} (entry {cp.get('entry_id')})"
        try:
            expected = sign(key, cp["at"], cp["entry_id"], cp["entry_hash"], cp["entries"])
        except (KeyError, TypeError, ValueError):
            out.append(f"{label}: not a checkpoint")
            continue
        if not hmac.compare_digest(expected, str(cp.get("mac", ""))):
            out.append(f"{label}: the signature does not match (forged, altered, or signed with another key)")
            continue
        entry_id = int(cp["entry_id"])
        if entry_id == 0:
            continue
        row = db.session.get(AuditEntry, entry_id)
        if row is None:
            out.append(f"{label}: entry {entry_id} is missing — the newest entries up to it were removed")
        elif row.entry_hash != cp["entry_hash"]:
            out.append(f"{label}: entry {entry_id} has another hash than when the checkpoint was signed — "
                       "entries up to it were rewritten")
        elif entry_id == newest:
            n = db.session.scalar(select(db.func.count()).select_from(AuditEntry).where(AuditEntry.id <= entry_id))
            if n != int(cp["entries"]):
                out.append(f"{label}: {n} entries up to entry {entry_id}, {cp['entries']} when signed — entries were removed")
    return out
