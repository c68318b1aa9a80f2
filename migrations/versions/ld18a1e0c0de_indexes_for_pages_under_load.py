"""Indexes for the pages under load at province scale (issue 18 item 4, bench/load/run.py, bench/pages.py):

- enterprise (updated_at, id): the officials' enterprise list orders by (updated_at desc, id desc); with
  updated_at alone, rows sharing a time (an Excel import writes thousands at once) were sorted on every request —
  at 60,000 imported enterprises PostgreSQL read all of them to show 25;
- audit_entry (region_code, root_type, id): the newest enterprise-rooted entry of a county, which tells whether a
  remembered county supervision listing still stands (registry/policy/supervision.py), in one index probe;
- production_line (sector, enterprise_id): the ungraded page's "a line in a graded industry" read from the index
  alone instead of every line of the province.

Revision ID: ld18a1e0c0de
Revises: reg16a0e1f2a3
Create Date: 2026-12-05 06:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ld18a1e0c0de'
down_revision = 'reg16a0e1f2a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_enterprise_updated_at_id", "enterprise", ["updated_at", "id"])
    op.drop_index("ix_enterprise_updated_at", table_name="enterprise")
    op.create_index("ix_audit_entry_region_root", "audit_entry", ["region_code", "root_type", "id"])
    op.create_index("ix_production_line_sector_enterprise", "production_line", ["sector", "enterprise_id"])


def downgrade():
    op.drop_index("ix_production_line_sector_enterprise", table_name="production_line")
    op.drop_index("ix_audit_entry_region_root", table_name="audit_entry")
    op.create_index("ix_enterprise_updated_at", "enterprise", ["updated_at"])
    op.drop_index("ix_enterprise_updated_at_id", table_name="enterprise")
