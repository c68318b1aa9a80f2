"""Readings fixtures: a store in tmp_path per test, an enterprise with a production and a control meter and a stack."""
from __future__ import annotations

import pytest


@pytest.fixture()
def readings_store(db_app, tmp_path):
    from registry.readings.store import store_for

    old = db_app.config.get("READINGS_DIR")
    db_app.config["READINGS_DIR"] = str(tmp_path / "readings")
    try:
        yield store_for(db_app)
    finally:
        db_app.config["READINGS_DIR"] = old


@pytest.fixture()
def metered(db_app, make_enterprise, readings_store):
    """(enterprise, owner, production meter, control meter, stack) in 安次区 (Langfang)."""
    from registry.accounts.auth import SYSTEM
    from registry.extensions import db
    from registry.readings import operations as ops

    ent, owner = make_enterprise()
    prod = ops.register_meter(SYSTEM, ent.id, {"code": "P1", "facility": "1号生产线", "role": "production"})
    ctrl = ops.register_meter(SYSTEM, ent.id, {"code": "C1", "facility": "脱硫设施", "role": "control",
                                               "interval_minutes": 60})
    stack = ops.register_stack(SYSTEM, ent.id, {"name": "1号排放口", "mn": "LFMN0000000001"})
    db.session.commit()
    return ent, owner, prod, ctrl, stack


@pytest.fixture()
def token_for(db_app):
    """A Bearer Authorization header for `user` (as tests/api/conftest.py)."""
    from registry.accounts.operations import create_token
    from registry.extensions import db

    def _make(user, name: str = "tests") -> dict[str, str]:
        _token, secret = create_token(user, {"name": name})
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return _make
