"""schedule_entry partitioned by season on PostgreSQL (issue 18 item 5, docs/scale.md)

PostgreSQL: schedule_entry becomes a table PARTITIONED BY RANGE (phase_start), one partition per season year
Y holding the entries whose stretch starts in [Y-07-01, Y+1-07-01) (a heating season, 秋冬季 October–March,
falls inside one such year), named schedule_entry_sY, plus schedule_entry_default for any other date so an
insert never fails. Partitions are made here from the oldest season in the table (2017 at the latest) to two
seasons after today's; `flask partitions ensure` adds later ones (registry/core/partitions.py).

Why this table and this key: it is the largest table (lines × phases × versions), nothing references it
(no foreign key points into schedule_entry, so the key does not have to travel into other tables), and every
row has its season in phase_start. A partitioned table's primary key must contain the partition key, so the
key becomes (id, phase_start); id stays unique on its own (one sequence), which is all the ORM relies on.

The swap: the old table is renamed, the partitioned one made LIKE it (columns, defaults, CHECKs), the
partitions created, the rows copied, the old table dropped, and the primary key, foreign key, indexes and
triggers recreated from their definitions as read from the catalog before the swap (the frozen-version
triggers, including the statement trigger with its transition table, which PostgreSQL allows on the
partitioned parent). Downgrade swaps back to a plain table the same way. SQLite: unchanged (a no-op).

Revision ID: sc18a5e1b0c7
Revises: ld18a1e0c0de
Create Date: 2026-12-05 06:30:00

"""
from datetime import date

from alembic import op

# revision identifiers, used by Alembic.
revision = 'sc18a5e1b0c7'
down_revision = 'ld18a1e0c0de'
branch_labels = None
depends_on = None

TABLE = "schedule_entry"
KEY = "phase_start"
FIRST_SEASON = 2017  # the oldest season of the shipped packs (2017-18)
AHEAD = 2


def _season(d: date) -> int:
    return d.year if d.month >= 7 else d.year - 1


def _catalog(conn, table: str) -> dict:
    """What must be recreated after the swap, read from the catalog: FKs, indexes (not the PK's), triggers."""
    oid = conn.exec_driver_sql(f"SELECT '{table}'::regclass::oid").scalar_one()
    return {
        "fks": conn.exec_driver_sql(
            f"SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = {oid} AND contype = 'f' "
            "ORDER BY conname").all(),
        "indexes": [d.replace(" ON ONLY ", " ON ") for (d,) in conn.exec_driver_sql(
            f"SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = {oid} AND NOT indisprimary "
            "ORDER BY indexrelid").all()],
        "triggers": [d for (d,) in conn.exec_driver_sql(
            f"SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = {oid} AND NOT tgisinternal "
            "ORDER BY tgname").all()],
        "sequence": conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar_one(),
        "referenced_by": conn.exec_driver_sql(
            f"SELECT conrelid::regclass::text FROM pg_constraint WHERE confrelid = {oid} AND contype = 'f'").all(),
    }


def _swap(conn, partitioned: bool) -> None:
    old = f"{TABLE}__swap"
    cat = _catalog(conn, TABLE)
    if cat["referenced_by"]:
        raise RuntimeError(f"{TABLE} is referenced by {cat['referenced_by']}: its key would have to travel there")
    if cat["sequence"]:
        op.execute(f"ALTER SEQUENCE {cat['sequence']} OWNED BY NONE")
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
    like = f"(LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)"
    if partitioned:
        op.execute(f"CREATE TABLE {TABLE} {like} PARTITION BY RANGE ({KEY})")
        lo, hi = conn.exec_driver_sql(f"SELECT min({KEY}), max({KEY}) FROM {old}").one()
        today = conn.exec_driver_sql("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date").scalar_one()
        first = min(FIRST_SEASON, _season(lo)) if lo else FIRST_SEASON
        last = max(_season(today), _season(hi) if hi else 0) + AHEAD
        for year in range(first, last + 1):
            op.execute(f"CREATE TABLE {TABLE}_s{year} PARTITION OF {TABLE} "
                       f"FOR VALUES FROM ('{year}-07-01') TO ('{year + 1}-07-01')")
        op.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    else:
        op.execute(f"CREATE TABLE {TABLE} {like}")
    op.execute(f"INSERT INTO {TABLE} SELECT * FROM {old}")  # before the triggers: the rows are not new
    op.execute(f"DROP TABLE {old}")
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (id{', ' + KEY if partitioned else ''})")
    for name, definition in cat["fks"]:
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    for definition in cat["indexes"]:
        op.execute(definition)
    for definition in cat["triggers"]:
        op.execute(definition)
    if cat["sequence"]:
        op.execute(f"ALTER SEQUENCE {cat['sequence']} OWNED BY {TABLE}.id")
    op.execute(f"ANALYZE {TABLE}")


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _swap(conn, partitioned=True)


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _swap(conn, partitioned=False)
