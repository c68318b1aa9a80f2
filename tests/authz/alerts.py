"""The alert routes (issue 17) for the authorization matrix, in the format of tests/authz/spec.py.

Built only when a path names one of its placeholders: a Langfang city-wide orange alert (131000) issued by the
city official over an approved world enterprise ({alert_episode_id}), the enterprise's order ({alert_order_id})
and its inbox entry ({inbox_message_id}). The city of 131000 issues, changes, lifts and re-sends; the counties of
the city and the province above read (403 on managing); another city, another province, enterprises (for the
episode) and the administrators (三员分立) do not see it (404). The order is the enterprise's: its users read and
acknowledge it; officials who see the episode read it (403 on acknowledging).
"""
from __future__ import annotations

from tests.api.world import LAZY_VALUES, World
from tests.authz.spec import Route, everyone
from tests.builders import PASSWORD

STATE = "approved"  # only approved (reviewed) enterprises are covered by an alert


def episode_view(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, county_in=ok, county_out=ok, city_in=ok, province_in=ok)


def episode_manage(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, county_in=403, county_out=403, city_in=ok, province_in=403)


def order_view(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, county_in=ok, county_out=ok, city_in=ok, province_in=ok)


def order_ack(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, county_in=403, county_out=403, city_in=403, province_in=403)


def enterprise_own(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, other_enterprise=ok)


def _episode_world(world: World) -> dict:
    from sqlalchemy import select

    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.alerts import operations as ops
    from registry.alerts.models import AlertOrder, InboxMessage
    from registry.extensions import db

    city = create_user(SYSTEM, {"username": "world.alerts", "password": PASSWORD, "role": "city", "region_code": "131000"})
    ep = ops.issue(city, {"scope": "city", "region_code": "131000", "level": "orange", "doc_number": "world"})
    db.session.commit()
    order = db.session.scalar(select(AlertOrder).where(AlertOrder.enterprise_id == world.enterprise.id))
    msg = db.session.scalar(select(InboxMessage).where(InboxMessage.order_id == order.id)) if order else None
    return {"alert_episode_id": ep.id, "alert_order_id": order.id if order else 0, "inbox_message_id": msg.id if msg else 0}


for _name in ("alert_episode_id", "alert_order_id", "inbox_message_id"):
    LAZY_VALUES[_name] = _episode_world

ISSUE = {"scope": "city", "level": "orange", "starts_at": "2026-12-05T08:00", "doc_number": "matrix",
         "issuing_body": "廊坊市重污染天气应急指挥部"}
ROUTES: list[Route] = [
    Route("GET", "/alerts/", everyone(200, anonymous=302, owner=302, other_enterprise=302, admin=403,
                                      security_admin=403, audit_admin=403),
          note="an enterprise is sent to its 今日须执行 page"),
    Route("POST", "/alerts/episodes", everyone(403, anonymous=302, city_in=302, city_out=302, province_in=422,
                                               province_out=422), data=ISSUE,
          note="a city issues for itself (city_out for 130100); a province's form is the regional one (422 on a city scope)"),
    Route("GET", "/alerts/episodes/{alert_episode_id}", episode_view(), state=STATE),
    Route("POST", "/alerts/episodes/{alert_episode_id}/level", episode_manage(302), state=STATE, data={"level": "red"}),
    Route("POST", "/alerts/episodes/{alert_episode_id}/lift", episode_manage(302), state=STATE, data={"clear_hours": "36"}),
    Route("POST", "/alerts/episodes/{alert_episode_id}/resend", episode_manage(302), state=STATE),
    Route("GET", "/alerts/episodes/{alert_episode_id}/print", episode_view(), state=STATE),
    Route("GET", "/alerts/inbox", enterprise_own()),
    Route("GET", "/alerts/today", enterprise_own()),
    Route("POST", "/alerts/inbox/{inbox_message_id}/read", everyone(404, anonymous=302, owner=302), state=STATE),
    Route("GET", "/alerts/orders/{alert_order_id}", order_view(), state=STATE),
    Route("POST", "/alerts/orders/{alert_order_id}/ack", order_ack(302), state=STATE, data={"note": "收到"}),
]

API = "/api/v1"
ROUTES += [
    Route("GET", f"{API}/alert-episodes", everyone(200, anonymous=401)),
    Route("POST", f"{API}/alert-episodes", everyone(403, anonymous=401, city_in=201),
          data={"region_code": "131000", "level": "orange"}),
    Route("GET", f"{API}/alert-episodes/{{alert_episode_id}}", episode_view(200, 401), state=STATE),
    Route("POST", f"{API}/alert-episodes/{{alert_episode_id}}/level", episode_manage(200, 401), state=STATE,
          data={"level": "red"}),
    Route("POST", f"{API}/alert-episodes/{{alert_episode_id}}/lift", episode_manage(200, 401), state=STATE),
    Route("POST", f"{API}/alert-episodes/{{alert_episode_id}}/resend", episode_manage(200, 401), state=STATE),
    Route("GET", f"{API}/alert-episodes/{{alert_episode_id}}/status", episode_view(200, 401), state=STATE),
    Route("GET", f"{API}/alert-orders", everyone(200, anonymous=401)),
    Route("GET", f"{API}/alert-orders/{{alert_order_id}}", order_view(200, 401), state=STATE),
    Route("POST", f"{API}/alert-orders/{{alert_order_id}}/receipt", order_ack(201, 401), state=STATE, data={"note": "收到"}),
    Route("GET", f"{API}/inbox", enterprise_own(200, 401)),
]
