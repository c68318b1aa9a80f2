"""audit checkpoints: signed chain heads in an append-only table (issue 13, Low 3)

Revision ID: sba1c0ffee13
Revises: sa3c5e7a9b10
Create Date: 2026-12-04 23:40:00

"""
import sqlalchemy as sa
from alembic import op

import registry.core.types

# revision identifiers, used by Alembic.
revision = 'sba1c0ffee13'
down_revision = 'sa3c5e7a9b10'
branch_labels = None
depends_on = None

MESSAGE = "audit_checkpoint is append-only"


def upgrade():
    op.create_table(
        'audit_checkpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', registry.core.types.UTCDateTime(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('entry_hash', sa.String(length=64), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
            FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only()""")
    else:
        op.execute(f"""CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
        op.execute(f"""CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_checkpoint")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoint_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_delete")
    op.drop_table('audit_checkpoint')
