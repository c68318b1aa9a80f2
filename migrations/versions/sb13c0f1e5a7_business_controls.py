"""business controls of issue 13: four eyes on grades, objection deduplication, USCC claims and releases

- grade_application.reviewed_by_id / approved_by_id: who accepted the documents and who approved, so the
  next step is someone else (L11);
- grade_objection.text_key / sender_key / lapsed: duplicate objections within one publicity are refused, and
  objections still open after the answer period are closed, recorded, when the grade is decided (M10);
- uscc_claim, uscc_release: a company claims its code with a licence scan; an official releases a
  never-submitted draft that holds it (M7).

Revision ID: sb13c0f1e5a7
Revises: rb14a1f0c0de
Create Date: 2026-12-04 23:40:00

"""
import sqlalchemy as sa
from alembic import op

from registry.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'sb13c0f1e5a7'
down_revision = 'rb14a1f0c0de'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grade_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_grade_application_reviewed_by_id_user_account'), 'user_account',
                                    ['reviewed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_grade_application_approved_by_id_user_account'), 'user_account',
                                    ['approved_by_id'], ['id'])
    with op.batch_alter_table('grade_objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_key', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sender_key', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lapsed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_grade_objection_text_key'), ['text_key'], unique=False)

    op.create_table(
        'uscc_claim',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('uscc', sa.String(length=18), nullable=False),
        sa.Column('code_region', sa.String(length=6), nullable=False),
        sa.Column('company_name', sa.String(length=200), nullable=False),
        sa.Column('contact', sa.String(length=120), nullable=False),
        sa.Column('claimant_id', sa.Integer(), nullable=True),
        sa.Column('evidence_filename', sa.String(length=200), nullable=False),
        sa.Column('evidence_content_type', sa.String(length=100), nullable=False),
        sa.Column('evidence_size', sa.Integer(), nullable=False),
        sa.Column('evidence_sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'granted', 'rejected')", name=op.f('ck_uscc_claim_status')),
        sa.ForeignKeyConstraint(['claimant_id'], ['user_account.id'], name=op.f('fk_uscc_claim_claimant_id_user_account'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_uscc_claim_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uscc_claim')),
    )
    with op.batch_alter_table('uscc_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uscc_claim_uscc'), ['uscc'], unique=False)
        batch_op.create_index(batch_op.f('ix_uscc_claim_code_region'), ['code_region'], unique=False)
        batch_op.create_index(batch_op.f('ix_uscc_claim_claimant_id'), ['claimant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uscc_claim_status'), ['status'], unique=False)

    op.create_table(
        'uscc_release',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uscc', sa.String(length=18), nullable=False),
        sa.Column('code_region', sa.String(length=6), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('draft_name', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('released_by_id', sa.Integer(), nullable=True),
        sa.Column('released_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_uscc_release_owner_id_user_account'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['claim_id'], ['uscc_claim.id'], name=op.f('fk_uscc_release_claim_id_uscc_claim')),
        sa.ForeignKeyConstraint(['released_by_id'], ['user_account.id'], name=op.f('fk_uscc_release_released_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uscc_release')),
    )
    with op.batch_alter_table('uscc_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uscc_release_uscc'), ['uscc'], unique=False)
        batch_op.create_index(batch_op.f('ix_uscc_release_code_region'), ['code_region'], unique=False)
        batch_op.create_index(batch_op.f('ix_uscc_release_owner_id'), ['owner_id'], unique=False)


def downgrade():
    op.drop_table('uscc_release')
    op.drop_table('uscc_claim')
    with op.batch_alter_table('grade_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_objection_text_key'))
        batch_op.drop_column('lapsed')
        batch_op.drop_column('sender_key')
        batch_op.drop_column('text_key')
    with op.batch_alter_table('grade_application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_grade_application_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_grade_application_reviewed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('reviewed_by_id')
