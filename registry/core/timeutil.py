"""The registry's one clock.

`utcnow()` stamps instants (timezone-aware UTC, so SQLite and PostgreSQL store the same instant).
`beijing_today()` / `beijing_now()` give the calendar in China (Asia/Shanghai): publicity periods, effective
dates, file names and default dates are calendar days in Beijing time, whatever the server's zone.

Test hook: tests move the calendar by replacing `beijing_today` on this module
(`monkeypatch.setattr(timeutil, "beijing_today", ...)`, see the `later` fixture), so callers must call it
through the module — `timeutil.beijing_today()` — never import the function itself.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


def beijing_today() -> date:
    return beijing_now().date()
