"""A real import writes everything in one transaction or nothing (issue 8).

A fault is injected into the Core insert of the last sheet (permits); the enterprises, lines,
emissions and equipment already sent to the database in the same transaction must vanish.
"""
from __future__ import annotations

import pytest

from tests.builders.files import enterprise_row, full_book, line_row, permit_row, workbook
from tests.integration.exchange.conftest import counts


def _break_permit_insert(monkeypatch):
    from registry.enterprises import bulk as writer

    real = writer._insert

    def failing(table, rows, returning=()):
        if table.name == "permit":
            raise RuntimeError("disk full (injected)")
        return real(table, rows, returning)

    monkeypatch.setattr(writer, "_insert", failing)


def test_fault_in_the_last_insert_leaves_the_database_unchanged(do_import, admin, monkeypatch):
    before = counts()
    _break_permit_insert(monkeypatch)
    with pytest.raises(RuntimeError):
        do_import(admin, full_book((1, 2, 3)))
    assert counts() == before


def test_fault_during_an_update_import_keeps_the_old_values(do_import, admin, monkeypatch):
    assert do_import(admin, full_book((1, 2))).written
    before = counts()
    _break_permit_insert(monkeypatch)
    data = workbook({
        "enterprises": [enterprise_row(1, name="新名字"), enterprise_row(9)],
        "lines": [line_row(1, name="改过的高炉"), line_row(9)],
        "permits": [permit_row(9)],
    })
    with pytest.raises(RuntimeError):
        do_import(admin, data)
    assert counts() == before
    from sqlalchemy import select

    from registry.enterprises.models import Enterprise, ProductionLine
    from registry.extensions import db

    db.session.expire_all()
    names = set(db.session.scalars(select(Enterprise.name)))
    assert "新名字" not in names
    assert "改过的高炉" not in set(db.session.scalars(select(ProductionLine.name)))
    assert all(v == 1 for v in db.session.scalars(select(Enterprise.version)))


def test_a_fault_surfaces_as_a_500_with_request_id_through_the_api_and_writes_nothing(client, db_app, make_user, monkeypatch):
    from registry.accounts.operations import create_token
    from registry.extensions import db

    official = make_user("county", "131002")
    _token, secret = create_token(official, {"name": "t"})
    db.session.commit()
    before = counts()
    _break_permit_insert(monkeypatch)
    import io

    response = client.post("/api/v1/imports", headers={"Authorization": f"Bearer {secret}"},
                           data={"file": (io.BytesIO(full_book((1,))), "x.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 500 and response.get_json()["code"] == "server_error"
    assert counts() == before
