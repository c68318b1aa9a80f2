"""schedule rows: on PostgreSQL, INSERTs are checked once per statement (transition table), not per row

A draft of a large city is written by COPY (registry/schedules/storage.py); a row trigger that looks up the
version for each of 25,000 entries cost more than the rows themselves. The INSERT check moves to an AFTER …
FOR EACH STATEMENT trigger over the inserted rows (REFERENCING NEW TABLE), refusing the whole statement if any
row belongs to a published version — same message. UPDATE and DELETE stay row triggers. SQLite is unchanged
(its row triggers are cheap).

Revision ID: 5c1e7d2b9a40
Revises: 2a65e9327bbb
Create Date: 2026-11-27 09:12:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1e7d2b9a40'
down_revision = '2a65e9327bbb'
branch_labels = None
depends_on = None

FROZEN = "published schedule versions are immutable: file a new version"
ROW_TABLES = ("schedule_entry", "schedule_input")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""CREATE OR REPLACE FUNCTION schedule_rows_insert_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM inserted_rows r JOIN schedule_version v ON v.id = r.version_id
                     WHERE v.status = 'published') THEN
            RAISE EXCEPTION '{FROZEN}';
          END IF;
          RETURN NULL;
        END $$""")
    for table in ROW_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute(f"""CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION schedule_rows_frozen()""")
        op.execute(f"""CREATE TRIGGER {table}_frozen_insert AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION schedule_rows_insert_frozen()""")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ROW_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_insert ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute(f"""CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION schedule_rows_frozen()""")
    op.execute("DROP FUNCTION IF EXISTS schedule_rows_insert_frozen()")
