"""The emergency-list routes (issue 7) for the authorization matrix, in the format of tests/authz/spec.py.

Built only when a path names one of its placeholders: a Langfang city list (131000,
langfang-2017-18, draft v1) compiled by the city official, with one accepted optimizer proposal on
the world's line ({emergency_list_id}, {emergency_proposal_id}); and the owner's draft 一厂一策 plan
({emergency_plan_id}). The list is the city's own: the city official of 131000 (no administrator: 三员分立, issue 13 M9)
compile, optimize, decide, apply and file; the province above reads; counties, other cities and
enterprises do not see it (404). The enterprise writes and files its own plan; officials in scope
read it (403 on writing); out of scope → 404.
"""
from __future__ import annotations

from tests.api.world import LAZY_VALUES, World
from tests.authz.spec import Route, everyone
from tests.builders import PASSWORD

PACK = "langfang-2017-18"


def list_view(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, city_in=ok, province_in=ok)


def list_manage(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, city_in=ok, province_in=403)


def plan_view(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, county_in=ok, city_in=ok, province_in=ok)


def plan_write(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, county_in=403, city_in=403, province_in=403)


def _list_world(world: World) -> dict:
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.emergency import operations as ops
    from registry.emergency.models import Proposal
    from registry.extensions import db

    city = create_user(SYSTEM, {"username": "world.emergency", "password": PASSWORD, "role": "city", "region_code": "131000"})
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": PACK})
    proposal = Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=world.enterprise.id,
                        line_id=world.line.id, level="red", measure="stop", percent=100, grade=None,
                        reduction={"pm": 1.0}, capacity_lost=1, explanation="world proposal", status="accepted")
    db.session.add(proposal)
    db.session.commit()
    return {"emergency_list_id": lst.id, "emergency_proposal_id": proposal.id}


def _plan_world(world: World) -> dict:
    from registry.emergency import operations as ops
    from registry.extensions import db

    entries = ops.prefill(world.owner, world.enterprise.id, PACK)
    plan = ops.save_plan(world.owner, world.enterprise.id, {"pack_id": PACK, "entries": entries})
    db.session.commit()
    return {"emergency_plan_id": plan.id}


def _area_world(world: World) -> dict:
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.emergency import operations as ops
    from registry.extensions import db

    city = create_user(SYSTEM, {"username": "world.area", "password": PASSWORD, "role": "city", "region_code": "131000"})
    row = ops.save_area_source(city, {"region_code": "131000", "category": "mobile", "pollutant": "nox", "daily_kg": 100})
    db.session.commit()
    return {"emergency_area_source_id": row.id}


LAZY_VALUES["emergency_area_source_id"] = _area_world
LAZY_VALUES["emergency_list_id"] = _list_world
LAZY_VALUES["emergency_proposal_id"] = _list_world
LAZY_VALUES["emergency_plan_id"] = _plan_world

