"""The audit log: every state change records who, when, what, before and after, in a hash chain.

Each entry stores `prev_hash` (the previous entry's `entry_hash`, GENESIS for the first)
and `entry_hash` = SHA-256 of a canonical JSON of its fields plus `prev_hash`, so a changed,
removed or inserted row breaks the chain and `flask audit verify` names it (等保 2.0 安全审计,
ASVS V7.3.3). Rows are append-only: the ORM refuses UPDATE/DELETE (events below) and
database triggers refuse them too (migration `audit hash chain`).

The hashes are computed in one place, a `before_execute` hook on every INSERT into
audit_entry, so ORM entries (`record`) and Core bulk inserts (exchange imports) chain alike.
Concurrency: the tail is read on the inserting connection inside its transaction, after its
write lock is taken (`audit_chain.take_write_lock`): on PostgreSQL a transaction-level advisory lock
serialises audit writers until commit; on SQLite `BEGIN IMMEDIATE` takes the database's write
lock before the read. The unique `prev_hash` remains the last guard: the chain can never fork.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import Insert, event, select, text
from sqlalchemy.engine import Engine

from registry.core import audit_checkpoints
from registry.core.audit_chain import (  # noqa: F401  (the chain's arithmetic, re-exported for its users)
    ADVISORY_LOCK_KEY,
    GENESIS,
    HASHED_FIELDS,
    canonical,
    entry_hash,
    hash_fields,
    take_write_lock,
    utc_text,
)
from registry.core.models import AuditEntry
from registry.core.timeutil import utcnow
from registry.extensions import db


class AuditImmutable(Exception):
    """Raised when code tries to change or delete an audit entry."""


def record(
    user,
    action: str,
    obj,
    *,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region_code: str | None = None,
    root=None,
) -> AuditEntry:
    # Flask-Login's current_user is a proxy; type() of a proxy is not the model.
    user, obj, root = (_unwrap(x) for x in (user, obj, root))
    root = root if root is not None else obj
    entry = AuditEntry(
        at=utcnow(),
        root_type=type(root).__tablename__ if root is not None else "",
        root_id=getattr(root, "id", None),
        user_id=getattr(user, "id", None),
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        region_code=region_code or getattr(obj, "region_code", None),
        summary=summary or "",
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def _is_audit_insert(elem) -> bool:
    return isinstance(elem, Insert) and getattr(elem.table, "name", None) == AuditEntry.__tablename__


def _tail_hash(conn) -> str:
    """The hash the next entry chains to, read on the inserting connection inside its transaction,
    under the write lock."""
    take_write_lock(conn)
    last = conn.execute(text("SELECT id, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first()
    if last is None:
        return GENESIS
    audit_checkpoints.maybe_take(conn, last[0], last[1])  # every AUDIT_CHECKPOINT_EVERY entries (Low 3)
    return last[1]


def _chain_audit_inserts(conn, elem, multiparams, params, execution_options):
    """Every INSERT into audit_entry, ORM flush or Core executemany (exchange imports), gets its
    prev_hash/entry_hash here, at the moment the rows reach the database, in insert order."""
    if not _is_audit_insert(elem):
        return elem, multiparams, params
    rows = [dict(p) for p in (multiparams or ([params] if params else []))]
    if not rows:
        return elem, multiparams, params
    prev = _tail_hash(conn)
    for row in rows:
        row.setdefault("at", utcnow())
        row["prev_hash"] = prev
        row["entry_hash"] = prev = hash_fields(row, prev)
    if len(rows) == 1:
        return elem, [], rows[0]
    return elem, rows, {}


event.listen(Engine, "before_execute", _chain_audit_inserts, retval=True)


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    problem: str


def verify_chain(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in id order; (entries checked, the first break or None)."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch_size)
            )
        )
        if not rows:
            return checked, None
        for row in rows:
            if row.prev_hash != expected_prev:
                return checked, ChainBreak(
                    row.id,
                    f"prev_hash {row.prev_hash} does not match the previous entry's hash {expected_prev} "
                    "(an entry before it was removed, inserted or rewritten)",
                )
            actual = entry_hash(row)
            if row.entry_hash != actual:
                return checked, ChainBreak(
                    row.id, f"entry_hash {row.entry_hash} does not match its contents (recomputed {actual}): the row was changed"
                )
            expected_prev = row.entry_hash
            checked += 1
            last_id = row.id
        db.session.expunge_all()


def _refuse_change(mapper, connection, target) -> None:
    raise AuditImmutable(f"audit entry {target.id} is append-only")


event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)


def _unwrap(value):
    getter = getattr(value, "_get_current_object", None)
    return getter() if callable(getter) else value


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only what changed, so the history shows the diff rather than the whole record."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _jsonable(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
