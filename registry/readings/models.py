"""The relational side of readings (issue 19): meters, stacks and the batches that loaded readings.

The readings themselves never enter these tables: they live in the Parquet store (registry/readings/store.py),
partitioned by city and day. A `Meter` is one electricity sub-meter (分表计电) of an enterprise, mapped to a line or a
facility and marked production or pollution control; a `Stack` is one outlet with online monitoring (CEMS), known
by its HJ 212 MN code; a `ReadingBatch` records one load (who, how, which file, how many rows accepted, duplicates,
refused) and is never edited.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

METER_ROLES = ("production", "control")
INTERVALS = (15, 60)
KINDS = ("electricity", "cems", "gate")
SOURCES = ("upload", "api", "stream", "cli", "demo")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Meter(db.Model):
    """One electricity sub-meter: which enterprise, which line (or none: a facility), production or pollution control."""

    __tablename__ = "reading_meter"
    __table_args__ = (CheckConstraint(_in("role", METER_ROLES), name="role"),
                      CheckConstraint("interval_minutes IN (15, 60)", name="interval"),
                      UniqueConstraint("enterprise_id", "code", name="uq_reading_meter_code"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # the meter's external code (the grid company's or the enterprise's)
    facility: Mapped[str] = mapped_column(String(120), default="")  # e.g. 1号烧结机 / 脱硫设施
    role: Mapped[str] = mapped_column(String(12), default="production")
    interval_minutes: Mapped[int] = mapped_column(Integer, default=15)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Stack(db.Model):
    """One monitored outlet (排放口) with CEMS; the MN code is the HJ 212 device identity, unique nationally."""

    __tablename__ = "reading_stack"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    mn: Mapped[str] = mapped_column(String(24), unique=True)  # HJ 212 MN (设备唯一标识), up to 24 characters
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReadingBatch(db.Model):
    """One load of readings into the store: append-only; the counts say what the store took."""

    __tablename__ = "reading_batch"
    __table_args__ = (CheckConstraint(_in("kind", KINDS), name="kind"),
                      CheckConstraint(_in("source", SOURCES), name="source"),
                      Index("ix_reading_batch_region_created", "region_code", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(Integer, default=0)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="SET NULL"))  # an enterprise's own load
    region_code: Mapped[str] = mapped_column(String(6), default="", index=True)  # the loader's region (scoped lists)
    first_day: Mapped[date | None] = mapped_column(Date)  # Beijing days the readings cover
    last_day: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # cities and days touched, problems shown (first few)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
