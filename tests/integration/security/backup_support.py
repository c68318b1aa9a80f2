"""Helpers for the backup, restore and runbook tests (issue 13, Medium 4/5, Low 10): a world with
evidence files, fresh empty databases to restore into, and the checks a restored copy must pass
(row counts, `flask audit verify`, every evidence file downloads with its bytes)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.builders import ANCI, PASSWORD, csrf_from


def pdf(n: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(2000) + f"\nscan {n}\n%%EOF\n".encode()


def build_evidence_world(db_app, evidence_dir: Path, make_user, make_enterprise) -> dict:
    """An approved enterprise whose grade application carries three evidence files (on disk under
    `evidence_dir`, which becomes the app's GRADE_EVIDENCE_DIR)."""
    from registry.extensions import db
    from registry.grades import operations as grade_ops

    db_app.config["GRADE_EVIDENCE_DIR"] = str(evidence_dir)
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = grade_ops.create_application(owner, {"enterprise_id": ent.id,
                                               "industries": {"steel": {"line_ids": [ent.lines[0].id]}}})
    db.session.commit()
    files = {}
    for n in range(3):
        data = pdf(n)
        row = grade_ops.add_evidence(owner, app.id, f"scan-{n}.pdf", data, industry="steel",
                                     indicator="clean_transport_share")
        db.session.commit()
        files[row.id] = data
    return {"owner": owner.username, "county": county.username, "application_id": app.id, "evidence": files}


class FreshDatabases:
    """Empty databases to restore into: new SQLite files, or new databases on the same PostgreSQL server."""

    def __init__(self, source_url: str, tmp_path: Path):
        self.source = make_url(source_url)
        self.tmp_path = tmp_path
        self.made: list[str] = []

    @property
    def postgres(self) -> bool:
        return self.source.get_backend_name() == "postgresql"

    def new(self) -> str:
        n = len(self.made)
        if not self.postgres:
            url = f"sqlite:///{self.tmp_path / f'restored-{n}.sqlite3'}"
            self.made.append(url)
            return url
        name = f"lantian_restore_{os.getpid()}_{n}"
        admin = create_engine(self.source, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.made.append(name)
        return self.source.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.postgres:
            return
        admin = create_engine(self.source, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def fresh_databases(db_app, tmp_path):
    dbs = FreshDatabases(db_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    yield dbs
    dbs.drop_all()


def app_on(url: str, evidence_dir: Path):
    """A second instance of the application on a restored database and evidence folder."""
    from config import Testing
    from registry import create_app

    class Restored(Testing):
        SQLALCHEMY_DATABASE_URI = url
        GRADE_EVIDENCE_DIR = str(evidence_dir)

    return create_app(Restored)


def check_restored(url: str, evidence_dir: Path, world: dict) -> None:
    """`flask audit verify` passes on the restored copy, and the owner downloads every evidence file intact."""
    from registry.extensions import db
    from tests.builders.grades import person_client

    restored = app_on(url, evidence_dir)
    try:
        with restored.app_context():
            result = restored.test_cli_runner().invoke(args=["audit", "verify"])
            assert result.exit_code == 0 and "intact" in result.output, result.output
        browser = person_client(restored)
        page = browser.get("/login")
        r = browser.post("/login", data={"username": world["owner"], "password": PASSWORD,
                                         "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert r.status_code in (302, 303), r.status_code
        for evidence_id, data in world["evidence"].items():
            got = browser.get(f"/grades/evidence/{evidence_id}")
            assert got.status_code == 200 and got.data == data, (evidence_id, got.status_code)
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
