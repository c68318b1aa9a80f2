"""The compliance routes (issue 19) for the authorization matrix, in the format of tests/authz/spec.py.

Officials run the checks and read anomalies, tasks and the summary in their region; an enterprise user reads its own
anomalies (and explains them); the three administrators have no business here (403). The world holds no anomaly,
task or photo: a route naming one answers 404 to everyone signed in (existence does not leak)."""
from __future__ import annotations

from tests.authz.exchange import PathWith
from tests.authz.spec import Route, everyone

V = "/api/v1/compliance"
NONE = "999999"
ADMINS = {"admin": 403, "security_admin": 403, "audit_admin": 403}
ENTERPRISES = {"owner": 403, "other_enterprise": 403}


def api(ok: int, **over: int) -> dict[str, int]:
    return everyone(ok, anonymous=401, **{**ADMINS, **over})


def page(ok: int, **over: int) -> dict[str, int]:
    return everyone(ok, anonymous=302, **{**ADMINS, **over})


def missing(anonymous: int) -> dict[str, int]:
    return everyone(404, anonymous=anonymous)


API_ROUTES: list[Route] = [
    Route("POST", f"{V}/checks", api(200, **ENTERPRISES), data={"first": "2026-12-01", "last": "2026-12-01"}),
    Route("GET", f"{V}/anomalies", api(200)),
    Route("GET", PathWith(f"{V}/anomalies/{{anomaly_id}}", anomaly_id=NONE), missing(401)),
    Route("POST", PathWith(f"{V}/anomalies/{{anomaly_id}}/ask", anomaly_id=NONE), missing(401), data={}),
    Route("POST", PathWith(f"{V}/anomalies/{{anomaly_id}}/explanation", anomaly_id=NONE), missing(401),
          data={"text": "检修用电"}),
    Route("POST", PathWith(f"{V}/anomalies/{{anomaly_id}}/task", anomaly_id=NONE), missing(401), data={}),
    Route("GET", f"{V}/inspections", api(200, **ENTERPRISES)),
    Route("POST", PathWith(f"{V}/inspections/{{task_id}}/record", task_id=NONE), missing(401),
          data={"inspectors": "张三", "visited_at": "2026-12-01T10:00:00", "found": "现场检查", "outcome": "cleared",
                "signatures": "张三"}),
    Route("GET", f"{V}/summary", api(200, **ENTERPRISES)),
]

PAGE_ROUTES: list[Route] = [
    Route("GET", "/compliance/", page(200)),
    Route("POST", "/compliance/run", page(302, **ENTERPRISES), data={"first": "2026-12-01", "last": "2026-12-01"}),
    Route("GET", PathWith("/compliance/anomalies/{anomaly_id}", anomaly_id=NONE), missing(302)),
    Route("POST", PathWith("/compliance/anomalies/{anomaly_id}/ask", anomaly_id=NONE), missing(302)),
    Route("POST", PathWith("/compliance/anomalies/{anomaly_id}/explain", anomaly_id=NONE), missing(302),
          data={"text": "检修用电"}),
    Route("POST", PathWith("/compliance/anomalies/{anomaly_id}/task", anomaly_id=NONE), missing(302)),
    Route("GET", "/compliance/inspections", page(200, **ENTERPRISES)),
    Route("GET", PathWith("/compliance/inspections/{task_id}/record", task_id=NONE), missing(302)),
    Route("POST", PathWith("/compliance/inspections/{task_id}/record", task_id=NONE), missing(302),
          data={"outcome": "cleared"}),
    Route("GET", PathWith("/compliance/photos/{photo_id}", photo_id=NONE), missing(302)),
    Route("GET", "/compliance/summary", page(200, **ENTERPRISES)),
]

ROUTES: list[Route] = API_ROUTES + PAGE_ROUTES