ROUTES: list[Route] = [
    Route("GET", "/emergency/", everyone(200, anonymous=302, owner=302, other_enterprise=302, admin=403, security_admin=403, audit_admin=403),
          note="an enterprise is sent to its own plan"),
    Route("POST", "/emergency/lists", everyone(403, anonymous=302, city_in=302),
          data={"region_code": "131000", "pack_id": PACK}, note="the city official of 131000 only"),
    Route("GET", "/emergency/lists/{emergency_list_id}", list_view()),
    Route("POST", "/emergency/lists/{emergency_list_id}/optimize", list_manage(302), data={"level": "red"}),
    Route("POST", "/emergency/proposals/{emergency_proposal_id}/decide", list_manage(422), data={"decision": "reject"},
          note="the page form without the proposal's version: refused, not unchecked (issue 13 L11)"),
    Route("POST", "/emergency/proposals/{emergency_proposal_id}/decide", list_manage(302),
          data={"decision": "reject", "version": "1"},
          note="accepting asks for the password again after REAUTH_MAX_AGE (the matrix signs in fresh)"),
    Route("POST", "/emergency/lists/{emergency_list_id}/apply", list_manage(302), note="re-auth as accepting"),
    Route("POST", "/emergency/lists/{emergency_list_id}/file", list_manage(302),
          note="re-auth after REAUTH_MAX_AGE; the token API is exempt"),
    Route("GET", "/emergency/lists/{emergency_list_id}/export.xlsx", list_view()),
    Route("GET", "/emergency/lists/{emergency_list_id}/orders?date=2018-01-10&level=red", list_view()),
    Route("GET", "/emergency/lists/{emergency_list_id}/orders.xlsx?date=2018-01-10&level=red", list_view()),
    Route("GET", "/emergency/lists/{emergency_list_id}/orders.zip?date=2018-01-10&level=red", list_view(),
          note="the notices as one PDF per enterprise (issue 16 item 4); an enterprise has only its own notice"),
    Route("GET", "/emergency/lists/{emergency_list_id}/orders?date=2018-01-10&level=red&enterprise_id={enterprise_id}",
          list_view(), state="approved",  # a list covers approved registrations only (issue 14 point 10)
          note="one enterprise's notice: the world's list is a draft, so its owner gets 404 too"),
    Route("GET", "/emergency/mine", everyone(404, anonymous=302, owner=200, other_enterprise=200),
          note="我的应急减排措施 (issue 16): an enterprise's own rows of the filed lists naming it"),
    Route("GET", "/emergency/enterprises/{enterprise_id}/plan", plan_view()),
    Route("POST", "/emergency/enterprises/{enterprise_id}/plan", plan_write(302), data={"pack_id": PACK},
          note="every line 'none' is the alert's own minimum for the world's blast furnace (issue 17: the plan's floor "
               "is read before the heating season; orders still apply the season's 50 %, R-O-03)"),
    Route("POST", "/emergency/plans/{emergency_plan_id}/file", plan_write(302)),
    # issue 17: plans missing or incomplete — officials whose scope covers the region read it
    Route("GET", "/emergency/plans-missing?region=131000",
          everyone(404, anonymous=302, owner=403, other_enterprise=403, security_admin=403, audit_admin=403,
                   city_in=200, province_in=200, admin=403)),
    # the city's non-industrial sources (issue 14 point 8, 全社会 000:149): officials read in scope, the list's city writes
    Route("GET", "/emergency/area-sources?region=131000",
          everyone(404, anonymous=302, owner=403, other_enterprise=403, security_admin=403, audit_admin=403,
                   city_in=200, province_in=200, admin=403)),
    Route("POST", "/emergency/area-sources",
          everyone(403, anonymous=302, city_in=302),
          data={"region_code": "131000", "category": "dust", "pollutant": "pm", "daily_kg": "10"}),
    Route("POST", "/emergency/area-sources/{emergency_area_source_id}/delete",
          everyone(404, anonymous=302, owner=403, other_enterprise=403, security_admin=403, audit_admin=403,
                   city_in=302, province_in=403, admin=403)),
]

API = "/api/v1"
ROUTES += [
    Route("GET", f"{API}/emergency-lists", everyone(200, anonymous=401)),
    Route("POST", f"{API}/emergency-lists", everyone(403, anonymous=401, city_in=201),
          data={"region_code": "131000", "pack_id": PACK}),
    Route("GET", f"{API}/emergency-lists/{{emergency_list_id}}", list_view(200, 401)),
    Route("POST", f"{API}/emergency-lists/{{emergency_list_id}}/file", list_manage(200, 401)),
    Route("POST", f"{API}/emergency-lists/{{emergency_list_id}}/optimize", list_manage(200, 401), data={"level": "red"}),
    Route("GET", f"{API}/emergency-lists/{{emergency_list_id}}/proposals", list_view(200, 401)),
    Route("POST", f"{API}/emergency-lists/{{emergency_list_id}}/apply", list_manage(201, 401)),
    Route("GET", f"{API}/emergency-lists/{{emergency_list_id}}/orders?date=2018-01-10&level=red", list_view(200, 401)),
    Route("POST", f"{API}/emergency-proposals/{{emergency_proposal_id}}/decision", list_manage(200, 401),
          data={"decision": "reject"}),
    Route("GET", f"{API}/enterprises/{{enterprise_id}}/emergency-plan?pack={PACK}", plan_view(200, 401)),
    Route("PUT", f"{API}/enterprises/{{enterprise_id}}/emergency-plan", plan_write(422, 401),
          data={"pack_id": PACK, "entries": []}, note="no entry for the line: every line at every level (R-A-03)"),
    Route("POST", f"{API}/emergency-plans/{{emergency_plan_id}}/file", plan_write(200, 401)),
    Route("GET", f"{API}/emergency-area-sources?region=131000", list_view(200, 401)),
    Route("GET", f"{API}/emergency-plans/missing?region=131000", list_view(200, 401)),
    Route("PUT", f"{API}/emergency-area-sources", everyone(403, anonymous=401, city_in=200),
          data={"region_code": "131000", "category": "dust", "pollutant": "pm", "daily_kg": 10}),
    Route("DELETE", f"{API}/emergency-area-sources/{{emergency_area_source_id}}", list_manage(204, 401)),
]
