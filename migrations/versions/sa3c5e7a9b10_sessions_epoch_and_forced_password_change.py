"""sessions end server-side (user_account.session_epoch) and forced password change after a reset

Revision ID: sa3c5e7a9b10
Revises: 5c1e7d2b9a40
Create Date: 2026-12-04 23:40:00

Issue 13 Medium 2 (sessions survive logout, password change and reset) and Low 9 (a reset
password the security administrator knows is not changed at the next sign-in).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'sa3c5e7a9b10'
down_revision = '5c1e7d2b9a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_epoch')
