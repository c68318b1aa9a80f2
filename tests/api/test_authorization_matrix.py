"""The authorization matrix: every route of the app, every actor, the status each must get.

(a) Every (method, rule) of app.url_map must be listed in a route table of tests/authz/:
    api.py (JSON API), pages.py (pages), or another module with ROUTES (exchange.py…); a new
    route nobody thought about fails here. Paths under /api/ are API routes, the rest pages.
(b) Each (route, actor) pair is its own test: a fresh world (tests/api/world.py, built through
    operations), the actor signed in (API: a Bearer token from create_token; pages: a session
    and its CSRF token), one request, one expected status (tests/authz/spec.py).

Speed (issue 15 §6): a world depends only on (registration state, actor, the lazy objects the
route names: schedules, emergency lists, plans), so the cases are ordered by that key and each
world is built once, inside a SAVEPOINT of one outer transaction (tests/rollback.py); every case
runs in a SAVEPOINT of its own that is rolled back after its request, so each case still sees
exactly the world it would have had fresh. Same pairs, same world, same assertions.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tests.authz.spec import ACTORS, Route

AUTHZ_DIR = Path(__file__).resolve().parents[1] / "authz"
NOT_ROUTE_TABLES = {"__init__", "spec"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
IGNORED_ENDPOINTS = {"static"}


def _route_tables() -> dict[str, list[Route]]:
    """tests/authz/api.py, pages.py and any other route table there (exchange.py…), by module name.

    A table that does not exist yet counts as empty, so its routes show up as uncovered."""
    tables: dict[str, list[Route]] = {"tests.authz.api": [], "tests.authz.pages": []}
    for path in sorted(AUTHZ_DIR.glob("*.py")):
        if path.stem in NOT_ROUTE_TABLES:
            continue
        module = importlib.import_module(f"tests.authz.{path.stem}")
        if hasattr(module, "ROUTES"):
            tables[module.__name__] = list(module.ROUTES)
    return tables


TABLES = _route_tables()
ALL_ROUTES = [r for routes in TABLES.values() for r in routes]


def _kind(route: Route) -> str:
    """API routes authenticate with a Bearer token, pages with a session and a CSRF token."""
    return "api" if route.path.startswith("/api/") else "page"


def _rule_of(app, route: Route):
    """The url_map rule a listed route reaches (placeholders filled with 1), or None."""
    from werkzeug.exceptions import HTTPException

    path = re.sub(r"\{[^}]*\}", "1", route.path.split("?", 1)[0])
    try:
        rule, _args = app.url_map.bind("localhost").match(path, method=route.method, return_rule=True)
    except HTTPException:
        return None
    return rule


def _app_rules(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in IGNORED_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            out.add((method, rule.rule))
    return out


def test_every_route_of_the_app_is_in_the_matrix(app):
    listed = {(r.method, rule.rule) for r in ALL_ROUTES if (rule := _rule_of(app, r)) is not None}
    missing = sorted(_app_rules(app) - listed)
    empty = [name for name, routes in TABLES.items() if not routes]
    assert not missing, (
        f"{len(missing)} route(s) are in no route table of tests/authz ({', '.join(TABLES)})"
        f"{'; empty or missing: ' + ', '.join(empty) if empty else ''}:\n"
        + "\n".join(f"  {m} {p}" for m, p in missing)
    )


def test_every_matrix_route_exists_in_the_app(app):
    stale = sorted({f"{r.method} {r.path}" for r in ALL_ROUTES if _rule_of(app, r) is None})
    assert not stale, "listed but not routed (typo or removed route):\n" + "\n".join(f"  {s}" for s in stale)


def test_every_route_names_every_actor():
    incomplete = {f"{r.method} {r.path}": r.missing_actors() for r in ALL_ROUTES if r.missing_actors()}
    assert not incomplete, incomplete


def _lazy_builders(route: Route) -> tuple[str, ...]:
    """The lazy world builders (tests/api/world.LAZY_VALUES) the route's path and data name, in order."""
    from tests.api.world import LAZY_VALUES

    texts = [route.path]

    def walk(value) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            texts.append(value)

    walk(route.data)
    out: list[str] = []
    for text in texts:
        for name in re.findall(r"\{(\w+)\}", text):
            if name in LAZY_VALUES:
                builder = LAZY_VALUES[name]
                label = f"{builder.__module__}.{builder.__qualname__}"
                if label not in out:
                    out.append(label)
    return tuple(out)


