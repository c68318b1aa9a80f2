"""Issue 15 item 7: one Beijing clock, moved by one test hook (`timeutil.beijing_today`)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from registry.core import timeutil


def test_beijing_calendar_is_utc_plus_eight():
    """Calendar days are Beijing days (Asia/Shanghai, no daylight saving): UTC + 8 h."""
    now = timeutil.beijing_now()
    assert now.utcoffset() == timedelta(hours=8)
    assert abs(now - timeutil.utcnow()) < timedelta(seconds=5)
    assert timeutil.utcnow().tzinfo is timezone.utc
    assert timeutil.beijing_today() in {(datetime.now(timezone.utc) + timedelta(hours=8)).date(),
                                        (timeutil.utcnow() + timedelta(hours=8)).date()}


def test_one_hook_moves_every_calendar(monkeypatch):
    """Replacing `timeutil.beijing_today` moves the grades calendar too (grades/clock delegates at call time)."""
    from registry.grades import clock

    real = timeutil.beijing_today()
    monkeypatch.setattr(timeutil, "beijing_today", lambda: real + timedelta(days=30))
    assert clock.today() == real + timedelta(days=30)
