"""One clock for the registry, timezone-aware UTC, so SQLite and PostgreSQL store the same instant."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