def _world_key(route: Route, actor: str) -> tuple:
    return (route.state, actor, _lazy_builders(route))


def _cases():
    """Every (route, actor) pair. `make test-fast` keeps one actor per route (the others are marked
    `slow`; `make test` runs them all): the routes of one world state take the actors in turn, so
    the sample sees every actor and builds at most one world per (state, actor)."""
    cases = []
    turn: dict[tuple, int] = {}
    for route in ALL_ROUTES:
        kind = _kind(route)
        group = (route.state, _lazy_builders(route))
        turn[group] = turn.get(group, -1) + 1
        sampled = ACTORS[turn[group] % len(ACTORS)]
        for actor in ACTORS:
            if actor not in route.expect:
                continue  # reported by test_every_route_names_every_actor
            status = route.expect[actor]
            state = "" if route.state == "submitted" else f" ({route.state})"
            marks = () if actor == sampled else (pytest.mark.slow,)
            cases.append((_world_key(route, actor), pytest.param(
                kind, route, actor, marks=marks, id=f"{route.method} {route.path}{state} [{actor}] -> {status}")))
    # the cases of one world run one after the other, so that world is built once (stable sort)
    order = {key: i for i, (key, _param) in reversed(list(enumerate(cases)))}
    return [param for _key, param in sorted(cases, key=lambda c: order[c[0]])]


class _SignedIn:
    """The actor as session_login needs it once the world's session is gone: its Flask-Login id."""

    def __init__(self, user_id: str) -> None:
        self._id = user_id

    def get_id(self) -> str:
        return self._id


def _build_world(route: Route, actor: str):
    """tests/api/world.build_world plus the lazy objects the route names, built now (not in the case)."""
    from tests.api.world import build_world

    world = build_world(route.state, actor)
    world.fill(route.path)
    world.fill_data(route.data)
    world.actor = None if world.actor is None else _SignedIn(world.actor.get_id())
    world.owner = world.enterprise = world.line = world.permit = world.token = None  # rolled back objects
    return world


@pytest.mark.parametrize(("kind", "route", "actor"), _cases())
def test_route_answers_actor(kind, route, actor, rollback_db):
    from tests.conftest import _fresh_client_class

    world = rollback_db.world(_world_key(route, actor), lambda: _build_world(route, actor))
    app = rollback_db.app
    with rollback_db.case():
        app.test_client_class = _fresh_client_class()
        try:
            api_client = app.test_client()
        finally:
            app.test_client_class = None
        _request_and_check(kind, route, actor, world, api_client)


def _request_and_check(kind, route, actor, world, api_client) -> None:
    from tests.api.world import session_login

    path = world.fill(route.path)
    data = world.fill_data(route.data)
    headers: dict[str, str] = {}
    kwargs: dict = {}
    if kind == "api":
        headers.update(world.headers)
        if route.method in ("POST", "PUT", "PATCH") or data:
            kwargs["json"] = data
    else:
        csrf_token = session_login(api_client, world.actor)
        if route.method != "GET":
            kwargs["data"] = {**data, "csrf_token": csrf_token, "confirmed": "1"}  # past the confirmation (issue 16)
        elif data:
            kwargs["query_string"] = data

    response = api_client.open(path, method=route.method, headers=headers, **kwargs)

    expected = route.expect[actor]
    body = response.get_data()[:600].decode("utf-8", "replace")  # exports are binary
    assert response.status_code == expected, f"{route.method} {path} as {actor}: {response.status_code}, wanted {expected}\n{body}"
    if kind == "api" and path.startswith("/api/") and expected >= 400:
        envelope = response.get_json(silent=True) or {}
        assert {"code", "message", "errors"} <= set(envelope), f"not the error envelope: {body}"
    if kind == "page" and actor == "anonymous" and expected == 302:
        assert "/login" in response.headers.get("Location", ""), response.headers.get("Location")
