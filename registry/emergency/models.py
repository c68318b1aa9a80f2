"""Emergency reduction lists: enterprise plans (一厂一策), city list versions and optimizer proposals.

History is never overwritten (DESIGN §4): a filed plan or list is immutable (an update or delete
raises); a correction is a new version whose `supersedes_id` points to the one it replaces. A
list records the pack id, the pack file's SHA-256 and the engine version so it can be reproduced.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

MEASURES = ("none", "curtail", "stop")
LEVELS = ("blue", "yellow", "orange", "red")


class Status(str, enum.Enum):
    DRAFT = "draft"
    FILED = "filed"


class ProposalStatus(str, enum.Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    APPLIED = "applied"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(getattr(v, 'value', v)) for v in values)})"


class EmergencyPlan(db.Model):
    """One enterprise's 一厂一策 for one pack: per line and level the measure, indicators and who answers (003:50)."""

    __tablename__ = "emergency_plan"
    __table_args__ = (CheckConstraint(_in("status", Status), name="status"),
                      UniqueConstraint("enterprise_id", "pack_id", "number", name="uq_emergency_plan_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    pack_id: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer, default=1)  # version number per enterprise + pack
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_plan.id"))
    grade: Mapped[str | None] = mapped_column(String(10))  # the effective emergency grade when written
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entries: Mapped[list["PlanEntry"]] = relationship(back_populates="plan", order_by="PlanEntry.id",
                                                      cascade="all, delete-orphan")


class PlanEntry(db.Model):
    __tablename__ = "emergency_plan_entry"
    __table_args__ = (CheckConstraint(_in("measure", MEASURES), name="measure"),
                      CheckConstraint(_in("level", LEVELS), name="level"),
                      CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
                      UniqueConstraint("plan_id", "line_id", "level", name="uq_emergency_plan_entry"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plan.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str] = mapped_column(String(10))
    percent: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    key_indicators: Mapped[str] = mapped_column(Text, default="")
    responsible_person: Mapped[str] = mapped_column(String(60), default="")
    contact: Mapped[str] = mapped_column(String(60), default="")

    plan: Mapped[EmergencyPlan] = relationship(back_populates="entries")


class EmergencyList(db.Model):
    """A city's list for one pack, as compiled from filed plans (and accepted proposals) at one moment."""

    __tablename__ = "emergency_list"
    __table_args__ = (CheckConstraint(_in("status", Status), name="status"),
                      UniqueConstraint("region_code", "pack_id", "number", name="uq_emergency_list_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the city (e.g. 131000)
    pack_id: Mapped[str] = mapped_column(String(40))
    pack_sha256: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_list.id"))
    resplit: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {level: {so2: %, nox: %}} (R-A-01)
    # the city's non-industrial inventory when the list was compiled (全社会, 000:149), so a filed list keeps its
    # society-wide totals: [{category, pollutant, daily_kg, reductions: {level: %}}]
    area_sources: Mapped[list[Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the notices' letterhead, set on filing (issue 16 item 4; registry/notices): 发文机关, 文号, 成文日期
    issuing_authority: Mapped[str] = mapped_column(String(120), default="", server_default="")
    document_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    issued_on: Mapped[date | None] = mapped_column(Date)

    entries: Mapped[list["ListEntry"]] = relationship(back_populates="list", order_by="ListEntry.id",
                                                      cascade="all, delete-orphan")


class ListEntry(db.Model):
    """What one line does at one level in this list version, and where that came from."""

    __tablename__ = "emergency_list_entry"
    __table_args__ = (CheckConstraint(_in("measure", MEASURES), name="measure"),
                      CheckConstraint(_in("level", LEVELS), name="level"),
                      CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
                      CheckConstraint("origin IN ('plan', 'optimizer', 'official', 'none')", name="origin"),
                      UniqueConstraint("list_id", "line_id", "level", name="uq_emergency_list_entry"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("emergency_list.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_plan.id"))
    level: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str] = mapped_column(String(10))
    percent: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    origin: Mapped[str] = mapped_column(String(10), default="plan")
    grade: Mapped[str | None] = mapped_column(String(10))
    key_indicators: Mapped[str] = mapped_column(Text, default="")
    responsible_person: Mapped[str] = mapped_column(String(60), default="")
    contact: Mapped[str] = mapped_column(String(60), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    # The line's base when the list was compiled, so a filed list reproduces its totals (R-A-02).
    baseline_class: Mapped[str] = mapped_column(String(20), default="industrial")
    daily_so2_kg: Mapped[float] = mapped_column(Numeric(12, 3), default=0)
    daily_nox_kg: Mapped[float] = mapped_column(Numeric(12, 3), default=0)
    daily_pm_kg: Mapped[float] = mapped_column(Numeric(12, 3), default=0)
    daily_vocs_kg: Mapped[float] = mapped_column(Numeric(12, 3), default=0)
    capacity_weight: Mapped[float] = mapped_column(Numeric(14, 4), default=1)

    list: Mapped[EmergencyList] = relationship(back_populates="entries")


class AreaSource(db.Model):
    """One non-industrial source category of a city's inventory for one pollutant (全社会排放, 000:143, 000:149):
    its normal daily emission and the share of it each alert level's measures remove (the city's own figures)."""

    __tablename__ = "emergency_area_source"
    __table_args__ = (CheckConstraint("category IN ('mobile', 'dust', 'residential_burning', 'other')", name="category"),
                      CheckConstraint("pollutant IN ('so2', 'nox', 'pm', 'vocs')", name="pollutant"),
                      CheckConstraint("daily_kg >= 0", name="daily_kg"),
                      *(CheckConstraint(f"reduction_{lv} >= 0 AND reduction_{lv} <= 100", name=f"reduction_{lv}")
                        for lv in LEVELS),
                      UniqueConstraint("region_code", "category", "pollutant", name="uq_emergency_area_source"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the city
    category: Mapped[str] = mapped_column(String(30))
    pollutant: Mapped[str] = mapped_column(String(10))
    daily_kg: Mapped[float] = mapped_column(Numeric(14, 3), default=0)
    reduction_blue: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    reduction_yellow: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    reduction_orange: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    reduction_red: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    note: Mapped[str] = mapped_column(Text, default="")  # where the figure comes from (inventory, year)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def reductions(self) -> dict[str, float]:
        return {lv: float(getattr(self, f"reduction_{lv}") or 0) for lv in LEVELS}


class Proposal(db.Model):
    """An optimizer proposal on a list version; the official accepts (maybe edited) or rejects it."""

    __tablename__ = "emergency_proposal"
    __table_args__ = (CheckConstraint(_in("status", ProposalStatus), name="status"),
                      CheckConstraint(_in("measure", MEASURES), name="measure"),
                      CheckConstraint("percent >= 0 AND percent <= 100", name="percent"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    list_id: Mapped[int] = mapped_column(ForeignKey("emergency_list.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    line_id: Mapped[int] = mapped_column(ForeignKey("production_line.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str] = mapped_column(String(10))
    percent: Mapped[float] = mapped_column(Numeric(5, 2), default=0)
    grade: Mapped[str | None] = mapped_column(String(10))
    reduction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    capacity_lost: Mapped[float] = mapped_column(Numeric(14, 4), default=0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    solver: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # status, gap, seconds
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.PROPOSED.value)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}


def _filed(obj) -> bool:
    state = db.inspect(obj)
    hist = state.attrs.status.history
    was = hist.deleted[0] if hist.deleted else obj.status
    return was == Status.FILED.value


@event.listens_for(EmergencyPlan, "before_update")
@event.listens_for(EmergencyList, "before_update")
def _filed_is_immutable(mapper, connection, target) -> None:
    if _filed(target):
        raise RuntimeError("a filed emergency plan or list is immutable: file a new version")


@event.listens_for(EmergencyPlan, "before_delete")
@event.listens_for(EmergencyList, "before_delete")
def _filed_is_kept(mapper, connection, target) -> None:
    if _filed(target):
        raise RuntimeError("a filed emergency plan or list is never deleted")


@event.listens_for(PlanEntry, "before_update")
@event.listens_for(PlanEntry, "before_delete")
@event.listens_for(ListEntry, "before_update")
@event.listens_for(ListEntry, "before_delete")
def _filed_entries_are_immutable(mapper, connection, target) -> None:
    parent = target.plan if isinstance(target, PlanEntry) else target.list
    if parent is not None and parent.status == Status.FILED.value and not db.inspect(parent).attrs.status.history.added:
        raise RuntimeError("entries of a filed emergency plan or list are immutable")
