"""Grade integration fixtures: evidence files go to a temporary directory, never instance/."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _evidence_dir(db_app, tmp_path):
    db_app.config["GRADE_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield
    db_app.config.pop("GRADE_EVIDENCE_DIR", None)


@pytest.fixture()
def token_for_grades(db_app):
    from registry.accounts.operations import create_token
    from registry.extensions import db

    def _make(user) -> dict[str, str]:
        _token, secret = create_token(user, {"name": "grades"})
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return _make
