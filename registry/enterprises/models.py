"""Enterprise, production line, equipment, emission status and permit records (DOMAIN.md §4.3).

Controlled vocabularies come from grading.vocab and are enforced by CHECK constraints, so a
bad code is refused by the database too, whichever door it came through.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grading.vocab import (
    EmissionStatus,
    Fuel,
    LineKind,
    LivelihoodTask,
    PermitKind,
    PermitStatus,
    Pollutant,
    ProductLevel,
    ScatteredClass,
    Sector,
    SubType,
    TechnologyLevel,
    TransportStructure,
)
from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime, in_vocabulary
from registry.extensions import db


class RegistrationStatus(str, enum.Enum):
    """draft → submitted → approved, or → returned (with a reason) → submitted again."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


# Shown in the reader's language (zh: 草稿, 已提交待审核, 已退回, 已通过); the same msgids as core.templating.
STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted for review"), "returned": _l("Returned"),
                 "approved": _l("Approved")}


def _pct(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR ({column} >= 0 AND {column} <= 100)", name=f"{column}_pct")


def _nonneg(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} >= 0", name=f"{column}_nonneg")


class Enterprise(db.Model):
    __tablename__ = "enterprise"
    __table_args__ = (
        Index("ix_enterprise_updated_at_id", "updated_at", "id"),  # the officials' list order (issue 18)
        CheckConstraint(in_vocabulary("sector", Sector), name="sector"),
        CheckConstraint(in_vocabulary("sub_type", SubType), name="sub_type"),
        CheckConstraint(in_vocabulary("scattered_class", ScatteredClass), name="scattered_class"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'approved')", name="status"
        ),
        CheckConstraint(
            "technology_level IS NULL OR " + in_vocabulary("technology_level", TechnologyLevel),
            name="technology_level",
        ),
        CheckConstraint(
            "transport_structure IS NULL OR "
            + in_vocabulary("transport_structure", TransportStructure),
            name="transport_structure",
        ),
        CheckConstraint(
            "product_level IS NULL OR " + in_vocabulary("product_level", ProductLevel),
            name="product_level",
        ),
        CheckConstraint(
            "livelihood_task IS NULL OR " + in_vocabulary("livelihood_task", LivelihoodTask),
            name="livelihood_task",
        ),
        _nonneg("capacity_utilisation_2018"),  # may exceed 100 % (003:51: >120 %)
        _pct("rail_share"),
        _pct("livelihood_max_load"),
        _nonneg("heavy_diesel_vehicles"),
        _nonneg("bulk_freight_mt"),
        _nonneg("gate_video_retention_months"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, GB 32100
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)  # county level
    township: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    sector: Mapped[str] = mapped_column(String(40))
    sub_type: Mapped[str] = mapped_column(String(40), default=SubType.NONE.value)
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.DRAFT.value, index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the list's order: (updated_at, id) indexed together (ix_enterprise_updated_at_id, issue 18)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # Location flags (004:382, 000:113, 002:669, 002:149, 004:99)
    in_built_up_area: Mapped[bool] = mapped_column(Boolean, default=False)
    in_main_urban_area: Mapped[bool] = mapped_column(Boolean, default=False)
    in_key_area: Mapped[bool] = mapped_column(Boolean, default=False)
    in_urban_planning_area: Mapped[bool] = mapped_column(Boolean, default=False)
    in_coal_ban_zone: Mapped[bool] = mapped_column(Boolean, default=False)
    cluster_name: Mapped[str] = mapped_column(String(120), default="")  # 企业集群 (003:11, 003:52)

    # Policy status (001:99, 004:389, 000:49, 004:55, 000:33)
    restricted_category: Mapped[bool] = mapped_column(Boolean, default=False)  # 限制类
    conforms_to_industrial_policy: Mapped[bool] = mapped_column(Boolean, default=True)
    scattered_class: Mapped[str] = mapped_column(String(20), default=ScatteredClass.NONE.value)
    relocation_deadline: Mapped[date | None] = mapped_column(Date)
    coal_project_without_replacement: Mapped[bool] = mapped_column(Boolean, default=False)

    # Compliance (R-E-01..03) and autumn–winter tasks with dates (000:61, 000:67, 001:69, 001:79)
    stably_compliant: Mapped[bool] = mapped_column(Boolean, default=True)
    meets_permit_requirements: Mapped[bool] = mapped_column(Boolean, default=True)
    autumn_winter_tasks_done: Mapped[bool] = mapped_column(Boolean, default=True)
    cems_data_valid: Mapped[bool] = mapped_column(Boolean, default=True)
    fugitive_control_done_on: Mapped[date | None] = mapped_column(Date)
    voc_remediation_done_on: Mapped[date | None] = mapped_column(Date)
    furnace_list_done_on: Mapped[date | None] = mapped_column(Date)

    # Performance attributes for tiers (004:389) and steel utilisation (003:51)
    technology_level: Mapped[str | None] = mapped_column(String(20))
    transport_structure: Mapped[str | None] = mapped_column(String(30))
    product_level: Mapped[str | None] = mapped_column(String(10))
    capacity_utilisation_2018: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    # Livelihood task (000:133, 001:99)
    livelihood_task: Mapped[str | None] = mapped_column(String(30))
    livelihood_task_volume: Mapped[str] = mapped_column(String(120), default="")
    livelihood_max_load: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # % of capacity
    livelihood_filed_on: Mapped[date | None] = mapped_column(Date)
    livelihood_filed_with: Mapped[str] = mapped_column(String(120), default="")

    # Transport (000:137, 001:103, 004:178, 003:32)
    key_vehicle_user: Mapped[bool] = mapped_column(Boolean, default=False)
    # 城市物流配送企业 (004:394): named by Shijiazhuang's truck ban besides the key vehicle users
    city_logistics: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    key_vehicle_basis: Mapped[str] = mapped_column(String(200), default="")
    heavy_diesel_vehicles: Mapped[int | None] = mapped_column(Integer)
    fleet_china3: Mapped[int | None] = mapped_column(Integer)
    fleet_china4: Mapped[int | None] = mapped_column(Integer)
    fleet_china5: Mapped[int | None] = mapped_column(Integer)
    fleet_china6: Mapped[int | None] = mapped_column(Integer)
    has_railway_siding: Mapped[bool] = mapped_column(Boolean, default=False)
    rail_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    bulk_freight_mt: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))  # Mt/a
    gate_video_retention_months: Mapped[int | None] = mapped_column(Integer)
    daily_truck_log: Mapped[bool] = mapped_column(Boolean, default=False)

    # Monitoring (001:107, 003:55, 004:335, 003:56)
    key_pollutant_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    separate_metering: Mapped[bool] = mapped_column(Boolean, default=False)
    has_dcs: Mapped[bool] = mapped_column(Boolean, default=False)

    # Contacts (003:50, 000:107)
    legal_representative: Mapped[str] = mapped_column(String(60), default="")
    contact_person: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    resident_inspector: Mapped[str] = mapped_column(String(60), default="")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lines: Mapped[list["ProductionLine"]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="ProductionLine.id"
    )
    permits: Mapped[list["Permit"]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Permit.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ProductionLine(db.Model):
    """A production line / process / equipment group: the unit every measure is written for."""

    __tablename__ = "production_line"
    __table_args__ = (
        Index("ix_production_line_sector_enterprise", "sector", "enterprise_id"),  # the ungraded page (issue 18)
        CheckConstraint(in_vocabulary("sector", Sector), name="sector"),
        CheckConstraint(in_vocabulary("sub_type", SubType), name="sub_type"),
        CheckConstraint(in_vocabulary("kind", LineKind), name="kind"),
        CheckConstraint(in_vocabulary("fuel", Fuel), name="fuel"),
        _nonneg("capacity"),
        _nonneg("stack_height_m"),
        _nonneg("boiler_tph"),
        _nonneg("coke_oven_height_m"),
        _pct("cems_transmission_rate"),
        _pct("reference_o2"),
        UniqueConstraint("enterprise_id", "code", name="uq_production_line_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # the enterprise's own line number
    name: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(40))
    sub_type: Mapped[str] = mapped_column(String(40), default=SubType.NONE.value)
    kind: Mapped[str] = mapped_column(String(40))
    fuel: Mapped[str] = mapped_column(String(30))
    capacity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    capacity_unit: Mapped[str] = mapped_column(String(20), default="t/a")
    boiler_tph: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    coke_oven_height_m: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    stack_height_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    has_cems: Mapped[bool] = mapped_column(Boolean, default=False)
    cems_transmission_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    has_bypass_flue: Mapped[bool] = mapped_column(Boolean, default=False)
    enclosed: Mapped[bool] = mapped_column(Boolean, default=False)  # 入棚入仓 (002:602)
    has_firing_process: Mapped[bool] = mapped_column(Boolean, default=True)  # 焙烧 (002:602)
    on_furnace_list: Mapped[bool] = mapped_column(Boolean, default=True)  # 001:69
    furnace_found_on: Mapped[date | None] = mapped_column(Date)
    interruptible: Mapped[bool] = mapped_column(Boolean, default=True)  # 003:49
    safety_measures: Mapped[str] = mapped_column(Text, default="", info={"max_length": 4000})  # 004:389
    electricity_meter: Mapped[str] = mapped_column(String(80), default="")  # 000:129, 004:335
    reference_o2: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    daily_emission_so2_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    daily_emission_nox_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    daily_emission_pm_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    daily_emission_vocs_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))

    enterprise: Mapped[Enterprise] = relationship(back_populates="lines")
    equipment: Mapped[list["Equipment"]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="Equipment.id"
    )
    emissions: Mapped[list["LineEmission"]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="LineEmission.pollutant"
    )

    __mapper_args__ = {"version_id_col": version}


