"""The readings routes (issue 19) for the authorization matrix, in the format of tests/authz/spec.py.

Officials and enterprise accounts use the readings pages and API; the three administrators have no business here
(403). Meters and stacks belong to an enterprise: its owner and the officials whose region holds it register them;
anyone else gets 404 (existence does not leak). The matrix sends no file and no rows: 422 for everyone allowed."""
from __future__ import annotations

from tests.authz.exchange import PathWith
from tests.authz.spec import Route, everyone

V = "/api/v1/readings"
ADMINS = {"admin": 403, "security_admin": 403, "audit_admin": 403}
OUT = {"other_enterprise": 404, "county_out": 404, "city_out": 404, "province_out": 404, "admin": 404,
       "security_admin": 404, "audit_admin": 404}


def api(ok: int, **over: int) -> dict[str, int]:
    return everyone(ok, anonymous=401, **{**ADMINS, **over})


def page(ok: int, **over: int) -> dict[str, int]:
    return everyone(ok, anonymous=302, **{**ADMINS, **over})


API_ROUTES: list[Route] = [
    Route("POST", PathWith(f"{V}/{{kind}}/files", kind="electricity"), api(422), data={}, note="no file"),
    Route("POST", PathWith(f"{V}/{{kind}}/batch", kind="gate"), api(422), data={}, note="no rows"),
    Route("POST", PathWith(f"{V}/{{kind}}/stream", kind="electricity"), api(422), note="empty stream"),
    Route("GET", f"{V}/batches", api(200)),
    Route("GET", f"{V}/enterprises/{{enterprise_id}}/devices", api(200, **OUT)),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/meters", api(201, **OUT), data={"code": "M1"}),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/stacks", api(201, **OUT), data={"name": "1号排放口", "mn": "MNAUTHZ001"}),
]

PAGE_ROUTES: list[Route] = [
    Route("GET", "/readings/", page(200)),
    Route("POST", "/readings/upload", page(422), note="no file"),
    Route("GET", "/readings/enterprises", page(200)),
    Route("GET", "/readings/enterprises/{enterprise_id}", page(200, **OUT)),
    Route("POST", "/readings/enterprises/{enterprise_id}/meters", page(302, **OUT),
          data={"meter-code": "M1", "meter-role": "production", "meter-interval_minutes": "15"}),
    Route("POST", "/readings/enterprises/{enterprise_id}/stacks", page(302, **OUT),
          data={"stack-name": "1号排放口", "stack-mn": "MNAUTHZ002"}),
    Route("POST", PathWith("/readings/meters/{meter_id}/active", meter_id="999999"), everyone(404, anonymous=302),
          note="no such meter"),
]

ROUTES: list[Route] = API_ROUTES + PAGE_ROUTES
