"""Account lockout (ASVS V2.2.1, 等保 2.0 登录失败处理): 5 consecutive failures lock an account for 15 minutes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import and_, case, func, literal, null, update
from sqlalchemy.orm.attributes import set_committed_value

from registry.accounts.models import User
from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default)) if has_app_context() else default


def max_failures() -> int:
    return _setting("LOGIN_MAX_FAILURES", 5)


def lock_minutes() -> int:
    return _setting("LOGIN_LOCK_MINUTES", 15)


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Locked until `locked_until`; the lock expires by itself."""
    if user.locked_until is None:
        return False
    return _aware(user.locked_until) > (now or utcnow())


@dataclass(frozen=True)
class Failure:
    """What the database said after counting one failure."""

    count: int
    locked_until: datetime | None
    locked: bool         # the account is locked now: refuse with 423
    newly_locked: bool   # this very failure set the lock (audited once as `user.lock`)


def register_failure(user: User, now: datetime | None = None) -> Failure:
    """Count a failed attempt atomically in the database (issue 13 M1).

    One UPDATE … RETURNING does the read, the increment and the lock decision in the database, so
    parallel wrong passwords each add one (the row lock serialises them) and the lock engages at
    exactly LOGIN_MAX_FAILURES, whatever the concurrency. An expired lock starts a fresh count; a
    new lock also ends every session of the account (等保 登录失败处理: 结束会话, sessions.py).
    """
    now = now or utcnow()
    until = now + timedelta(minutes=lock_minutes())
    now_p, until_p = literal(now, UTCDateTime()), literal(until, UTCDateTime())
    expired = and_(User.locked_until.is_not(None), User.locked_until <= now_p)
    still_locked = and_(User.locked_until.is_not(None), User.locked_until > now_p)
    count = case((expired, 1), else_=func.coalesce(User.failed_logins, 0) + 1)
    locks_now = and_(~still_locked, count >= max_failures())
    row = db.session.execute(
        update(User).where(User.id == user.id).values(
            failed_logins=count,
            locked_until=case((locks_now, until_p), (expired, null()), else_=User.locked_until),
            session_epoch=case((locks_now, User.session_epoch + 1), else_=User.session_epoch),
        ).returning(User.failed_logins, User.locked_until, User.session_epoch)
        .execution_options(synchronize_session=False)
    ).one()
    for name, value in zip(("failed_logins", "locked_until", "session_epoch"), row):
        set_committed_value(user, name, value)
    locked = row.locked_until is not None and _aware(row.locked_until) > now
    return Failure(row.failed_logins, row.locked_until, locked, locked and _aware(row.locked_until) == until)


def _reset(user: User) -> None:
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=0, locked_until=null())
        .execution_options(synchronize_session=False)
    )
    set_committed_value(user, "failed_logins", 0)
    set_committed_value(user, "locked_until", None)


def register_success(user: User) -> None:
    _reset(user)


def unlock(user: User) -> None:
    _reset(user)
