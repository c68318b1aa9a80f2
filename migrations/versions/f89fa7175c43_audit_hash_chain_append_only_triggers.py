"""audit hash chain, append-only triggers

Existing entries get prev_hash/entry_hash computed here (the same canonical JSON as
registry/core/audit.py, frozen in this file). Triggers refuse UPDATE of audit rows on SQLite
and UPDATE/DELETE on PostgreSQL. SQLite has no DELETE trigger: the test suite empties tables
with plain DELETEs between tests (PostgreSQL uses TRUNCATE, which row triggers do not see);
the ORM refuses deletes on both and `flask audit verify` detects a removed row.

Revision ID: f89fa7175c43
Revises: d44667479548
Create Date: 2026-11-27 06:16:22.386991

"""
import hashlib
import json
from datetime import timezone

from alembic import op
import sqlalchemy as sa
import registry.core.types


# revision identifiers, used by Alembic.
revision = 'f89fa7175c43'
down_revision = 'd44667479548'
branch_labels = None
depends_on = None


GENESIS = "0" * 64
HASHED_FIELDS = (
    "at", "user_id", "action", "object_type", "object_id", "root_type", "root_id",
    "region_code", "summary", "before", "after", "request_id",
)
MESSAGE = "audit_entry is append-only"


def _canonical(row: dict, prev_hash: str) -> str:
    data = {name: row[name] for name in HASHED_FIELDS}
    at = row["at"]
    if at is not None:
        at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        at = at.isoformat(timespec="microseconds")
    data["at"] = at
    data["summary"] = data["summary"] or ""
    data["root_type"] = data["root_type"] or ""
    data["prev_hash"] = prev_hash
    data = json.loads(json.dumps(data, default=str))
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash_existing_entries() -> None:
    table = sa.table(
        "audit_entry",
        sa.column("id", sa.Integer),
        sa.column("at", registry.core.types.UTCDateTime()),
        *(sa.column(n, sa.JSON) if n in ("before", "after") else sa.column(n) for n in HASHED_FIELDS if n != "at"),
        sa.column("prev_hash", sa.String),
        sa.column("entry_hash", sa.String),
    )
    conn = op.get_bind()
    prev = GENESIS
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(2000)
        ).mappings().all()
        if not rows:
            break
        for row in rows:
            digest = hashlib.sha256(_canonical(dict(row), prev).encode("utf-8")).hexdigest()
            conn.execute(
                table.update().where(table.c.id == row["id"]).values(prev_hash=prev, entry_hash=digest)
            )
            prev = digest
            last_id = row["id"]


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""")
    else:
        op.execute(f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_prev_hash'), ['prev_hash'])
    _hash_existing_entries()
    _create_triggers()


def downgrade():
    _drop_triggers()
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entry_prev_hash'), type_='unique')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
