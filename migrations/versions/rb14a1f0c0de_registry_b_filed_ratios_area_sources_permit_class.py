"""issue 14 (registry side): filed ratios (001:101), the society-wide inventory (000:149), permit management class

- schedule_flag_choice.value: the ratio a choice enters (ratio_in_filed_plan, 001:101);
- schedule_version.filed_ratios: each line's ratio as the district filed it;
- emergency_area_source: a city's non-industrial sources per pollutant with their reductions per level;
- emergency_list.area_sources: that inventory frozen with the list;
- permit.management_class: 重点 / 简化 / 登记管理.

Revision ID: rb14a1f0c0de
Revises: sba1c0ffee13
Create Date: 2026-12-04 23:50:00

"""
import sqlalchemy as sa
from alembic import op

from registry.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'rb14a1f0c0de'
down_revision = 'sba1c0ffee13'
branch_labels = None
depends_on = None

LEVELS = ("blue", "yellow", "orange", "red")


def upgrade():
    op.add_column("schedule_flag_choice", sa.Column("value", sa.Numeric(5, 2), nullable=True))
    op.add_column("schedule_version", sa.Column("filed_ratios", sa.JSON(), nullable=True))
    op.add_column("emergency_list", sa.Column("area_sources", sa.JSON(), nullable=True))
    op.add_column("permit", sa.Column("management_class", sa.String(20), nullable=True))
    op.create_table(
        "emergency_area_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("pollutant", sa.String(10), nullable=False),
        sa.Column("daily_kg", sa.Numeric(14, 3), nullable=False),
        *(sa.Column(f"reduction_{lv}", sa.Numeric(5, 2), nullable=False) for lv in LEVELS),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("category IN ('mobile', 'dust', 'residential_burning', 'other')", name=op.f("ck_emergency_area_source_category")),
        sa.CheckConstraint("pollutant IN ('so2', 'nox', 'pm', 'vocs')", name=op.f("ck_emergency_area_source_pollutant")),
        sa.CheckConstraint("daily_kg >= 0", name=op.f("ck_emergency_area_source_daily_kg")),
        *(sa.CheckConstraint(f"reduction_{lv} >= 0 AND reduction_{lv} <= 100", name=op.f(f"ck_emergency_area_source_reduction_{lv}"))
          for lv in LEVELS),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"], name=op.f("fk_emergency_area_source_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_area_source")),
        sa.UniqueConstraint("region_code", "category", "pollutant", name="uq_emergency_area_source"),
    )
    with op.batch_alter_table("emergency_area_source") as batch:
        batch.create_index(batch.f("ix_emergency_area_source_region_code"), ["region_code"], unique=False)


def downgrade():
    with op.batch_alter_table("emergency_area_source") as batch:
        batch.drop_index(batch.f("ix_emergency_area_source_region_code"))
    op.drop_table("emergency_area_source")
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("management_class")
    with op.batch_alter_table("emergency_list") as batch:
        batch.drop_column("area_sources")
    with op.batch_alter_table("schedule_version") as batch:
        batch.drop_column("filed_ratios")
    with op.batch_alter_table("schedule_flag_choice") as batch:
        batch.drop_column("value")
