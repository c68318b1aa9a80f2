"""enterprise.city_logistics: 城市物流配送企业 (004:394), in scope of the truck bans that name them (issue 14 point 6)

Revision ID: re14a1c9d3e2
Revises: sb13c0f1e5a7
Create Date: 2026-12-04 23:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 're14a1c9d3e2'
down_revision = 'sb13c0f1e5a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(sa.Column("city_logistics", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("city_logistics")
