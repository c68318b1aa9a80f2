"""The audit chain's arithmetic: which fields are hashed, how, and the write lock taken before the tail is read.

Shared by the writer (audit.py) and the signed checkpoints (audit_checkpoints.py), which audit.py calls: both
import it, so neither imports the other's internals (issue 15 item 3: the audit ↔ checkpoints cycle is gone).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import text

from registry.core.models import AuditEntry

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 0x4C54_4155  # "LTAU": one key for the audit chain
HASHED_FIELDS = (
    "at", "user_id", "action", "object_type", "object_id", "root_type", "root_id",
    "region_code", "summary", "before", "after", "request_id",
)


def take_write_lock(conn) -> None:
    """Hold the database's audit write lock before the tail is read (issue 13, Low 2).

    PostgreSQL: a transaction-level advisory lock, held until commit. SQLite: pysqlite opens its
    transaction only at the first INSERT/UPDATE, so a tail read in an audit-only transaction
    (a failed login) ran outside any lock and could be stale by the INSERT — the UNIQUE prev_hash
    then refused the entry (a 409, and the attempt was never audited). When the connection is not
    yet in a transaction, `BEGIN IMMEDIATE` takes SQLite's write lock first (waiting up to the
    connection's busy timeout); one already in a write transaction holds it already."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        raw = conn.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def canonical(fields: dict[str, Any], prev_hash: str | None) -> str:
    """The text that is hashed: the entry's fields and prev_hash as sorted, compact JSON."""
    data = {name: fields.get(name) for name in HASHED_FIELDS}
    data["at"] = utc_text(data["at"])
    data["summary"] = data["summary"] or ""  # the column defaults, as stored
    data["root_type"] = data["root_type"] or ""
    data["prev_hash"] = prev_hash
    # A round trip through JSON makes keys strings, as the JSON column gives them back.
    data = json.loads(json.dumps(data, default=str))
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hash_fields(fields: dict[str, Any], prev_hash: str | None) -> str:
    return hashlib.sha256(canonical(fields, prev_hash).encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """The hash a stored entry should have, recomputed from its columns."""
    return hash_fields({name: getattr(entry, name) for name in HASHED_FIELDS}, entry.prev_hash)
