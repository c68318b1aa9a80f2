"""The readings store (issue 19): Parquet files partitioned by city and day, read in place with DuckDB.

THE data-layer interface of readings: everything above it (ingest, baselines, the compliance checks, pages, the
bench) goes through `ReadingsStore`, so the checks are tested on a few small files in `tmp_path` and the same code
runs over a province's season — or, at national scale, over object storage read by a distributed engine
(docs/verification.md): only this module changes.

Layout (hive partitioning)::

    <root>/<kind>/city=<city code>/day=<YYYY-MM-DD>/part-<uuid>.parquet

Canonical columns (`SCHEMAS`; `city_code` and `day` are the partition keys, kept in the directory names, not in the
files; `ts` is Beijing time without a zone, as the meters and the gate ledgers write it):

- electricity: city_code, day, enterprise_id, meter_id, ts, kwh (energy used in the meter's interval that STARTS at
  ts: 15 or 60 minutes, `Meter.interval_minutes`; loaders convert end-stamped exports)
- cems: city_code, day, enterprise_id, stack_id, ts (start of the hour), so2, nox, pm (mg/m³), o2 (%), flow (m³/h),
  status (HJ 212 data flag: N normal, F stopped, M maintenance, S set, D fault, C calibration, T over range,
  B transmission failure)
- gate: city_code, day, enterprise_id, ts, plate, emission_standard, fuel, cargo, direction ("in" | "out")

`append` is idempotent: a row whose natural key (`KEYS`) is already stored, or repeated in the same table, is counted
as a duplicate and not written again (the first stored value stands). Appends of one kind are serialised by a file
lock; files are written in a staging directory and renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KINDS = ("electricity", "cems", "gate")

TS = pa.timestamp("us")
SCHEMAS: dict[str, pa.Schema] = {
    "electricity": pa.schema([("city_code", pa.string()), ("day", pa.date32()), ("enterprise_id", pa.int64()),
                              ("meter_id", pa.int64()), ("ts", TS), ("kwh", pa.float64())]),
    "cems": pa.schema([("city_code", pa.string()), ("day", pa.date32()), ("enterprise_id", pa.int64()),
                       ("stack_id", pa.int64()), ("ts", TS), ("so2", pa.float64()), ("nox", pa.float64()),
                       ("pm", pa.float64()), ("o2", pa.float64()), ("flow", pa.float64()), ("status", pa.string())]),
    "gate": pa.schema([("city_code", pa.string()), ("day", pa.date32()), ("enterprise_id", pa.int64()),
                       ("ts", TS), ("plate", pa.string()), ("emission_standard", pa.string()), ("fuel", pa.string()),
                       ("cargo", pa.string()), ("direction", pa.string())]),
}
KEYS: dict[str, tuple[str, ...]] = {
    "electricity": ("meter_id", "ts"),
    "cems": ("stack_id", "ts"),
    "gate": ("enterprise_id", "ts", "plate", "direction"),
}
PARTITION = ("city_code", "day")
_CITY = re.compile(r"^\d{6}$")
# Reviewed (bandit B608 / ruff S608): the SQL text below is built only from this module's constants (kinds, column
# names and types), validated column names, and file paths the store lists itself, quoted by `_quote`; values are
# bound parameters.
_DUCK_TYPES = {pa.string(): "VARCHAR", pa.date32(): "DATE", pa.int64(): "BIGINT", TS: "TIMESTAMP",
               pa.float64(): "DOUBLE"}


class StoreError(ValueError):
    """A table the store cannot take (unknown kind, missing or mistyped columns, a bad city code)."""


@dataclass
class AppendResult:
    accepted: int = 0        # rows written
    duplicates: int = 0      # rows already stored, or repeated in the table (not written)
    partitions: list[tuple[str, date]] = field(default_factory=list)  # (city_code, day) touched by accepted rows

    def __add__(self, other: "AppendResult") -> "AppendResult":
        return AppendResult(self.accepted + other.accepted, self.duplicates + other.duplicates,
                            sorted(set(self.partitions) | set(other.partitions)))


def value_columns(kind: str) -> list[str]:
    """The columns stored inside the files (everything but the partition keys)."""
    return [f.name for f in SCHEMAS[kind] if f.name not in PARTITION]


def empty_table(kind: str) -> pa.Table:
    return SCHEMAS[kind].empty_table()


def conform(kind: str, table: pa.Table) -> pa.Table:
    """The table in the canonical column order and types; `day` derived from `ts` when absent."""
    if kind not in SCHEMAS:
        raise StoreError(f"unknown kind {kind!r}")
    schema = SCHEMAS[kind]
    if "day" not in table.column_names and "ts" in table.column_names:
        table = table.append_column("day", table.column("ts").cast(TS).cast(pa.date32()))
    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise StoreError(f"{kind}: missing columns {missing}")
    try:
        return pa.table([table.column(f.name).cast(f.type) for f in schema], schema=schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
        raise StoreError(f"{kind}: {err}") from err


def _as_bounds(start: date | datetime | None, end: date | datetime | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) as Beijing datetimes; a date `end` means the whole of that day."""
    lo = datetime.combine(start, time()) if isinstance(start, date) and not isinstance(start, datetime) else start
    if isinstance(end, date) and not isinstance(end, datetime):
        hi: datetime | None = datetime.combine(end + timedelta(days=1), time())
    else:
        hi = end
    if lo is not None and lo.tzinfo is not None:
        raise StoreError("store times are Beijing wall-clock times without a zone")
    if hi is not None and hi.tzinfo is not None:
        raise StoreError("store times are Beijing wall-clock times without a zone")
    return lo, hi


