"""Today's date in China (publicity periods and effective dates are calendar days in Beijing time).

One function so tests can move the calendar past a publicity period without waiting a week.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(BEIJING).date()
