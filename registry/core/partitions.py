"""PostgreSQL partitions by season (issue 18 item 5; docs/scale.md).

On PostgreSQL, schedule_entry is PARTITIONED BY RANGE (phase_start) — migration sc18a5e1b0c7: one partition per
season year Y, `schedule_entry_sY`, for the entries whose stretch starts in [Y-07-01, Y+1-07-01) (a heating
season, 秋冬季 October–March, lies inside one such year), and `schedule_entry_default` for anything else, so an
insert never fails. `ensure` adds the partitions of the coming seasons (`flask partitions ensure`, run before
each season's schedules are generated, e.g. from the same timer as the backups); rows that landed in the default
partition for such a season are moved into the new partition in the same transaction. SQLite has no partitions:
everything here reports that and changes nothing.

Pure catalogue SQL on table names; no domain imports (core is the bottom layer).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Connection

from registry.core import timeutil

SEASON_TABLES = {"schedule_entry": "phase_start"}  # table → its partition key (a date column)
AHEAD = 2  # seasons after the current one that `ensure` prepares


def season_of(day: date) -> int:
    """The season year a date belongs to: from 1 July of Y to 30 June of Y+1."""
    return day.year if day.month >= 7 else day.year - 1


def season_bounds(year: int) -> tuple[date, date]:
    return date(year, 7, 1), date(year + 1, 7, 1)


def partition_name(table: str, year: int) -> str:
    return f"{table}_s{int(year)}"


@dataclass(frozen=True)
class Partition:
    name: str
    bound: str  # PostgreSQL's own words: FOR VALUES FROM ('2018-07-01') TO ('2019-07-01') | DEFAULT
    rows: int


def _check_table(table: str) -> str:
    if table not in SEASON_TABLES:
        raise ValueError(f"{table} is not partitioned by season")
    return table


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return conn.execute(text("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:t))"),
                        {"t": _check_table(table)}).scalar_one()


def partitions(conn: Connection, table: str) -> list[Partition]:
    """The table's partitions with their bounds and row counts (estimates are not good enough for a check)."""
    if not is_partitioned(conn, table):
        return []
    names = conn.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"), {"t": table}).all()
    return [Partition(name, bound, conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one())  # noqa: S608  # nosec B608  # names from pg_class
            for name, bound in names]


def ensure(conn: Connection, table: str = "schedule_entry", *, through: int | None = None,
           since: int | None = None) -> list[str]:
    """Create the season partitions of `table` from `since` (default: the current season) through `through`
    (default: AHEAD seasons after the current one) that do not exist yet; returns the names created. Rows of
    such a season already in the default partition move into the new one: the default partition is detached
    (its copies of the parent's triggers go with it, so moving a published version's rows is not taken for a
    change to them), the rows moved, and both attached again — one transaction, the caller's."""
    if not is_partitioned(conn, table):
        return []
    key = SEASON_TABLES[table]
    current = season_of(timeutil.beijing_today())
    created = []
    for year in range(current if since is None else since, (current + AHEAD if through is None else through) + 1):
        name = partition_name(table, year)
        if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar_one() is not None:
            continue
        lo, hi = season_bounds(year)
        default = f"{table}_default"
        waiting = conn.execute(text(f'SELECT count(*) FROM "{default}" WHERE {key} >= :lo AND {key} < :hi'),  # noqa: S608  # nosec B608  # names from SEASON_TABLES
                               {"lo": lo, "hi": hi}).scalar_one()
        bounds = f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')"
        if not waiting:
            conn.exec_driver_sql(f'CREATE TABLE "{name}" PARTITION OF {table} {bounds}')
        else:
            conn.exec_driver_sql(f'ALTER TABLE {table} DETACH PARTITION "{default}"')
            conn.exec_driver_sql(f'CREATE TABLE "{name}" (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
            conn.execute(text(f'INSERT INTO "{name}" SELECT * FROM "{default}" WHERE {key} >= :lo AND {key} < :hi'),  # noqa: S608  # nosec B608
                         {"lo": lo, "hi": hi})
            conn.execute(text(f'DELETE FROM "{default}" WHERE {key} >= :lo AND {key} < :hi'), {"lo": lo, "hi": hi})  # noqa: S608  # nosec B608
            conn.exec_driver_sql(f'ALTER TABLE {table} ATTACH PARTITION "{name}" {bounds}')
            conn.exec_driver_sql(f'ALTER TABLE {table} ATTACH PARTITION "{default}" DEFAULT')
        created.append(name)
    return created


_PARTITION = re.compile(r"(?P<table>\w+?)_(?:s\d{4}|default)")


def is_partition_name(name: str | None) -> bool:
    m = _PARTITION.fullmatch(name or "")
    return bool(m and m.group("table") in SEASON_TABLES)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's autogenerate filter (migrations/env.py, tests/integration/test_migrations.py): the season
    partitions are the migration's and `ensure`'s, not the models' — neither they nor their indexes are a
    difference to migrate."""
    if type_ == "table":
        return not (reflected and compare_to is None and is_partition_name(name))
    table = getattr(obj, "table", None)
    return not is_partition_name(getattr(table, "name", None))
