"""Schedules, their versions, frozen entries, recorded flag choices and exemption applications.

A published version is history (DESIGN.md §4): its row, its entries and its inputs can be
neither updated nor deleted — refused here by ORM events and in the database by triggers
(migration 695d38e66231: UPDATE on SQLite and PostgreSQL, DELETE on PostgreSQL), so a raw
UPDATE fails too. A change is a new version that points
to the one it replaces and carries a filing reason (001:101).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

MEASURES = ("stop", "curtail", "extend_coking", "max_load", "none")


class VersionStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ApplicationKind(str, enum.Enum):
    EXEMPTION = "exemption"                      # 豁免 (X-*)
    LIVELIHOOD_MAX_LOAD = "livelihood_max_load"  # 民生保障最大负荷 (000:133)


class ApplicationStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(getattr(v, 'value', v)) for v in values)})"


class FrozenError(RuntimeError):
    """A write to a published schedule version (001:101: no change without re-filing)."""


class Schedule(db.Model):
    """One region's schedule for one policy pack and heating season; its versions hold the lists."""

    __tablename__ = "schedule"
    __table_args__ = (UniqueConstraint("region_code", "pack_id", "season_year", name="uq_schedule_region_pack_season"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    pack_id: Mapped[str] = mapped_column(String(40))
    season_year: Mapped[int] = mapped_column(Integer)  # the heating season starting in this year
    title: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list["ScheduleVersion"]] = relationship(back_populates="schedule", order_by="ScheduleVersion.number")


class ScheduleVersion(db.Model):
    """One generated list. Frozen once published: it records what reproduces it (pack, hash, engine)."""

    __tablename__ = "schedule_version"
    __table_args__ = (
        UniqueConstraint("schedule_id", "number", name="uq_schedule_version_number"),
        CheckConstraint(_in("status", VersionStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=VersionStatus.DRAFT.value)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    pack_id: Mapped[str] = mapped_column(String(40))
    pack_sha256: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(40))
    season_start: Mapped[date] = mapped_column(Date)
    season_end: Mapped[date] = mapped_column(Date)  # exclusive
    evaluation_dates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    exemptions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # approved applications applied
    # the ratio each line was given as the district filed it (001:101): {enterprise_id: {line_ref|"*": percent}}
    filed_ratios: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # background generation (runner.py): "" idle | queued | reading | evaluating | storing | failed
    generation_state: Mapped[str] = mapped_column(String(12), default="", server_default="")
    generation_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    generation_heartbeat: Mapped[datetime | None] = mapped_column(UTCDateTime())
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_version.id"))
    filing_reason: Mapped[str] = mapped_column(Text, default="")
    filed_on: Mapped[date | None] = mapped_column(Date)
    recipients: Mapped[str] = mapped_column(Text, default="")
    # the notice's letterhead, set on publication (issue 16 item 4; registry/notices): 发文机关, 文号, 成文日期
    issuing_authority: Mapped[str] = mapped_column(String(120), default="", server_default="")
    document_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    schedule: Mapped[Schedule] = relationship(back_populates="versions")
    entries: Mapped[list["ScheduleEntry"]] = relationship(
        back_populates="version", order_by="ScheduleEntry.position", cascade="all, delete-orphan", passive_deletes=True)
    inputs: Mapped[list["ScheduleInput"]] = relationship(
        back_populates="version", order_by="ScheduleInput.position", cascade="all, delete-orphan", passive_deletes=True)

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED.value


class ScheduleInput(db.Model):
    """The facts one enterprise was evaluated with (an evaluate document), and their hash (F-15)."""

    __tablename__ = "schedule_input"
    __table_args__ = (UniqueConstraint("version_id", "enterprise_id", name="uq_schedule_input_enterprise"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: history outlives registrations
    uscc: Mapped[str] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    facts_sha256: Mapped[str] = mapped_column(String(64))

    version: Mapped[ScheduleVersion] = relationship(back_populates="inputs")


class ScheduleEntry(db.Model):
    """One production line over one stretch of the season [phase_start, phase_end): its measure and why."""

    __tablename__ = "schedule_entry"
    __table_args__ = (
        CheckConstraint(_in("measure", MEASURES), name="measure"),
        CheckConstraint("phase_end > phase_start", name="phase"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))
    sector: Mapped[str] = mapped_column(String(40))
    line_ref: Mapped[str] = mapped_column(String(60))
    line_name: Mapped[str] = mapped_column(String(120), default="")
    line_kind: Mapped[str] = mapped_column(String(40), default="")
    capacity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    capacity_unit: Mapped[str] = mapped_column(String(20), default="")
    phase_start: Mapped[date] = mapped_column(Date)
    phase_end: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(20))
    percentage_min: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    percentage_max: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    basis: Mapped[str | None] = mapped_column(String(30))
    coking_time_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    windows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    applied_decisions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    residual_obligations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    exemption: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    version: Mapped[ScheduleVersion] = relationship(back_populates="entries")


class FlagChoice(db.Model):
    """An official's recorded choice for a flag the engine left open (docs/evaluate.md §3). Immutable."""

    __tablename__ = "schedule_flag_choice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    line_ref: Mapped[str | None] = mapped_column(String(60))
    flag: Mapped[str] = mapped_column(String(60))
    choice: Mapped[str] = mapped_column(String(60))
    value: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # the ratio (%) the choice enters (001:101)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_name: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExemptionApplication(db.Model):
    """An enterprise's application for an exemption or a livelihood maximum load, and its decision."""

    __tablename__ = "schedule_application"
    __table_args__ = (
        CheckConstraint(_in("kind", ApplicationKind), name="kind"),
        CheckConstraint(_in("status", ApplicationStatus), name="status"),
        CheckConstraint("requested_end > requested_start", name="window"),
        CheckConstraint("max_load IS NULL OR (max_load >= 0 AND max_load <= 100)", name="max_load"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    line_ref: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))
    clause: Mapped[str] = mapped_column(String(60))
    evidence: Mapped[str] = mapped_column(Text, default="")
    requested_start: Mapped[date] = mapped_column(Date)
    requested_end: Mapped[date] = mapped_column(Date)  # exclusive
    max_load: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.SUBMITTED.value, index=True)
    residual: Mapped[str] = mapped_column(Text, default="")  # obligations that survive, set on approval
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": row_version}


def _was_published(version: ScheduleVersion) -> bool:
    hist = inspect(version).attrs.status.history
    if hist.deleted:
        return hist.deleted[0] == VersionStatus.PUBLISHED.value
    return not hist.added and version.status == VersionStatus.PUBLISHED.value


@event.listens_for(ScheduleVersion, "before_update")
@event.listens_for(ScheduleVersion, "before_delete")
def _frozen_version(mapper, connection, target: ScheduleVersion) -> None:
    if _was_published(target):
        raise FrozenError("a published schedule version is immutable: file a new version")


@event.listens_for(ScheduleEntry, "before_insert")
@event.listens_for(ScheduleEntry, "before_update")
@event.listens_for(ScheduleEntry, "before_delete")
@event.listens_for(ScheduleInput, "before_insert")
@event.listens_for(ScheduleInput, "before_update")
@event.listens_for(ScheduleInput, "before_delete")
def _frozen_rows(mapper, connection, target) -> None:
    version = target.version
    if version is not None and _was_published(version):
        raise FrozenError("a published schedule version is immutable: file a new version")


@event.listens_for(FlagChoice, "before_update")
def _choices_are_history(mapper, connection, target) -> None:
    raise FrozenError("a recorded flag choice is history: record a new choice")
