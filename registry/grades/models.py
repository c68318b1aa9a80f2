"""Grade applications, evidence, immutable grade decisions and publicity objections (绩效分级, 003:51).

Grade systems are kept apart by `system` (R-G-13, DOMAIN.md §4.3 Grade): the emergency A/B/C grade
(003:51), Shijiazhuang's staggering tier (004:389), Jizhou's benchmark flag (001:99) and
Shijiazhuang's VOC health-check class (004:350). Each enterprise + industry + system has its own
chain of decisions; a decision row is never updated — a downgrade or re-grade is a new row whose
`supersedes_id` points to the one it replaces, so every grade ever held stays visible.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db


class GradeSystem(str, enum.Enum):
    EMERGENCY = "emergency"      # 应急绩效 A/B/C (003:51)
    STAGGERING = "staggering"    # 石家庄错峰档次 (004:389)
    BENCHMARK = "benchmark"      # 冀州环保标杆企业 (001:99)
    VOC_CLASS = "voc_class"      # 石家庄VOCs体检A/B/C类 (004:350) — not an emergency grade (R-G-13)


SYSTEM_VALUES: dict[str, tuple[str, ...]] = {
    GradeSystem.EMERGENCY.value: ("A", "B", "C"),
    GradeSystem.STAGGERING.value: ("none", "middle", "low", "stop"),
    GradeSystem.BENCHMARK.value: ("benchmark", "not_benchmark"),
    GradeSystem.VOC_CLASS.value: ("A", "B", "C"),
}


class ApplicationStatus(str, enum.Enum):
    """draft → submitted → county_accepted → publicity → effective; county may return (→ edit → submit)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    COUNTY_ACCEPTED = "county_accepted"
    PUBLICITY = "publicity"
    EFFECTIVE = "effective"
    REJECTED = "rejected"


class DecisionKind(str, enum.Enum):
    APPROVAL = "approval"        # the city approves the proposed grade
    OVERRIDE = "override"        # the city sets another grade, with a recorded reason
    FRAUD = "fraud"              # R-G-09 (003:17): fraud in the ultra-low evaluation → C at once
    VIOLATION = "violation"      # other violations: the configured downgrade rule (local setting)
    REGRADE = "regrade"          # yearly re-check, objection upheld, province re-check
    RECORD = "record"            # a grade of another system recorded by an official


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v.value if hasattr(v, 'value') else v)) for v in values)})"


class GradeApplication(db.Model):
    """An enterprise's voluntary application with its self-assessment, for one grading round."""

    __tablename__ = "grade_application"
    __table_args__ = (
        CheckConstraint(_in("status", ApplicationStatus), name="status"),
        CheckConstraint(_in("system", GradeSystem), name="system"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # copied for scoped lists
    system: Mapped[str] = mapped_column(String(20), default=GradeSystem.EMERGENCY.value)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.DRAFT.value, index=True)
    # {industry: {"line_ids": [..], "answers": {key: value}}} — the enterprise's self-assessment
    industries: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # {"industry.key": {"verdict": "accepted"|"returned", "reason": "…"}} — the county's document check
    county_review: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    county_note: Mapped[str] = mapped_column(Text, default="")
    proposed_grade: Mapped[str | None] = mapped_column(String(10))
    publicity_until: Mapped[date | None] = mapped_column(Date)  # last day of the publicity period
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # four eyes (issue 13 L11): who accepted the documents and who approved, so the next step is someone else
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    evidence: Mapped[list["Evidence"]] = relationship(back_populates="application", order_by="Evidence.id")
    objections: Mapped[list["Objection"]] = relationship(back_populates="application", order_by="Objection.id")

    __mapper_args__ = {"version_id_col": version}


class Evidence(db.Model):
    """An uploaded evidence file, stored outside the web root under its SHA-256 (instance/evidence/)."""

    __tablename__ = "grade_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("grade_application.id", ondelete="SET NULL"), index=True)
    industry: Mapped[str] = mapped_column(String(40), default="")
    indicator: Mapped[str] = mapped_column(String(60), default="")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # frozen once submitted

    application: Mapped[GradeApplication | None] = relationship(back_populates="evidence")


class GradeDecision(db.Model):
    """One grade an enterprise held in one industry and system: who decided, why, on which criteria.

    Immutable (an update raises); `supersedes_id` chains the history per enterprise+industry+system.
    """

    __tablename__ = "grade_decision"
    __table_args__ = (
        CheckConstraint(_in("system", GradeSystem), name="system"),
        CheckConstraint(_in("kind", DecisionKind), name="kind"),
        CheckConstraint("valid_until IS NULL OR effective_from IS NULL OR valid_until >= effective_from", name="validity"),
        Index("ix_grade_decision_chain", "enterprise_id", "system", "industry"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("grade_application.id", ondelete="SET NULL"))
    system: Mapped[str] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str] = mapped_column(String(20))
    proposed_grade: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{rule, source, note}] from the engine
    indicators: Mapped[list[Any]] = mapped_column(JSON, default=list)  # per-indicator results at decision time
    criteria: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{id, version, sha256}]
    effective_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("grade_decision.id"), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@event.listens_for(GradeDecision, "before_update")
def _decisions_are_immutable(mapper, connection, target) -> None:
    raise RuntimeError("grade decisions are immutable: record a new decision that supersedes this one")


class Objection(db.Model):
    """An objection filed by anyone during the publicity period, and the official's answer."""

    __tablename__ = "grade_objection"
    __table_args__ = (CheckConstraint("status IN ('open', 'answered')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    application_id: Mapped[int] = mapped_column(ForeignKey("grade_application.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    name: Mapped[str] = mapped_column(String(60), default="")
    contact: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # issue 13 M10: duplicates within one publicity are refused by these keys (SHA-256 of the normalised text; of the
    # sender — the contact given, else the client address — so no address or contact is stored twice in clear)
    text_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    sender_key: Mapped[str] = mapped_column(String(64), default="")
    # closed without its own answer when the grade was decided after the answer period (GRADE_OBJECTION_ANSWER_DAYS)
    lapsed: Mapped[bool] = mapped_column(Boolean, default=False)

    application: Mapped[GradeApplication] = relationship(back_populates="objections")

    __mapper_args__ = {"version_id_col": version}
