"""tests/rollback.py, the machinery of the authorization matrix (issue 15 §6): a world built once,
each case rolled back, the application's own commits turned into SAVEPOINT releases, and the
database exactly as before once the outer transaction is rolled back — on SQLite and PostgreSQL."""
from __future__ import annotations

from tests.builders import PASSWORD


def _users() -> set[str]:
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.extensions import db

    return set(db.session.scalars(select(User.username)))


def _make_user(name: str) -> None:
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.extensions import db

    create_user(SYSTEM, {"username": name, "password": PASSWORD, "role": "enterprise", "region_code": None})
    db.session.commit()  # the application's commit: a SAVEPOINT release inside the outer transaction


def test_world_is_built_once_and_each_case_is_rolled_back(app):
    from sqlalchemy import text

    from registry.extensions import db
    from tests.rollback import RollbackDatabase

    with app.app_context():
        before = _users()
    rollback = RollbackDatabase(app)
    try:
        builds = []

        def build():
            builds.append(1)
            _make_user("world.user")
            return "world"

        assert rollback.world("k", build) == "world"
        with rollback.case():
            _make_user("case.one")
            with db.engine.begin() as conn:  # the runner's short transaction: a nested SAVEPOINT here
                conn.execute(text("UPDATE user_account SET full_name = 'x' WHERE username = 'world.user'"))
            assert _users() == before | {"world.user", "case.one"}
        assert rollback.world("k", build) == "world"
        with rollback.case():
            assert _users() == before | {"world.user"}, "the first case's commit was rolled back"
            db.session.rollback()  # an application rollback undoes only its own SAVEPOINT
            assert _users() == before | {"world.user"}
        assert builds == [1], "the same key does not build its world again"
        rollback.world("other", lambda: None)
        with rollback.case():
            assert _users() == before, "a new key drops the previous world"
    finally:
        rollback.close()
    with app.app_context():
        assert _users() == before
        _make_user("after.close")  # the app's own engine again, committing for real
        assert "after.close" in _users()
        from tests.conftest import _clean

        db.session.remove()
    _clean(app)
