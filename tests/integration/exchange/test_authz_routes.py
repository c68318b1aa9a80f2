"""tests/authz/exchange.py lists exactly the exchange routes (the matrix harness in tests/api runs them for every actor)."""
from __future__ import annotations

from tests.authz.exchange import API_ROUTES, PAGE_ROUTES


def test_every_exchange_route_is_listed(app):
    import re

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", re.sub(r"<[^>]*>", "{}", path.split("?", 1)[0]))

    routed = {(m, shape(r.rule)) for r in app.url_map.iter_rules() if r.endpoint.startswith("exchange")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    listed = {(r.method, shape(r.path)) for r in API_ROUTES + PAGE_ROUTES}
    assert routed == listed
    assert all(not r.missing_actors() for r in API_ROUTES + PAGE_ROUTES)
