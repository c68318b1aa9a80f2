"""Fixtures shared by the integration suites (grades, security, exchange, the importer's property tests)."""
from __future__ import annotations

import pytest


@pytest.fixture()
def later(monkeypatch):
    """Move the calendar `days` ahead (past a publicity period)."""
    from datetime import timedelta

    from registry.core import timeutil

    real = timeutil.beijing_today

    def _move(days: int = 30):
        monkeypatch.setattr(timeutil, "beijing_today", lambda: real() + timedelta(days=days))

    return _move


@pytest.fixture()
def admin():
    from registry.accounts.auth import SYSTEM

    return SYSTEM


@pytest.fixture()
def do_import(db_app):
    """Import through exchange.operations and commit when written, as pages, API and CLI do."""
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
