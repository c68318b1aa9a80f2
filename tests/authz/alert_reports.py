"""The alert report routes (issue 17, after each episode) for the authorization matrix (tests/authz/spec.py).

The episode report follows the episode: officials who see the episode read its report (county, city, province of
131000 — 404 elsewhere); the overview by city and the monthly report are for every official, scoped to what each
one sees (403 for enterprises and the administrators, 三员分立)."""
from __future__ import annotations

from importlib.util import find_spec

from tests.authz import alerts as _alerts  # noqa: F401  # registers the {alert_episode_id} world
from tests.authz.alerts import STATE, episode_view
from tests.authz.spec import Route, everyone


def officials(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(ok, anonymous=anon, owner=403, other_enterprise=403, admin=403, security_admin=403, audit_admin=403)


API = "/api/v1"
ROUTES: list[Route] = [
    Route("GET", "/alerts/reports/", officials()),
    Route("GET", "/alerts/reports/monthly", officials()),
    Route("GET", "/alerts/reports/monthly.xlsx", officials()),
    Route("GET", "/alerts/reports/episodes/{alert_episode_id}", episode_view(), state=STATE),
    Route("GET", "/alerts/reports/episodes/{alert_episode_id}.xlsx", episode_view(), state=STATE),
    # the PDF goes through registry/notices' render_pdf: 404 for everyone until the notices branch is merged
    Route("GET", "/alerts/reports/episodes/{alert_episode_id}.pdf",
          episode_view() if find_spec("registry.notices") else everyone(404, anonymous=302), state=STATE),
    Route("GET", f"{API}/alert-episodes/{{alert_episode_id}}/report", episode_view(200, 401), state=STATE),
    Route("GET", f"{API}/alert-reports/cities", officials(200, 401)),
    Route("GET", f"{API}/alert-reports/monthly", officials(200, 401)),
    Route("POST", f"{API}/plan-reminders", everyone(404, anonymous=401, owner=403, other_enterprise=403, admin=403,
                                                    security_admin=403, audit_admin=403, city_in=201, province_in=201),
          data={"region_code": "131000"}),
    Route("POST", "/alerts/reminders/plans", everyone(404, anonymous=302, owner=403, other_enterprise=403, admin=403,
                                                      security_admin=403, audit_admin=403, city_in=302, province_in=302),
          data={"region": "131000"}, note="officials whose scope covers the region (a county does not cover its city)"),
]
