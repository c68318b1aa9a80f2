"""Cases isolated by rollback instead of emptying the tables: build a world once, run many cases on it.

SQLAlchemy's "joining a session into an external transaction" recipe, for Flask-SQLAlchemy:
one connection holds an outer transaction for the whole module; the app's default engine is
that connection for as long as `RollbackDatabase` is open, and every session the app makes
(the request's, a nested app context's such as the inline schedule generation) joins it with
`join_transaction_mode="create_savepoint"`: the application's own `db.session.commit()` releases
a SAVEPOINT and its `rollback()` rolls back to it, so the code under test runs unchanged.

    world level:  SAVEPOINT            ← `world()` builds a world here (through the operations)
    case level:     SAVEPOINT          ← `case()`: one request; rolled back afterwards
                      SAVEPOINT …      ← the app's sessions commit / roll back in here

pysqlite does not emit BEGIN itself and so cannot hold a SAVEPOINT across its implicit
commits; the connection comes from an engine of its own with the documented workaround
(SQLAlchemy "Serializable isolation / Savepoints / Transactional DDL": isolation_level=None on
connect, BEGIN on the "begin" event). The app's regular engine is left untouched, so tests
outside a `RollbackDatabase` keep the driver's usual behaviour.

`with db.engine.begin() as conn:` inside the app (schedules/runner._record: progress in its own
short transaction) becomes a nested SAVEPOINT on the same connection: a second connection
would wait on the outer transaction's write lock (SQLite) or not see the uncommitted world.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class _JoinedConnection(Connection):
    """A Connection the app may also use as `db.engine`: `begin()` inside the outer transaction
    opens a SAVEPOINT and yields the connection, as Engine.begin() yields one."""

    @contextmanager
    def _savepoint_block(self) -> Iterator[Connection]:
        with self.begin_nested():
            yield self

    def begin(self):  # type: ignore[override]
        if self.in_transaction():
            return self._savepoint_block()
        return super().begin()


def _rollback_engine(url: sa.URL, options: dict[str, Any]) -> sa.Engine:
    engine = sa.create_engine(url, **options)
    engine._connection_cls = _JoinedConnection  # noqa: SLF001 - the class Engine.connect() instantiates
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # pysqlite: no implicit BEGIN/COMMIT of its own

        @sa.event.listens_for(engine, "begin")
        def _emit_begin(conn):
            conn.exec_driver_sql("BEGIN")

    return engine


class RollbackDatabase:
    """One outer transaction around many cases; worlds and cases are SAVEPOINTs inside it."""

    def __init__(self, app) -> None:
        from registry.extensions import db

        self.app = app
        self._db = db
        with app.app_context():
            db.session.remove()
            self._engines = db._app_engines[app]  # noqa: SLF001 - Flask-SQLAlchemy 3.1's engine map
            self._saved_engine = self._engines[None]
            self._engine = _rollback_engine(self._saved_engine.url, dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})))
        self.connection = self._engine.connect()
        self._outer = self.connection.begin()
        self._engines[None] = self.connection  # the app's default "engine" is now this connection
        self._factory_kw = dict(db.session.session_factory.kw)
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
        self._world_key: Hashable | None = None
        self._world: Any = None
        self._world_savepoint = None

    def close(self) -> None:
        """Roll everything back and give the app its engine again: the database is as it was."""
        with self.app.app_context():
            self._db.session.remove()
        self._drop_world()
        self._outer.rollback()
        self.connection.close()
        self._engine.dispose()
        self._engines[None] = self._saved_engine
        factory = self._db.session.session_factory
        factory.kw.clear()
        factory.kw.update(self._factory_kw)  # the sessions of later tests use the engine as before

    @contextmanager
    def _app_context(self) -> Iterator[None]:
        """A request context as `db_app` gives a test, with a session that is gone afterwards."""
        ctx = self.app.test_request_context()
        ctx.push()
        try:
            yield
        finally:
            self._db.session.remove()  # its open SAVEPOINT, if any, is rolled back
            ctx.pop()

    def _drop_world(self) -> None:
        if self._world_savepoint is not None and self._world_savepoint.is_active:
            self._world_savepoint.rollback()
        self._world_savepoint = self._world = self._world_key = None

    def world(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The world for `key`, built by `build()` (inside an app context) only when the key changes:
        run the cases of one key one after the other to build it once."""
        if key != self._world_key:
            self._drop_world()
            self._world_savepoint = self.connection.begin_nested()
            with self._app_context():
                self._world = build()
            self._world_key = key
        return self._world

    @contextmanager
    def case(self) -> Iterator[None]:
        """One case on the current world: an app/request context, everything undone afterwards."""
        savepoint = self.connection.begin_nested()
        try:
            with self._app_context():
                yield
        finally:
            if savepoint.is_active:
                savepoint.rollback()
