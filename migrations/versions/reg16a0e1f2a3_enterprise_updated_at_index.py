"""enterprise.updated_at indexed: the officials' enterprise list (newest change first) reads one page of the index
instead of sorting the province's 60,000 rows on every request (issue 16, bench/pages.py)

Revision ID: reg16a0e1f2a3
Revises: no16a4e1c0de
Create Date: 2026-12-05 03:25:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'reg16a0e1f2a3'
down_revision = 'no16a4e1c0de'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_enterprise_updated_at", "enterprise", ["updated_at"])


def downgrade():
    op.drop_index("ix_enterprise_updated_at", table_name="enterprise")
