"""approved facts: what an official last approved of each enterprise, for schedules and emergency lists

Issue 14 point 10: schedules and lists use reviewed facts only. A new table keeps one numbered copy of an
enterprise's registration (enterprise row, lines with emissions and equipment, permits) per approval; the
backfill takes a copy of every currently approved registration as it stands now (origin "backfill").
Reopened registrations (status draft/returned/submitted after an approval) cannot be told apart from new
ones here and get no copy: they join schedules and lists again when their amendment is approved.

Revision ID: ra14a10f0001
Revises: re14a1c9d3e2
Create Date: 2026-12-04 23:50:00

"""
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import registry.core.types

# revision identifiers, used by Alembic.
revision = 'ra14a10f0001'
down_revision = 're14a1c9d3e2'
branch_labels = None
depends_on = None

CHUNK = 500


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _row(row):
    return {k: _plain(v) for k, v in row._mapping.items()}


def upgrade():
    op.create_table(
        'approved_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('origin', sa.String(length=20), nullable=False),
        sa.Column('approved_at', registry.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_approved_facts_approved_by_id_user_account')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_approved_facts_enterprise_id_enterprise'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approved_facts')),
        sa.UniqueConstraint('enterprise_id', 'number', name=op.f('uq_approved_facts_number')),
    )
    with op.batch_alter_table('approved_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approved_facts_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approved_facts_region_code'), ['region_code'], unique=False)
    _backfill()


def _backfill():
    bind = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(bind, only=('enterprise', 'production_line', 'line_emission', 'equipment', 'permit', 'approved_facts'))
    e, ln, em, eq, pm = (meta.tables[n] for n in ('enterprise', 'production_line', 'line_emission', 'equipment', 'permit'))
    target = meta.tables['approved_facts']
    ids = [r[0] for r in bind.execute(sa.select(e.c.id).where(e.c.status == 'approved').order_by(e.c.id))]
    now = datetime.now(timezone.utc)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        out = {r.id: {"enterprise": _row(r), "lines": [], "permits": []}
               for r in bind.execute(sa.select(e).where(e.c.id.in_(chunk)))}
        lines = {}
        for r in bind.execute(sa.select(ln).where(ln.c.enterprise_id.in_(chunk)).order_by(ln.c.id)):
            lines[r.id] = {**_row(r), "emissions": [], "equipment": []}
            out[r.enterprise_id]["lines"].append(lines[r.id])
        line_ids = sa.select(ln.c.id).where(ln.c.enterprise_id.in_(chunk)).scalar_subquery()
        for r in bind.execute(sa.select(em).where(em.c.line_id.in_(line_ids)).order_by(em.c.line_id, em.c.pollutant)):
            lines[r.line_id]["emissions"].append(_row(r))
        for r in bind.execute(sa.select(eq).where(eq.c.line_id.in_(line_ids)).order_by(eq.c.id)):
            lines[r.line_id]["equipment"].append(_row(r))
        for r in bind.execute(sa.select(pm).where(pm.c.enterprise_id.in_(chunk)).order_by(pm.c.id)):
            out[r.enterprise_id]["permits"].append(_row(r))
        rows = [{"enterprise_id": eid, "number": 1, "region_code": data["enterprise"]["region_code"], "origin": "backfill",
                 "approved_at": now, "approved_by_id": None, "data": data} for eid, data in sorted(out.items())]
        if rows:
            bind.execute(target.insert(), rows)


def downgrade():
    with op.batch_alter_table('approved_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approved_facts_region_code'))
        batch_op.drop_index(batch_op.f('ix_approved_facts_enterprise_id'))
    op.drop_table('approved_facts')
