"""Officials' policy packs (issue 20): a draft copied from a pack, the policy documents it cites, one row per changed
value, and the reviews.

An AuthoredPack row is one VERSION of a pack id ("langfang-2026-27" version 1, 2, …): its YAML text is the shipped
packs' format (grading/packs/*.yaml) and loads through the same loader. Editable while `draft` (or returned); frozen
(`sha256` set) when submitted; once a published schedule or filed emergency list used it, a correction is a new
version (a copy), never an edit. History is never overwritten: edits, reviews and documents are append-only rows,
and every step is in the audit log.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

# draft → submitted → approved → active → superseded; submitted → returned (back to editing) ; rejected: withdrawn
STATUSES = ("draft", "submitted", "returned", "approved", "active", "superseded", "rejected")
EDITABLE = ("draft", "returned")
REVIEW_DECISIONS = ("approve", "return")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class AuthoredPack(db.Model):
    __tablename__ = "authored_pack"
    __table_args__ = (CheckConstraint(_in("status", STATUSES), name="status"),
                      UniqueConstraint("pack_id", "version", name="uq_authored_pack_version"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(40), index=True)      # the YAML's id, e.g. langfang-2026-27
    version: Mapped[int] = mapped_column(Integer, default=1)          # 1, 2, … : a correction is a new version
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    season_year: Mapped[int] = mapped_column(Integer)                 # the heating season starting in this year
    title: Mapped[str] = mapped_column(String(200), default="")
    parent_pack_id: Mapped[str] = mapped_column(String(40))           # copied from (shipped or authored pack id)
    parent_sha256: Mapped[str] = mapped_column(String(64))            # … as it was then
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("authored_pack.id"))  # the authored version copied
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    example: Mapped[bool] = mapped_column(Boolean, default=False)     # demo: 未经审核的示例
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))            # of yaml_text, set when frozen (submitted)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": row_version}

    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    documents: Mapped[list["PolicyDocument"]] = relationship(back_populates="pack", order_by="PolicyDocument.id")
    edits: Mapped[list["PackEdit"]] = relationship(back_populates="pack", order_by="PackEdit.id")
    reviews: Mapped[list["PackReview"]] = relationship(back_populates="pack", order_by="PackReview.id")

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def name(self) -> str:
        return f"{self.title or self.pack_id} 第{self.version}版"


class PolicyDocument(db.Model):
    """An uploaded policy document (PDF, DOCX, text) with its text as numbered lines; cited as "D<id>:<line>"."""

    __tablename__ = "policy_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authored_pack_id: Mapped[int] = mapped_column(ForeignKey("authored_pack.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pack: Mapped[AuthoredPack] = relationship(back_populates="documents")

    @property
    def code(self) -> str:
        return f"D{self.id}"

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""


class PackEdit(db.Model):
    """One changed value of a draft: old and new (JSON), and its citation — a document line or a written reason."""

    __tablename__ = "pack_edit"
    __table_args__ = (CheckConstraint("document_id IS NOT NULL OR reason <> ''", name="cited"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authored_pack_id: Mapped[int] = mapped_column(ForeignKey("authored_pack.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    old_value: Mapped[Any] = mapped_column(JSON)
    new_value: Mapped[Any] = mapped_column(JSON)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("policy_document.id"))
    line: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pack: Mapped[AuthoredPack] = relationship(back_populates="edits")
    document: Mapped[PolicyDocument | None] = relationship()
    actor = relationship("User")

    @property
    def citation(self) -> str:
        return f"D{self.document_id}:{self.line}" if self.document_id else ""


class PackReview(db.Model):
    """A second official's review of a submitted version (four eyes: never its author)."""

    __tablename__ = "pack_review"
    __table_args__ = (CheckConstraint(_in("decision", REVIEW_DECISIONS), name="decision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authored_pack_id: Mapped[int] = mapped_column(ForeignKey("authored_pack.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))     # the text reviewed
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pack: Mapped[AuthoredPack] = relationship(back_populates="reviews")
    reviewer = relationship("User")
