"""Account lockout (ASVS V2.2.1, 等保 2.0 登录失败处理): 5 consecutive failures lock an account for 15 minutes."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context

from registry.accounts.models import User
from registry.core.timeutil import utcnow


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


def register_failure(user: User, now: datetime | None = None) -> bool:
    """Count a failed attempt; True when this failure locks the account."""
    now = now or utcnow()
    if user.locked_until is not None and _aware(user.locked_until) <= now:
        user.failed_logins = 0  # an expired lock starts a fresh count
        user.locked_until = None
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= max_failures():
        user.locked_until = now + timedelta(minutes=lock_minutes())
        return True
    return False


def register_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def unlock(user: User) -> None:
    register_success(user)
