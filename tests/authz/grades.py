"""Every grade route (pages, public pages, API) with the status each actor must get (vocabulary: spec.py).

Grade worlds use the route state `grade_<application state>` (draft, submitted, returned,
county_accepted, publicity, effective): the world's registration is approved and has an emergency-grade
application in that state, built through the operations by build_grade_world below (tests/api/world.py
calls it). Extra placeholders: {application_id} {application_version} {evidence_id} {objection_id}.

Defaults of the procedure (docs/grading.md): the enterprise applies; the county (county_in) checks
documents; the city (city_in) approves and makes effective; city or province answer objections and
record re-grades or other systems' grades; any official in scope records findings. Public pages and
the criteria packs need no login.
"""
from __future__ import annotations

from tests.authz.spec import Route, everyone

OFFICIALS_IN = ("county_in", "city_in", "province_in")


def view(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, **{a: ok for a in OFFICIALS_IN})


def draft_only(ok: int, anon: int = 302) -> dict[str, int]:
    """A never-submitted application: only its enterprise acts and sees it."""
    return everyone(404, anonymous=anon, owner=ok)


def owner_edit(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, owner=ok, **{a: 403 for a in OFFICIALS_IN})


def only(actors: dict[str, int], anon: int = 302) -> dict[str, int]:
    """Visible to owner and officials in scope (403 unless listed); 404 for the rest (administrators too)."""
    out = everyone(404, anonymous=anon, owner=403, **{a: 403 for a in OFFICIALS_IN})
    out.update(actors)
    return out


