"""Helpers for the exchange tests (the fixtures `do_import` and `admin` are in tests/integration/conftest.py)."""
from __future__ import annotations


def counts(db_app=None) -> dict[str, int]:
    from sqlalchemy import func, select

    from registry.extensions import db

    out = {}
    for name in ("enterprise", "production_line", "equipment", "line_emission", "permit", "audit_entry"):
        t = db.metadata.tables[name]
        out[name] = db.session.scalar(select(func.count()).select_from(t))
    return out


def problems(report, severity: str = "error") -> list[tuple[str, int, str, str]]:
    return [(p.sheet, p.row, p.column, p.reason) for p in report.problems if p.severity == severity]
