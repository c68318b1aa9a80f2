"""notices: the letterhead of a published schedule version and of a filed emergency list

A notice posted at a factory gate names who issued it, its document number and its date (issue 16 item 4):
publishing a schedule version and filing an emergency list record them (发文机关, 文号, 成文日期). Plain ADD
COLUMN on both databases (SQLite keeps the schedule version's immutability triggers: no table rebuild).

Revision ID: no16a4e1c0de
Revises: al17a1e0c0de
Create Date: 2026-12-05 02:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'no16a4e1c0de'
down_revision = 'al17a1e0c0de'
branch_labels = None
depends_on = None

TABLES = ('schedule_version', 'emergency_list')
COLUMNS = ('issuing_authority', 'document_number', 'issued_on')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('issuing_authority', sa.String(length=120), nullable=False, server_default=''))
        op.add_column(table, sa.Column('document_number', sa.String(length=60), nullable=False, server_default=''))
        op.add_column(table, sa.Column('issued_on', sa.Date(), nullable=True))


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for name in reversed(COLUMNS):
            if dialect == 'sqlite':  # DROP COLUMN exists since SQLite 3.35; no rebuild, so the triggers stay
                op.execute(f'ALTER TABLE {table} DROP COLUMN {name}')
            else:
                op.drop_column(table, name)
