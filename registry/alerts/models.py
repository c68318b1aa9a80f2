"""Alert episodes, their level history, the orders they produce, deliveries, receipts and the inbox.

History is never overwritten (DESIGN §4): a level change is a new `alert_level_change` row; an order's content
and window start are frozen when it is issued — a level change issues new orders and closes the old ones
(`window_end`, `superseded_by_id`, set once, from empty), lifting closes them. Deliveries and receipts are
append-only.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db

LEVELS = ("blue", "yellow", "orange", "red")
SCOPES = ("city", "counties", "regional")  # the whole city, listed counties, a province's regional alert (003:48)
STATUSES = ("active", "lifted")
CHANGE_KINDS = ("issue", "raise", "lower", "lift", "merge")  # merge: R-W-03, a new process within the lifting gap
CHANNELS = ("inapp", "email", "sms")
DELIVERY_STATUSES = ("sent", "failed", "skipped")
INBOX_KINDS = ("alert_order", "alert_ended", "reminder")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class AlertEpisode(db.Model):
    """One heavy-pollution process (重污染过程) as alerted: from the first issue to the lift, over one area."""

    __tablename__ = "alert_episode"
    __table_args__ = (CheckConstraint(_in("scope", SCOPES), name="scope"),
                      CheckConstraint(_in("status", STATUSES), name="status"),
                      CheckConstraint(_in("level", LEVELS), name="level"),
                      CheckConstraint("expected_end_at IS NULL OR expected_end_at > starts_at", name="expected_end"),
                      Index("ix_alert_episode_status_region", "status", "region_code"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)  # issuing city, or the province
    scope: Mapped[str] = mapped_column(String(10), default="city")
    pack_id: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))  # the level now (or at the lift)
    status: Mapped[str] = mapped_column(String(10), default="active")
    doc_number: Mapped[str] = mapped_column(String(80), default="")  # 文号
    issuing_body: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expected_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    areas: Mapped[list["AlertArea"]] = relationship(back_populates="episode", order_by="AlertArea.region_code",
                                                    cascade="all, delete-orphan")
    changes: Mapped[list["LevelChange"]] = relationship(back_populates="episode", order_by="LevelChange.seq")

    __mapper_args__ = {"version_id_col": version}

    @property
    def area_codes(self) -> list[str]:
        return [a.region_code for a in self.areas]


class AlertArea(db.Model):
    """A region the episode covers: the city itself, each listed county, or each city of a regional alert."""

    __tablename__ = "alert_area"
    __table_args__ = (UniqueConstraint("episode_id", "region_code", name="uq_alert_area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("alert_episode.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)

    episode: Mapped[AlertEpisode] = relationship(back_populates="areas")


class LevelChange(db.Model):
    """One step of the episode's history: issued, raised, lowered, merged (R-W-03) or lifted; never edited."""

    __tablename__ = "alert_level_change"
    __table_args__ = (CheckConstraint(_in("kind", CHANGE_KINDS), name="kind"),
                      CheckConstraint(f"level IS NULL OR {_in('level', LEVELS)}", name="level"),
                      UniqueConstraint("episode_id", "seq", name="uq_alert_level_change_seq"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("alert_episode.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    level: Mapped[str | None] = mapped_column(String(10))  # None at the lift
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it takes effect
    doc_number: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    grounds: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the episode rules applied [{code, rule, source}]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    episode: Mapped[AlertEpisode] = relationship(back_populates="changes")


class AlertOrder(db.Model):
    """What one enterprise must do from `window_start` until `window_end` (lift or level change); content frozen."""

    __tablename__ = "alert_order"
    __table_args__ = (CheckConstraint(_in("level", LEVELS), name="level"),
                      CheckConstraint("window_end IS NULL OR window_end >= window_start", name="window"),
                      UniqueConstraint("change_id", "enterprise_id", name="uq_alert_order_change_enterprise"),
                      Index("ix_alert_order_episode_enterprise", "episode_id", "enterprise_id"),
                      Index("ix_alert_order_enterprise_open", "enterprise_id", "window_end"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("alert_episode.id", ondelete="CASCADE"))
    change_id: Mapped[int] = mapped_column(ForeignKey("alert_level_change.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the enterprise's region when issued
    level: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the order as area_orders gave it
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("alert_level_change.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("alert_order.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    episode: Mapped[AlertEpisode] = relationship()
    receipt: Mapped["Receipt | None"] = relationship(back_populates="order", uselist=False)

    @property
    def in_force(self) -> bool:
        return self.window_end is None


class Delivery(db.Model):
    """One attempt to deliver an order on one channel (in-app inbox, e-mail, SMS)."""

    __tablename__ = "alert_delivery"
    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),
                      CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("alert_order.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    error: Mapped[str] = mapped_column(Text, default="")


class Receipt(db.Model):
    """The enterprise's acknowledgement (回执) of an order: who, when, an optional note. One per order."""

    __tablename__ = "alert_receipt"
    __table_args__ = (UniqueConstraint("order_id", name="uq_alert_receipt_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("alert_order.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[AlertOrder] = relationship(back_populates="receipt")


class InboxMessage(db.Model):
    """A message in an enterprise's (or one user's) in-app inbox; `read_at` is the first reading."""

    __tablename__ = "inbox_message"
    __table_args__ = (CheckConstraint("enterprise_id IS NOT NULL OR user_id IS NOT NULL", name="recipient"),
                      CheckConstraint(_in("kind", INBOX_KINDS), name="kind"),
                      Index("ix_inbox_message_enterprise_read", "enterprise_id", "read_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("alert_order.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# ---- immutability ----

_ORDER_CLOSING = {"window_end", "ended_by_id", "superseded_by_id"}


@event.listens_for(AlertOrder, "before_update")
def _order_is_immutable(mapper, connection, target) -> None:
    """An issued order is never edited: only its closing fields may be set, once, from empty."""
    state = db.inspect(target)
    for attr in state.attrs:
        hist = attr.history
        if not hist.has_changes():
            continue
        if attr.key not in _ORDER_CLOSING or (hist.deleted and hist.deleted[0] is not None):
            raise RuntimeError("an issued alert order is immutable: a level change issues new orders")


@event.listens_for(LevelChange, "before_update")
@event.listens_for(Delivery, "before_update")
@event.listens_for(Receipt, "before_update")
def _append_only(mapper, connection, target) -> None:
    raise RuntimeError("alert history, deliveries and receipts are append-only")


@event.listens_for(AlertOrder, "before_delete")
@event.listens_for(LevelChange, "before_delete")
@event.listens_for(Receipt, "before_delete")
def _kept(mapper, connection, target) -> None:
    raise RuntimeError("alert orders, level history and receipts are never deleted")
