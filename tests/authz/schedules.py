"""The schedule routes (issue 6) for the authorization matrix, in the format of tests/authz/spec.py.

The world's enterprise (安次区, Langfang) is in a Langfang city schedule (131000, langfang-2017-18,
draft v1) — built only when a path names {schedule_id}, {version_id} or {application_id}, with
the owner's application for line L1 — and in a published 安次区 county schedule ({published_id}).
City officials of the region draft; county officials under the city see it (their county's lines)
but do not draft it; provinces read (administrators do not: 三员分立); enterprises of the region see their own
lines and apply. Out of scope → 404. The public pages show published versions only.
"""
from __future__ import annotations

from tests.api.world import LAZY_VALUES, World
from tests.authz.spec import Route, everyone
from tests.builders import ANCI, PASSWORD

READERS = ("owner", "other_enterprise", "county_in", "county_out", "city_in", "province_in")


def view(ok: int = 200) -> dict[str, int]:
    return everyone(404, anonymous=302, **{a: ok for a in READERS})


def draft_view(ok: int = 200) -> dict[str, int]:
    """A draft version is the officials' (issue 16): enterprises read published versions, and a draft only when it
    was sent to them (it applies their approved application, schedules/auth.py draft_sent_to) — not this one."""
    return everyone(404, anonymous=302, **{a: ok for a in READERS if a not in ("owner", "other_enterprise")})


def city_drafts(ok: int) -> dict[str, int]:
    """Only the city official of the region drafts; those who can see the schedule get 403."""
    return everyone(404, anonymous=302, **{**{a: 403 for a in READERS}, "city_in": ok})