class Equipment(db.Model):
    """A piece of equipment on a line (高炉 1#, 冲天炉 2#…), named in filed plans (000:129)."""

    __tablename__ = "equipment"
    __table_args__ = (
        CheckConstraint(in_vocabulary("kind", LineKind), name="kind"),
        CheckConstraint(in_vocabulary("fuel", Fuel), name="fuel"),
        _nonneg("capacity"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    fuel: Mapped[str] = mapped_column(String(30))
    model: Mapped[str] = mapped_column(String(80), default="")
    capacity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    capacity_unit: Mapped[str] = mapped_column(String(20), default="t/a")
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    line: Mapped[ProductionLine] = relationship(back_populates="equipment")


class LineEmission(db.Model):
    """Emission status of one pollutant on one line, with the date it was reached (002:595–609)."""

    __tablename__ = "line_emission"
    __table_args__ = (
        CheckConstraint(in_vocabulary("pollutant", Pollutant), name="pollutant"),
        CheckConstraint(in_vocabulary("status", EmissionStatus), name="status"),
        _nonneg("concentration"),
        _nonneg("limit_value"),
        UniqueConstraint("line_id", "pollutant", name="uq_line_emission_pollutant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id", ondelete="CASCADE"), index=True)
    pollutant: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    reached_on: Mapped[date | None] = mapped_column(Date)
    concentration: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))  # mg/m³
    limit_value: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))  # applicable limit, mg/m³

    line: Mapped[ProductionLine] = relationship(back_populates="emissions")