def officials(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(ok, anonymous=anon, owner=403, other_enterprise=403, admin=403, security_admin=403, audit_admin=403)


def build_grade_world(state: str, owner, enterprise) -> dict:
    """The world's application in `state`, plus an objection when in publicity; returns placeholders."""
    from flask import current_app

    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.extensions import db
    from registry.grades import operations as ops
    from tests.builders import ANCI, PASSWORD
    from tests.builders.grades import build_application

    # Ten actors post objections within a minute from one address: the rate limit is tested elsewhere.
    current_app.config["GRADE_OBJECTION_RATE_LIMIT"] = "1000 per minute"
    county = create_user(SYSTEM, {"username": "world.grade.county", "password": PASSWORD, "role": "county", "region_code": ANCI})
    city = create_user(SYSTEM, {"username": "world.grade.city", "password": PASSWORD, "role": "city", "region_code": "131000"})
    app = build_application(owner, enterprise, state, county=county, city=city)
    values = {"application_id": app.id, "evidence_id": app.evidence[0].id}
    if state == "publicity":
        values["objection_id"] = ops.file_objection(app.id, {"text": "该企业运输车辆不达标。"}).id
    db.session.flush()
    values["application_version"] = app.version
    return values


V = "{application_version}"
A = "/grades/{application_id}"
API = "/api/v1/grade-applications/{application_id}"

ROUTES = [
    # ---- pages ----
    Route("GET", "/grades/", everyone(200, anonymous=302)),
    Route("GET", "/grades/new", everyone(403, anonymous=302, owner=200, other_enterprise=200), state="approved",
          note="each enterprise account opens the form for its own enterprise"),
    Route("POST", "/grades/new", everyone(403, anonymous=302, owner=302, other_enterprise=409), state="approved",
          data={"lines-steel": "{line_id}"}, note="the other enterprise's registration is a draft: 409"),
    Route("GET", A, view(), state="grade_submitted"),
    Route("GET", A, draft_only(200), state="grade_draft"),
    Route("POST", A + "/answers", owner_edit(302), state="grade_returned",
          data={"version": V, "a-steel-clean_transport_share": "85"}),
    Route("POST", A + "/evidence", draft_only(422), state="grade_draft",
          note="a form without a file: the owner's upload is refused (422), nobody else may upload"),
    Route("GET", "/grades/evidence/{evidence_id}", view(), state="grade_submitted"),
    Route("GET", "/grades/evidence/{evidence_id}", draft_only(200), state="grade_draft"),
    Route("POST", A + "/submit", draft_only(302), state="grade_draft", data={"version": V}),
    Route("POST", A + "/submit", owner_edit(409), state="grade_submitted", data={"version": V}),
    Route("POST", A + "/delete", draft_only(302), state="grade_draft", data={"version": V}),
    Route("POST", A + "/review", only({"county_in": 302}), state="grade_submitted", data={"version": V}),
    Route("POST", A + "/approve", only({"city_in": 302}), state="grade_county_accepted", data={"version": V}),
    Route("POST", A + "/effective", only({"city_in": 409}), state="grade_publicity", data={"version": V},
          note="the publicity period is still running: 409 for the city"),
    Route("POST", "/grades/objections/{objection_id}/answer", only({"city_in": 302, "province_in": 302}),
          state="grade_publicity", data={"version": "1", "answer": "经核实，车辆均为国五及以上。"}),
    Route("POST", A + "/objections/answer", only({"city_in": 302, "province_in": 302}),
          state="grade_publicity", data={"answer": "经核实，车辆均为国五及以上。"},
          note="one answer for every open objection (issue 13 M10)"),
    Route("GET", "/grades/enterprise/{enterprise_id}", view(), state="grade_effective"),
    Route("POST", "/grades/enterprise/{enterprise_id}/finding", only({a: 302 for a in OFFICIALS_IN}),
          state="grade_effective", data={"kind": "fraud", "reason": "超低排放评估数据造假"}),
    Route("POST", "/grades/enterprise/{enterprise_id}/record", only({"city_in": 302, "province_in": 302}),
          state="grade_effective", data={"system": "voc_class", "industry": "steel", "grade": "C", "reason": "VOCs体检C类"}),
    Route("GET", "/grades/ungraded", officials(200)),
    Route("GET", "/grades/chart", officials(200)),
    Route("GET", "/grades/export/decisions.xlsx", everyone(200, anonymous=302), state="grade_effective"),
    # ---- public pages (no login) ----
    Route("GET", "/public/grades", everyone(200), state="grade_publicity"),
    Route("GET", "/public/grades.xlsx", everyone(200), state="grade_effective"),
    Route("GET", "/public/grades/{application_id}/objection", everyone(200), state="grade_publicity"),
    Route("POST", "/public/grades/{application_id}/objection", everyone(303), state="grade_publicity",
          data={"name": "王五", "text": "请核查该企业的运输方式。"}),
    Route("GET", "/public/grades/{application_id}/objection", everyone(404), state="grade_submitted",
          note="no publicity yet: the page does not exist"),
    # ---- API ----
    Route("GET", "/api/v1/grade-criteria", everyone(200)),
    Route("GET", "/api/v1/grade-criteria/steel", everyone(200)),
    Route("GET", "/api/v1/grade-applications", everyone(200, anonymous=401)),
    Route("POST", "/api/v1/grade-applications", only({"owner": 201, "other_enterprise": 404}, anon=401), state="approved",
          data={"enterprise_id": "{enterprise_id}", "industries": {"steel": {"line_ids": ["{line_id}"]}}}),
    Route("GET", API, view(anon=401), state="grade_submitted"),
    Route("DELETE", API, draft_only(204, anon=401), state="grade_draft", data={"version": V}),
    Route("POST", API + "/evidence", draft_only(422, anon=401), state="grade_draft",
          note="a JSON body carries no file: the owner's upload is refused (422), nobody else may upload"),
    Route("PUT", API + "/answers", owner_edit(200, anon=401), state="grade_returned",
          data={"version": V, "industries": {"steel": {"answers": {"clean_transport_share": 85}}}}),
    Route("POST", API + "/submit", draft_only(200, anon=401), state="grade_draft", data={"version": V}),
    Route("POST", API + "/review", only({"county_in": 200}, anon=401), state="grade_submitted", data={"version": V}),
    Route("POST", API + "/approve", only({"city_in": 200}, anon=401), state="grade_county_accepted", data={"version": V}),
    Route("POST", API + "/effective", only({"city_in": 409}, anon=401), state="grade_publicity", data={"version": V}),
    Route("POST", "/api/v1/grade-objections/{objection_id}/answer", only({"city_in": 200, "province_in": 200}, anon=401),
          state="grade_publicity", data={"version": 1, "answer": "经核实，车辆均为国五及以上。"}),
    Route("GET", "/api/v1/enterprises/{enterprise_id}/grades", view(anon=401), state="grade_effective"),
    Route("POST", "/api/v1/enterprises/{enterprise_id}/grades", only({"city_in": 201, "province_in": 201}, anon=401),
          state="grade_effective", data={"system": "voc_class", "industry": "steel", "grade": "C", "reason": "VOCs体检C类"}),
    Route("POST", "/api/v1/enterprises/{enterprise_id}/grade-findings", only({a: 201 for a in OFFICIALS_IN}, anon=401),
          state="grade_effective", data={"kind": "fraud", "reason": "超低排放评估数据造假"}),
    Route("GET", "/api/v1/grade-statistics", officials(200, anon=401)),
    Route("GET", "/api/v1/ungraded-enterprises", officials(200, anon=401)),
    Route("GET", "/api/v1/public/grades", everyone(200), state="grade_effective"),
]