def _schedule_world(world: World) -> dict:
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.extensions import db
    from registry.schedules import operations as ops

    city = create_user(SYSTEM, {"username": "world.scheduler", "password": PASSWORD, "role": "city", "region_code": "131000"})
    county = create_user(SYSTEM, {"username": "world.county.scheduler", "password": PASSWORD, "role": "county", "region_code": ANCI})
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(city, schedule.id)
    application = ops.apply(world.owner, schedule.id, world.enterprise.id, {
        "line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "民生保障证明",
        "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    county_schedule = ops.create_schedule(county, {"region_code": ANCI, "pack_id": "langfang-2017-18", "season_year": 2017})
    ops.generate(county, county_schedule.id)
    published = ops.publish(county, county_schedule.id, {"filed_on": "2017-11-01", "recipients": "区工信局、区环保局"})
    db.session.commit()
    return {"schedule_id": schedule.id, "version_id": version.id, "application_id": application.id, "published_id": published.id}


for _name in ("schedule_id", "version_id", "application_id", "published_id"):
    LAZY_VALUES[_name] = _schedule_world

NEW = {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": "2017"}

ROUTES: list[Route] = [
    Route("GET", "/schedules/", everyone(200, anonymous=302)),
    Route("POST", "/schedules/", everyone(403, anonymous=302, city_in=302), data=NEW, note="the city official of 131000 only"),
    Route("GET", "/schedules/{schedule_id}", view()),
    Route("POST", "/schedules/{schedule_id}/generate", city_drafts(302), note="starts the background generation"),
    Route("GET", "/schedules/{schedule_id}/progress.json", view(), note="the generation's progress, for those who see the schedule"),
    Route("POST", "/schedules/{schedule_id}/flags", city_drafts(422), note="empty body: the choice form is invalid"),
    Route("POST", "/schedules/{schedule_id}/publish", city_drafts(422), note="empty body: date and recipients missing"),
    Route("POST", "/schedules/{schedule_id}/applications",
          everyone(404, anonymous=302, owner=422, other_enterprise=422, **{a: 403 for a in READERS[2:]}),
          note="enterprises of the region apply for their own lines; empty body → 422"),
    Route("POST", "/schedules/applications/{application_id}/decide",
          everyone(404, anonymous=302, owner=403, county_in=403, province_in=403, city_in=422),
          note="another enterprise, and another county's official (issue 13 L6), cannot even see the owner's application"),
    Route("GET", "/schedules/versions/{version_id}/diff?against={version_id}", draft_view()),
    Route("GET", "/schedules/versions/{version_id}/export.xlsx", draft_view()),
    Route("GET", "/public/schedules/", everyone(200)),
    Route("GET", "/public/schedules/{published_id}", everyone(200)),
    Route("GET", "/public/schedules/{published_id}/export.xlsx", everyone(200)),
    Route("GET", "/public/schedules/{version_id}", everyone(404), note="a draft is not public"),
]

V = "/api/v1"


def api_view(ok: int = 200) -> dict[str, int]:
    return everyone(404, anonymous=401, **{a: ok for a in READERS})


def api_draft_view(ok: int = 200) -> dict[str, int]:
    return everyone(404, anonymous=401, **{a: ok for a in READERS if a not in ("owner", "other_enterprise")})


def api_city_drafts(ok: int) -> dict[str, int]:
    return everyone(404, anonymous=401, **{**{a: 403 for a in READERS}, "city_in": ok})


ROUTES += [
    Route("GET", f"{V}/schedules", everyone(200, anonymous=401)),
    Route("POST", f"{V}/schedules", everyone(403, anonymous=401, city_in=201), data={**NEW, "season_year": 2017}),
    Route("GET", f"{V}/schedules/{{schedule_id}}", api_view()),
    Route("POST", f"{V}/schedules/{{schedule_id}}/generate", api_city_drafts(200)),
    Route("POST", f"{V}/schedules/{{schedule_id}}/flag-choices", api_city_drafts(422), data={}),
    Route("POST", f"{V}/schedules/{{schedule_id}}/publish", api_city_drafts(200),
          data={"filed_on": "2017-11-01", "recipients": "市工信局、市环保局"}),
    Route("POST", f"{V}/schedules/{{schedule_id}}/applications",
          everyone(404, anonymous=401, owner=422, other_enterprise=422, **{a: 403 for a in READERS[2:]}), data={}),
    Route("POST", f"{V}/schedule-applications/{{application_id}}/decision",
          everyone(404, anonymous=401, owner=403, county_in=403, province_in=403, city_in=422), data={}),
    Route("GET", f"{V}/schedule-versions/{{version_id}}/entries", api_draft_view()),
    Route("GET", f"{V}/schedule-versions/{{version_id}}/diff?against={{version_id}}", api_draft_view()),
    Route("GET", f"{V}/public/schedules", everyone(200)),
    Route("GET", f"{V}/public/schedules/{{published_id}}", everyone(200)),
    Route("GET", f"{V}/public/schedules/{{version_id}}", everyone(404), note="a draft is not public"),
]

ROUTES += [
    Route("GET", "/schedules/versions/{version_id}/calendar", draft_view()),
    Route("GET", "/schedules/versions/{version_id}/notice/{enterprise_id}",
          everyone(404, anonymous=302, county_in=200, city_in=200, province_in=200),
          state="approved",  # a schedule holds approved registrations only (issue 14 point 10)
          note="officials read any notice of the draft; an enterprise never a draft's (issue 16); another county → 404"),
    # issue 16 item 4: the whole list's notices (page, one PDF, a ZIP) for officials; an enterprise has only its own
    Route("GET", "/schedules/versions/{version_id}/notices",
          everyone(404, anonymous=302, county_in=200, county_out=200, city_in=200, province_in=200),
          note="officials reading the schedule (a county: its own lines' enterprises); enterprises 404"),
    Route("GET", "/schedules/versions/{version_id}/notices.zip",
          everyone(404, anonymous=302, county_in=200, county_out=200, city_in=200, province_in=200),
          note="as the page: one PDF per enterprise in scope, streamed"),
]