class ReadingsStore:
    """Parquet under `root`, DuckDB over it. One instance per process is enough (connections are per thread)."""

    def __init__(self, root: Path | str, *, threads: int | None = None, memory_limit: str | None = None):
        self.root = Path(root)
        self.threads = threads
        self.memory_limit = memory_limit
        self._local = threading.local()

    # ---------------------------------------------------------------- DuckDB
    def connect(self) -> duckdb.DuckDBPyConnection:
        """A fresh in-memory DuckDB connection with one view per kind over the files (re-globbed per query)."""
        con = duckdb.connect(":memory:")
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.execute("SET memory_limit = ?", [self.memory_limit])
        con.execute("SET preserve_insertion_order = false")
        for kind in KINDS:
            con.execute(f"CREATE OR REPLACE VIEW {kind} AS {self._source_sql(kind)}")
        return con

    def _con(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self.connect()
        return con

    def _refresh(self, con: duckdb.DuckDBPyConnection) -> None:
        """Views bind their file list when created: re-create them so files appended since are seen."""
        for kind in KINDS:
            con.execute(f"CREATE OR REPLACE VIEW {kind} AS {self._source_sql(kind)}")

    def _source_sql(self, kind: str, files: list[str] | None = None) -> str:
        schema = SCHEMAS[kind]
        cols = ", ".join(f"CAST({f.name} AS {_DUCK_TYPES[f.type]}) AS {f.name}" for f in schema if f.name not in PARTITION)
        if files is None:
            if not any(self.kind_dir(kind).glob("city=*/day=*/*.parquet")):
                return self._empty_sql(kind)
            source = _quote(str(self.kind_dir(kind) / "city=*" / "day=*" / "*.parquet"))
        else:
            if not files:
                return self._empty_sql(kind)
            source = "[" + ", ".join(_quote(f) for f in files) + "]"
        options = "hive_partitioning = true, hive_types = {'city': VARCHAR, 'day': DATE}, union_by_name = true"
        return f"SELECT city AS city_code, day, {cols} FROM read_parquet({source}, {options})"  # noqa: S608  # nosec B608

    @staticmethod
    def _empty_sql(kind: str) -> str:
        cols = ", ".join(f"NULL::{_DUCK_TYPES[f.type]} AS {f.name}" for f in SCHEMAS[kind])
        return f"SELECT {cols} WHERE false"

    def scan(self, kind: str, city_codes: Iterable[str] | None = None, start: date | datetime | None = None,
             end: date | datetime | None = None, *, columns: Iterable[str] | None = None) -> duckdb.DuckDBPyRelation:
        """The readings of `kind` in the cities and the half-open Beijing-time window [start, end) (a date `end`
        includes that day), as a DuckDB relation (`.to_arrow_table()`, `.df()`, `.fetchall()`, or more SQL on
        it). Only the partition directories of those cities and days are opened."""
        if kind not in SCHEMAS:
            raise StoreError(f"unknown kind {kind!r}")
        lo, hi = _as_bounds(start, end)
        files = self.files(kind, city_codes, lo.date() if lo else None,
                           (hi - timedelta(microseconds=1)).date() if hi else None)
        con = self._con()
        where, params = [], []
        if lo is not None:
            where.append("ts >= ?")
            params.append(lo)
        if hi is not None:
            where.append("ts < ?")
            params.append(hi)
        select = ", ".join(columns) if columns else "*"
        for name in (columns or ()):
            if name not in SCHEMAS[kind].names:
                raise StoreError(f"{kind}: unknown column {name!r}")
        sql = f"SELECT {select} FROM ({self._source_sql(kind, files)})"  # noqa: S608  # nosec B608
        if where:
            sql += " WHERE " + " AND ".join(where)
        return con.sql(sql, params=params or None)

    def sql(self, query: str, params: list[Any] | dict[str, Any] | None = None, *,
            tables: dict[str, pa.Table] | None = None) -> pa.Table:
        """Any DuckDB query over the views `electricity`, `cems` and `gate` (the whole store; filter on
        `city_code` and `day` to prune partitions), and over the Arrow `tables` given (registered under their names
        for this query only: windows, meters, excluded days…). Returns an Arrow table."""
        con = self._con()
        self._refresh(con)
        for name, table in (tables or {}).items():
            con.register(name, table)
        try:
            return con.sql(query, params=params).to_arrow_table()
        finally:
            for name in tables or {}:
                con.unregister(name)

    def relation(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> duckdb.DuckDBPyRelation:
        """As `sql`, but the DuckDB relation (lazy; for more SQL on top)."""
        con = self._con()
        self._refresh(con)
        return con.sql(query, params=params)

    # ---------------------------------------------------------------- files and partitions
    def kind_dir(self, kind: str) -> Path:
        if kind not in SCHEMAS:
            raise StoreError(f"unknown kind {kind!r}")
        return self.root / kind

    def partitions(self, kind: str, city_codes: Iterable[str] | None = None, first_day: date | None = None,
                   last_day: date | None = None, days: Iterable[date] | None = None) -> Iterator[tuple[str, date, Path]]:
        """(city_code, day, directory) of every stored partition within the cities and days (inclusive; or exactly
        the `days` listed)."""
        wanted = None if days is None else set(days)
        base = self.kind_dir(kind)
        if not base.is_dir():
            return
        cities = None if city_codes is None else set(city_codes)
        for cdir in sorted(base.iterdir()):
            if not cdir.name.startswith("city="):
                continue
            city = cdir.name[5:]
            if cities is not None and city not in cities:
                continue
            for ddir in sorted(cdir.iterdir()):
                if not ddir.name.startswith("day="):
                    continue
                try:
                    day = date.fromisoformat(ddir.name[4:])
                except ValueError:
                    continue
                if (first_day and day < first_day) or (last_day and day > last_day):
                    continue
                if wanted is not None and day not in wanted:
                    continue
                yield city, day, ddir

    def files(self, kind: str, city_codes: Iterable[str] | None = None, first_day: date | None = None,
              last_day: date | None = None, days: Iterable[date] | None = None) -> list[str]:
        return [str(p) for _c, _d, ddir in self.partitions(kind, city_codes, first_day, last_day, days)
                for p in sorted(ddir.glob("*.parquet"))]

    def source(self, kind: str, city_codes: Iterable[str] | None = None, first_day: date | None = None,
               last_day: date | None = None, days: Iterable[date] | None = None) -> str:
        """SQL text of a subquery over exactly the partitions of those cities and days (for `sql(...)`: the
        partition pruning is done here, from the directory names, whatever the query's shape)."""
        return "(" + self._source_sql(kind, self.files(kind, city_codes, first_day, last_day, days)) + ")"

    def count(self, kind: str) -> int:
        files = self.files(kind)
        if not files:
            return 0
        return int(self._con().execute(f"SELECT count(*) FROM ({self._source_sql(kind, files)})").fetchall()[0][0])  # noqa: S608  # nosec B608

    # ---------------------------------------------------------------- writing
    @contextmanager
    def _lock(self, kind: str):
        self.kind_dir(kind).mkdir(parents=True, exist_ok=True)
        with open(self.kind_dir(kind) / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def append(self, kind: str, table: pa.Table) -> AppendResult:
        """Write the rows not stored yet (by their natural key) into their city/day partitions; idempotent."""
        table = conform(kind, table)
        if table.num_rows == 0:
            return AppendResult()
        cities = pc.unique(table.column("city_code")).to_pylist()
        bad = [c for c in cities if c is None or not _CITY.match(c)]
        if bad:
            raise StoreError(f"{kind}: bad city codes {bad[:5]}")
        for name in KEYS[kind]:
            if table.column(name).null_count:
                raise StoreError(f"{kind}: empty key column {name}")
        keys = ", ".join(KEYS[kind])
        cols = ", ".join(value_columns(kind))
        with self._lock(kind):
            con = self.connect()
            try:
                con.register("incoming", table)
                days = table.column("day")
                existing = self.files(kind, cities, pc.min(days).as_py(), pc.max(days).as_py())
                fresh = "SELECT * FROM incoming" if _keys_unique(kind, table) else \
                    f"SELECT DISTINCT ON ({keys}) * FROM incoming"  # noqa: S608  # nosec B608
                if existing:
                    stored = self._source_sql(kind, existing)
                    fresh = f"SELECT f.* FROM ({fresh}) f ANTI JOIN ({stored}) e USING (city_code, day, {keys})"  # noqa: S608  # nosec B608
                staging = self.root / ".staging" / uuid.uuid4().hex
                staging.mkdir(parents=True)
                try:
                    options = ("FORMAT parquet, PARTITION_BY (city, day), FILENAME_PATTERN 'part-{uuid}', "
                               "COMPRESSION zstd, ROW_GROUP_SIZE 262144")
                    target = _quote(str(staging))
                    copy = f"COPY (SELECT city_code AS city, day, {cols} FROM ({fresh})) TO {target} ({options})"  # noqa: S608  # nosec B608
                    written = con.execute(copy).fetchone()[0]
                    touched = self._publish(kind, staging)
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
            finally:
                con.close()
        return AppendResult(int(written), table.num_rows - int(written), touched)

    def _publish(self, kind: str, staging: Path) -> list[tuple[str, date]]:
        touched = []
        for cdir in staging.iterdir():
            for ddir in cdir.iterdir():
                target = self.kind_dir(kind) / cdir.name / ddir.name
                target.mkdir(parents=True, exist_ok=True)
                for f in ddir.iterdir():
                    os.replace(f, target / f.name)  # same file system: atomic per file
                touched.append((cdir.name[5:], date.fromisoformat(ddir.name[4:])))
        return sorted(touched)

    def compact(self, kind: str, city_codes: Iterable[str] | None = None, min_files: int = 8) -> int:
        """Rewrite each partition holding at least `min_files` files as one file (many small appends, e.g. a stream,
        leave many small files). Returns the number of partitions rewritten."""
        done = 0
        with self._lock(kind):
            for _city, _day, ddir in list(self.partitions(kind, city_codes)):
                files = sorted(ddir.glob("*.parquet"))
                if len(files) < min_files:
                    continue
                con = self.connect()
                try:
                    tmp = ddir / f".compact-{uuid.uuid4().hex}.parquet"
                    sources, target = ", ".join(_quote(str(f)) for f in files), _quote(str(tmp))
                    con.execute(f"COPY (SELECT * FROM read_parquet([{sources}])) TO {target} (FORMAT parquet, COMPRESSION zstd)")  # noqa: S608  # nosec B608
                finally:
                    con.close()
                os.replace(tmp, ddir / f"part-{uuid.uuid4()}.parquet")
                for f in files:
                    f.unlink()
                done += 1
        return done


def _keys_unique(kind: str, table: pa.Table) -> bool:
    """A cheap proof that the table repeats no key (the usual file): (id, whole second) packed in one int64 and hashed.
    Unique coarse keys imply unique keys; anything else (or another kind) goes through DISTINCT ON."""
    if kind not in ("electricity", "cems"):
        return False
    ident = table.column(KEYS[kind][0])
    seconds = pc.divide(pc.cast(table.column("ts"), pa.int64()), 1_000_000)
    if pc.min(ident).as_py() < 0 or pc.max(ident).as_py() >= 1 << 31 or pc.min(seconds).as_py() < 0:
        return False
    packed = (np.asarray(ident, dtype=np.int64) << 32) | np.asarray(seconds, dtype=np.int64)  # seconds fit 32 bits
    if len(packed) < 2 or bool((np.diff(packed) > 0).all()):  # already in key order (a meter's file usually is)
        return True
    ordered = np.sort(packed)  # numpy's sort of nearly sorted keys is fast; a hash of millions of keys is not
    return bool((np.diff(ordered) != 0).all())


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def store_for(app) -> ReadingsStore:
    """The app's store: READINGS_DIR (default <instance>/readings), one per app."""
    store = app.extensions.get("readings_store")
    configured = app.config.get("READINGS_DIR")
    if not configured and app.config.get("TESTING"):  # tests never write into the instance directory
        import tempfile

        configured = Path(tempfile.gettempdir()) / f"lantian-readings-test-{os.getpid()}"
    root = Path(configured or Path(app.instance_path) / "readings")
    if store is None or store.root != root:
        store = app.extensions["readings_store"] = ReadingsStore(
            root, threads=app.config.get("READINGS_DUCKDB_THREADS"), memory_limit=app.config.get("READINGS_DUCKDB_MEMORY"))
    return store


def current_store() -> ReadingsStore:
    from flask import current_app

    return store_for(current_app)
