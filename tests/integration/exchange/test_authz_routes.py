"""tests/authz/exchange.py, run here until the matrix harness reads it: every exchange route × every actor."""
from __future__ import annotations

import pytest

from tests.authz.exchange import API_ROUTES, PAGE_ROUTES
from tests.authz.spec import ACTORS


def test_every_exchange_route_is_listed(app):
    import re

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", re.sub(r"<[^>]*>", "{}", path.split("?", 1)[0]))

    routed = {(m, shape(r.rule)) for r in app.url_map.iter_rules() if r.endpoint.startswith("exchange")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    listed = {(r.method, shape(r.path)) for r in API_ROUTES + PAGE_ROUTES}
    assert routed == listed
    assert all(not r.missing_actors() for r in API_ROUTES + PAGE_ROUTES)


def _cases():
    for kind, routes in (("api", API_ROUTES), ("page", PAGE_ROUTES)):
        for route in routes:
            for actor in ACTORS:
                yield pytest.param(kind, route, actor, id=f"{route.method} {route.path} [{actor}]")


@pytest.mark.parametrize(("kind", "route", "actor"), list(_cases()))
def test_exchange_route_answers_actor(kind, route, actor, db_app):
    from flask import g

    from tests.api.world import bearer_headers, build_world, session_login

    client = db_app.test_client()
    for key in list(vars(g)):
        delattr(g, key)
    world = build_world(route.state, actor)
    path = world.fill(route.path)
    headers, kwargs = {}, {}
    if kind == "api":
        if world.actor is not None:
            headers.update(bearer_headers(world.actor))
        if route.method == "POST":
            kwargs["json"] = route.data
    else:
        token = session_login(client, world.actor)
        if route.method != "GET":
            kwargs["data"] = {"csrf_token": token}
    for key in list(vars(g)):
        delattr(g, key)
    response = client.open(path, method=route.method, headers=headers, **kwargs)
    assert response.status_code == route.expect[actor], response.get_data(as_text=True)[:400]
