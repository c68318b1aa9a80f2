"""Column types shared by all domains."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware UTC datetimes; SQLite drops tzinfo, so it is put back on the way out. An aware time in another
    zone (a Beijing window) is converted to UTC first: SQLite would otherwise keep its wall clock as if it were UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None:
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def in_vocabulary(column: str, vocabulary) -> str:
    """SQL text for a CHECK constraint that keeps a column inside a controlled vocabulary."""
    codes = ", ".join(f"'{c}'" for c in vocabulary.codes())
    return f"{column} IN ({codes})"
