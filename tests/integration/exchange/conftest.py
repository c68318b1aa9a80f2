"""Fixtures for the exchange tests: import through the operation, as pages, API and CLI do."""
from __future__ import annotations

import pytest


@pytest.fixture()
def do_import(db_app):
    from registry.exchange import operations as ops
    from registry.extensions import db

    def _run(actor, data: bytes, *, dry_run: bool = False, filename: str = "register.xlsx", lang: str = "zh"):
        from flask_babel import force_locale

        with force_locale(lang):
            outcome = ops.import_workbook(actor, data, filename, dry_run=dry_run)
        if outcome.report.written:
            db.session.commit()
        else:
            db.session.rollback()
        return outcome.report

    return _run


@pytest.fixture()
def admin():
    from registry.accounts.auth import SYSTEM

    return SYSTEM


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
