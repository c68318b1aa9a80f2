"""Bulk writes of a draft's inputs and entries: one DBAPI executemany per table, each distinct JSON value once.

A city's draft has tens of thousands of entries but a few hundred distinct decisions; generation shares one
dict (reasons, flags, windows…) among every entry that has it, so each is serialised once here (cache by
identity, the object kept alive with its text) and rows go to the driver as plain tuples — no per-row
SQLAlchemy parameter processing: an executemany on SQLite, a COPY on PostgreSQL. The values are those the ORM
would write: dates as ISO text and numbers as REAL on SQLite, native types on PostgreSQL, JSON as json.dumps text. Inputs are
stored as the canonical JSON their facts hash was computed from (provenance.canonical_json), not dumped again.
The database triggers still refuse rows for a published version (migration 695d38e66231).
"""
from __future__ import annotations

import json
from datetime import date
from operator import itemgetter
from typing import Any, Iterable

from registry.extensions import db
from registry.schedules.models import ScheduleEntry, ScheduleInput

ENTRY_COLUMNS = [c.key for c in ScheduleEntry.__table__.columns if c.key != "id"]
JSON_ORDER = ["windows", "reasons", "flags", "applied_decisions", "residual_obligations", "exemption"]
ENTRY_JSON = set(JSON_ORDER)
INPUT_COLUMNS = ["version_id", "position", "enterprise_id", "uscc", "region_code", "document", "facts_sha256"]
BATCH = 5000
# Reviewed (bandit B608 / ruff S608): filled only with the models' table and column names; values are bound parameters.
_INSERT = "INSERT INTO {table} ({columns}) VALUES ({marks})"


def _insert(table: str, columns: list[str], json_columns: set[str], rows: Iterable[tuple]) -> None:
    """SQLite: executemany in batches. PostgreSQL: COPY on the session's own connection (same transaction); JSON
    text goes in as is and is parsed by the json column, and the immutability check runs once for the statement
    (migration 5c1e7d2b9a40)."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = _INSERT.format(table=table, columns=", ".join(columns), marks=", ".join("?" for _ in columns))
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.exec_driver_sql(sql, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)


def insert_entries(version_id: int, rows: list[dict[str, Any]]) -> None:
    """Entry rows (generation.generate_entries) of one version. Their numbers are floats (from the JSON facts and the
    engine), never Decimal, which SQLite's driver would refuse."""
    pg = db.session.connection().dialect.name == "postgresql"
    texts: dict[int, tuple[str, Any]] = {}
    isodates: dict[date, str] = {}

    def as_json(v: Any) -> str | None:
        if v is None:
            return None
        hit = texts.get(id(v))
        if hit is None:
            hit = texts[id(v)] = (json.dumps(v), v)
        return hit[0]

    def as_date(v: date) -> Any:
        if pg:
            return v
        hit = isodates.get(v)
        if hit is None:
            hit = isodates[v] = v.isoformat()
        return hit

    plain = [c for c in ENTRY_COLUMNS if c not in ENTRY_JSON and c not in ("version_id", "phase_start", "phase_end")]
    get_plain = itemgetter(*plain)
    _insert(ScheduleEntry.__tablename__, ["version_id", "phase_start", "phase_end", *plain, *JSON_ORDER], ENTRY_JSON,
            ((version_id, as_date(r["phase_start"]), as_date(r["phase_end"]), *get_plain(r),
              as_json(r["windows"]), as_json(r["reasons"]), as_json(r["flags"]), as_json(r["applied_decisions"]),
              as_json(r["residual_obligations"]), as_json(r["exemption"])) for r in rows))


def insert_inputs(version_id: int, inputs: list[dict[str, Any]]) -> None:
    """Each input: enterprise_id, uscc, region_code, document_json (canonical text), facts_sha256, position."""
    _insert(ScheduleInput.__tablename__, INPUT_COLUMNS, {"document"},
            ((version_id, item.get("position", i), item["enterprise_id"], item["uscc"], item["region_code"],
              item["document_json"], item["facts_sha256"]) for i, item in enumerate(inputs)))
