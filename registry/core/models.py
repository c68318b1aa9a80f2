"""Regions (GB/T 2260) and the audit log: the two tables every domain leans on."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

REGION_LEVELS = ("province", "city", "county")


class Region(db.Model):
    """An administrative division; `code` is the 6-digit GB/T 2260 code."""

    __tablename__ = "region"
    __table_args__ = (CheckConstraint("level IN ('province', 'city', 'county')", name="level"),)

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)


class AuditEntry(db.Model):
    """Who changed what, when, with the before/after values. Rows are only ever added."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_root", "root_type", "root_id"),
        Index("ix_audit_entry_region_root", "region_code", "root_type", "id"),  # a county's newest change (issue 18)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # The aggregate the change belongs to (a line's enterprise), so one history shows it all.
    root_type: Mapped[str] = mapped_column(String(40), default="")
    root_id: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str | None] = mapped_column(String(6))
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(40))
    # The hash chain (等保 2.0 安全审计 c: audit records protected from deletion and change):
    # entry_hash = SHA-256(canonical JSON of the fields above + prev_hash); see core/audit.py.
    # prev_hash is unique: two entries can never claim the same predecessor (no forks).
    prev_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(db.Model):
    """A signed record of the audit chain's head at one moment (issue 13, Low 3): entry `entry_id`
    had hash `entry_hash` and was the `entries`-th entry. `mac` = HMAC-SHA256 over those fields and
    `at` with the checkpoint key (registry/core/audit_checkpoints.py). Append-only like the entries;
    exported copies kept outside the database let `flask audit verify --checkpoints` notice the
    newest entries being removed or rewritten."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entry_id: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    mac: Mapped[str] = mapped_column(String(64))
