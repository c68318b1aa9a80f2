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
    """Replacing `timeutil.beijing_today` moves the grades calendar too (the standing grade reads it at call time)."""
    from registry.grades import current

    real = timeutil.beijing_today()
    monkeypatch.setattr(timeutil, "beijing_today", lambda: real + timedelta(days=30))
    assert current.timeutil.beijing_today() == real + timedelta(days=30)


def test_no_other_clock_in_the_registry():
    """Every caller uses core/timeutil: no `date.today()`, `datetime.now()` / `utcnow()` elsewhere, and
    `beijing_today` is called through the module (so the test hook reaches it)."""
    import re
    from pathlib import Path

    root = Path(timeutil.__file__).resolve().parents[1]
    other_clock = re.compile(r"\bdate\.today\(|\bdatetime\.(now|utcnow)\(|\btime\.localtime\(")
    imported = re.compile(r"from registry\.core\.timeutil import .*\bbeijing_(today|now)\b")
    offenders = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py") if path.name != "timeutil.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if other_clock.search(line) or imported.search(line)]
    assert offenders == []