class Permit(db.Model):
    """A pollutant-discharge permit (排污许可证) or registration (登记管理), 003:14, 003:71."""

    __tablename__ = "permit"
    __table_args__ = (
        CheckConstraint(in_vocabulary("kind", PermitKind), name="kind"),
        CheckConstraint(in_vocabulary("status", PermitStatus), name="status"),
        CheckConstraint("valid_until IS NULL OR issued_on IS NULL OR valid_until >= issued_on", name="validity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=PermitKind.FULL.value)
    management_class: Mapped[str | None] = mapped_column(String(20))  # 重点/简化/登记管理 (None: not recorded)
    status: Mapped[str] = mapped_column(String(20), default=PermitStatus.ISSUED.value)
    industry: Mapped[str] = mapped_column(String(120), default="")  # catalogue industry
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, default="", info={"max_length": 4000})
    staggering_in_permit: Mapped[bool] = mapped_column(Boolean, default=False)  # 001:32
    discharging_per_permit: Mapped[bool] = mapped_column(Boolean, default=True)  # 按证排污
    execution_reports_published: Mapped[bool] = mapped_column(Boolean, default=False)  # 001:127

    enterprise: Mapped[Enterprise] = relationship(back_populates="permits")

    __mapper_args__ = {"version_id_col": version}


# ---- conflicts over a USCC (issue 13 M7) ----

CLAIM_STATUSES = ("open", "granted", "rejected")


def code_region(uscc: str) -> str:
    """Characters 3–8 of a 统一社会信用代码 are the administrative division code of the registering
    authority (GB 32100-2015 §4): the region an official's scope is compared with — the code itself, not
    what a draft holding it says about itself."""
    return (uscc or "")[2:8]


class UsccClaim(db.Model):
    """A company's claim to its own USCC, with a scan of its business licence; the county (the code's
    region) reviews it and, when granted, releases a never-submitted draft holding the code and reserves
    the code for the claimant."""

    __tablename__ = "uscc_claim"
    __table_args__ = (CheckConstraint("status IN ('open', 'granted', 'rejected')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    code_region: Mapped[str] = mapped_column(String(6), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(120), default="")
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    evidence_filename: Mapped[str] = mapped_column(String(200))
    evidence_content_type: Mapped[str] = mapped_column(String(100))
    evidence_size: Mapped[int] = mapped_column(Integer)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class UsccRelease(db.Model):
    """A never-submitted draft released by an official: the code is free again. The draft's former owner
    reads this notice (its own draft's name, the reason, the date) on its enterprise page."""

    __tablename__ = "uscc_release"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    code_region: Mapped[str] = mapped_column(String(6), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer)  # the released draft (kept, detached, code freed)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    draft_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("uscc_claim.id"))
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApprovedFacts(db.Model):
    """What an official last approved of an enterprise: its registration as reviewed (issue 14 point 10).

    Schedules and emergency lists read these, never the live rows: an enterprise that reopens its
    approved registration to amend it keeps its last approved facts until the amendment is approved,
    and a never-approved registration has none. One row per approval, never changed (the newest stands);
    `data` holds the enterprise row, its lines with their emissions and equipment, and its permits,
    column by column (registry/enterprises/approved.py reads it back).
    """

    __tablename__ = "approved_facts"
    __table_args__ = (UniqueConstraint("enterprise_id", "number", name="uq_approved_facts_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 = the registration, 2… = approved amendments
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the approved region, for scoped reads
    origin: Mapped[str] = mapped_column(String(20))  # registration | amendment | import | backfill | demo
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    data: Mapped[dict] = mapped_column(JSON)
