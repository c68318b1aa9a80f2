"""Verification of orders (issue 19): anomalies the checks flag, the enterprise's explanation, the county's
inspection task and record, and the photos of the visit.

An `Anomaly` is one check's finding for one subject (a line's production meters, a control meter, a stack, the
gate) in one window of one order (an alert-day AlertOrder) or schedule entry (ScheduleEntry). `run_key` names that
(check, source, subject, window): re-running the checks replaces the OPEN anomaly of the same key and never adds
a second one; an anomaly someone has acted on (explained, inspecting, decided) is left as it is.
Readings themselves stay out of these tables (Parquet files, registry/readings/store.py): `evidence` keeps the
numbers the check read (baseline vs actual per hour, counts, plates) so the page can draw the chart.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

CHECKS = ("stopped_line_power", "curtailment_shortfall", "control_off", "cems_transmission", "banned_vehicle")
SEVERITIES = ("low", "medium", "high")
STATUSES = ("open", "explained", "inspecting", "cleared", "violation", "falsified")
OPEN_STATUSES = ("open", "explained", "inspecting")
OUTCOMES = ("cleared", "violation", "falsified")
SOURCES = ("order", "schedule", "monitoring")  # monitoring: a period without any order (R-V-07)
TASK_STATUSES = ("open", "done")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Anomaly(db.Model):
    __tablename__ = "compliance_anomaly"
    __table_args__ = (CheckConstraint(_in("check_code", CHECKS), name="check_code"),
                      CheckConstraint(_in("severity", SEVERITIES), name="severity"),
                      CheckConstraint(_in("status", STATUSES), name="status"),
                      CheckConstraint(_in("source_kind", SOURCES), name="source_kind"),
                      Index("ix_compliance_anomaly_region_status", "region_code", "status"),
                      Index("ix_compliance_anomaly_run_key", "run_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))  # the enterprise's county
    line_id: Mapped[int | None] = mapped_column(Integer)  # production_line.id (no FK: a line may be retired)
    meter_id: Mapped[int | None] = mapped_column(Integer)
    stack_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(120), default="")  # the line / meter / stack / gate named on the page
    check_code: Mapped[str] = mapped_column(String(30))
    rule: Mapped[str] = mapped_column(String(12))
    pack_id: Mapped[str] = mapped_column(String(40), default="")
    source_kind: Mapped[str] = mapped_column(String(10))  # order | schedule | monitoring
    order_id: Mapped[int | None] = mapped_column(ForeignKey("alert_order.id", ondelete="SET NULL"), index=True)
    episode_id: Mapped[int | None] = mapped_column(Integer, index=True)
    schedule_entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    measure: Mapped[str] = mapped_column(String(20), default="")
    percentage: Mapped[float | None] = mapped_column(Float)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="open")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the check's params + the series drawn
    settings: Mapped[list[Any]] = mapped_column(JSON, default=list)  # thresholds read, with citation or why
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{rule, source, note}]
    run_key: Mapped[str] = mapped_column(String(200))
    finding_decision_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # grade decisions of the outcome
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    explanations: Mapped[list["Explanation"]] = relationship(back_populates="anomaly", order_by="Explanation.id",
                                                             cascade="all, delete-orphan")
    tasks: Mapped[list["InspectionTask"]] = relationship(back_populates="anomaly", order_by="InspectionTask.id",
                                                         cascade="all, delete-orphan")


class Explanation(db.Model):
    """The enterprise is asked (inbox) to explain by `due_at`; its answer is `text` (empty until answered)."""

    __tablename__ = "compliance_explanation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    anomaly_id: Mapped[int] = mapped_column(ForeignKey("compliance_anomaly.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    anomaly: Mapped[Anomaly] = relationship(back_populates="explanations")


class InspectionTask(db.Model):
    """The county's task to inspect the site of an anomaly, by `due_at`."""

    __tablename__ = "compliance_inspection_task"
    __table_args__ = (CheckConstraint(_in("status", TASK_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    anomaly_id: Mapped[int] = mapped_column(ForeignKey("compliance_anomaly.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the county that inspects
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    anomaly: Mapped[Anomaly] = relationship(back_populates="tasks")
    records: Mapped[list["InspectionRecord"]] = relationship(back_populates="task", order_by="InspectionRecord.id")


class InspectionRecord(db.Model):
    """The visit: who, when, what was found, the outcome, signatures (names + time) and photos."""

    __tablename__ = "compliance_inspection_record"
    __table_args__ = (CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("compliance_inspection_task.id", ondelete="CASCADE"), index=True)
    anomaly_id: Mapped[int] = mapped_column(ForeignKey("compliance_anomaly.id", ondelete="CASCADE"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    inspectors: Mapped[str] = mapped_column(String(200))  # names of those who visited
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    found: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(12))
    signatures: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{name, role, at}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    task: Mapped[InspectionTask] = relationship(back_populates="records")
    photos: Mapped[list["InspectionPhoto"]] = relationship(back_populates="record", order_by="InspectionPhoto.id",
                                                           cascade="all, delete-orphan")


class InspectionPhoto(db.Model):
    """A photo of the visit (JPEG or PNG, size- and type-checked on upload), kept with the record."""

    __tablename__ = "compliance_inspection_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("compliance_inspection_record.id", ondelete="CASCADE"),
                                           index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    record: Mapped[InspectionRecord] = relationship(back_populates="photos")
