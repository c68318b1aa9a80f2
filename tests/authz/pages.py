"""Every server-rendered page route with the status each actor must get (vocabulary: tests/authz/spec.py).

Conventions of the pages (they differ from the API only where a browser needs it):
- anonymous → 302 to the login page; out of scope → 404; in scope without permission → 403;
  a permission the actor has but the registration's state refuses → 409;
- success: 200 for a GET, 302 (redirect) after a POST that changed something;
- a POST with an empty or invalid body by a permitted actor re-renders its form → 422
  (the harness sends a valid CSRF token with every POST).

Routes are listed once per interesting registration state, like tests/authz/api.py: edits on a
returned registration (officials can see it, only the owner may edit it), reviews on a submitted
one, drafts to show they stay private, and the 409 variants for a state that forbids the change.
Form bodies are the browser's flat fields (`emissions-0-status`), not JSON.
"""
from __future__ import annotations

from tests.authz.spec import Route, everyone
from tests.builders import ANCI, PASSWORD, enterprise_payload

OFFICIALS_IN = ("county_in", "city_in", "province_in")


def view(ok: int = 200) -> dict[str, int]:
    """Readable by the owner and officials in scope; 404 for everyone else (administrators too: 三员分立)."""
    return everyone(404, anonymous=302, owner=ok, **{a: ok for a in OFFICIALS_IN})


def draft_view(ok: int = 200) -> dict[str, int]:
    """A never-submitted draft is private to its enterprise."""
    return everyone(404, anonymous=302, owner=ok)


def owner_edit(ok: int) -> dict[str, int]:
    """Only the owning enterprise may change it; others who can see it get 403, the rest 404."""
    return everyone(404, anonymous=302, owner=ok, **{a: 403 for a in OFFICIALS_IN})


def draft_edit(ok: int) -> dict[str, int]:
    """On a draft officials (and administrators) cannot even see the registration: 404."""
    return everyone(404, anonymous=302, owner=ok)


def official_review(ok: int) -> dict[str, int]:
    """Officials in scope decide; the owner gets 403, the rest 404."""
    return everyone(404, anonymous=302, owner=403, **{a: ok for a in OFFICIALS_IN})


def signed_in(ok: int) -> dict[str, int]:
    return everyone(ok, anonymous=302)


def admin_only(ok: int) -> dict[str, int]:
    return everyone(403, anonymous=302, admin=ok)


def security_only(ok: int) -> dict[str, int]:
    return everyone(403, anonymous=302, security_admin=ok)


OFFICIALS = ("county_in", "county_out", "city_in", "city_out", "province_in", "province_out")


def audit_readers(ok: int) -> dict[str, int]:
    """The audit administrator and every official (each sees their own region's entries)."""
    return everyone(403, anonymous=302, audit_admin=ok, **{a: ok for a in OFFICIALS})


ENTERPRISE_FORM = {
    **enterprise_payload(1, ANCI, address="廊坊市安次区新地址2号"),
    "conforms_to_industrial_policy": "y",
    "version": "{enterprise_version}",
}
LINE_FORM = {
    "code": "L1", "name": "1号高炉（改造后）", "sector": "steel", "sub_type": "steel_blast_furnace",
    "kind": "blast_furnace", "fuel": "coke", "capacity": "200", "capacity_unit": "10kt/a", "stack_height_m": "60",
    "has_cems": "y", "cems_transmission_rate": "95",
    "emissions-0-pollutant": "so2", "emissions-0-status": "special_limits", "emissions-0-reached_on": "2017-09-01",
    "equipment-0-name": "1#高炉", "equipment-0-kind": "blast_furnace", "equipment-0-fuel": "coke",
    "equipment-0-capacity": "200", "equipment-0-capacity_unit": "10kt/a", "equipment-0-quantity": "1",
    "version": "{line_version}",
}
NEW_LINE_FORM = {**LINE_FORM, "code": "L2", "name": "2号烧结机", "kind": "sinter_machine", "version": ""}
PERMIT_FORM = {
    "number": "{permit_number}", "kind": "full", "status": "issued", "industry": "炼铁、炼钢",
    "issued_on": "2017-06-30", "valid_until": "2020-06-29", "discharging_per_permit": "y",
    "version": "{permit_version}",
}
NEW_PERMIT_FORM = {**PERMIT_FORM, "number": "P-131002-0099", "version": ""}
VERSION = {"version": "{enterprise_version}"}
REVIEW = {"version": "{enterprise_version}", "reason": "请补充排污许可证副本"}
E = "/enterprises/{enterprise_id}"

ROUTES: list[Route] = [
    # ---- start page, language, health ----
    Route("GET", "/", everyone(302, anonymous=200), note="signed-in users go to their work list"),
    Route("GET", "/dashboard/", everyone(200, anonymous=302, admin=302, security_admin=302, audit_admin=302),
          note="issue 16: each official's and enterprise's dashboard; the administrators go to their own page"),
    Route("GET", "/lang/{owner_username}?next=/login", everyone(302), note="an unknown code is ignored; back to `next`"),
    Route("GET", "/healthz", everyone(200)),
    Route("GET", "/regions/children?parent=131000", everyone(200), note="the public GB/T 2260 table, for the region picker"),
    Route("GET", "/regions/search?q=131002", everyone(200), note="the public GB/T 2260 table, searched"),

    # ---- log in / out / sign up ----
    Route("GET", "/login", everyone(200)),
    Route("POST", "/login", everyone(422), data={}, note="empty form re-rendered with messages"),
    Route("POST", "/login", everyone(422), data={"username": "{owner_username}", "password": "wrong-password-1"}),
    Route("POST", "/logout", everyone(302)),
    Route("GET", "/signup", everyone(302, anonymous=200), note="signed-in users are sent to the start page"),
    Route("POST", "/signup", everyone(302, anonymous=422), data={}),

    # ---- own account and API tokens ----
    Route("GET", "/account", signed_in(200)),
    Route("POST", "/account/password", signed_in(422), data={}),
    Route("GET", "/account/tokens", signed_in(200)),
    Route("POST", "/account/tokens", signed_in(422), data={}),
    Route("POST", "/account/tokens", signed_in(200), data={"name": "sync"}, note="the secret is shown once, in this response"),
    Route("POST", "/account/tokens/{token_id}/revoke", everyone(404, anonymous=302, owner=302),
          note="only the token's owner; for anyone else it does not exist"),

    # ---- user administration ----
    Route("GET", "/admin/users", admin_only(200)),
    Route("GET", "/admin/users/new", admin_only(200)),
    Route("POST", "/admin/users/new", admin_only(422), data={}),
    Route("POST", "/admin/users/new", admin_only(302),
          data={"username": "anci.officer", "role": "county", "region_code": ANCI, "password": PASSWORD, "active": "y"}),
    Route("GET", "/admin/users/{user_id}/edit", admin_only(200)),
    Route("POST", "/admin/users/{user_id}/edit", admin_only(422), data={}),
    Route("POST", "/admin/users/{user_id}/edit", admin_only(302),
          data={"username": "{owner_username}", "role": "enterprise", "full_name": "王五", "active": "y"}),


    # ---- security administration (等保 三员分立: the security administrator only) ----
    Route("GET", "/security/", security_only(200), note="settings, accounts and their sign-in locks"),
    Route("GET", "/security/?q={owner_username}&locked=1&page=2", security_only(200)),
    Route("GET", "/security/users/{user_id}", security_only(200)),
    Route("POST", "/security/users/{user_id}/unlock", security_only(302), note="lifts a sign-in lock (accounts/lockout.py)"),
    Route("POST", "/security/users/{user_id}/password", security_only(422), data={}),
    Route("POST", "/security/users/{user_id}/password", security_only(302), data={"password": "Brand-new-pass-42"}),
    Route("POST", "/security/tokens/{token_id}/revoke", security_only(302), note="anyone's token"),

    # ---- the audit log: the audit administrator (all) and officials (their region) ----
    Route("GET", "/audit/", audit_readers(200)),
    Route("GET", "/audit/?user={owner_username}&action=enterprise.&object_type=enterprise&object_id={enterprise_id}"
                 "&date_from=2026-01-01&date_to=2099-12-31&ip=127.0.0.1&page=2", audit_readers(200)),
    Route("GET", "/audit/?date_from=not-a-date", audit_readers(422), note="the field is named in the message"),
    Route("GET", "/audit/export.csv", audit_readers(200), note="formula-neutralised, itself audited"),
    Route("GET", "/audit/export.csv?action=enterprise.", audit_readers(200)),
    Route("GET", "/audit/verify", everyone(403, anonymous=302, audit_admin=200)),
    Route("GET", "/audit/checkpoints.jsonl", everyone(403, anonymous=302, audit_admin=200), note="issue 13 Low 3"),

    Route("GET", "/reauth", signed_in(200), note="password confirmation before account administration"),
    Route("POST", "/reauth", signed_in(422), data={"password": "wrong-password-1"}),

    # ---- enterprise list and registration ----
    Route("GET", "/enterprises/", signed_in(200), note="scoped list; may be empty"),
    Route("GET", "/enterprises/?q=测试&status=submitted&sector=steel&page=2", signed_in(200)),
    Route("GET", "/enterprises/new", everyone(403, anonymous=302),
          note="every enterprise account of the world already has an enterprise; officials never register"),
    Route("POST", "/enterprises/new", everyone(403, anonymous=302), data={}),

    # ---- detail and history ----
    Route("GET", E, view(200)),
    Route("GET", E, draft_view(200), state="draft"),
    Route("GET", E, view(200), state="returned"),
    Route("GET", E, view(200), state="approved"),
    Route("GET", E + "/history", view(200)),
    Route("GET", E + "/history", draft_view(200), state="draft"),

    # ---- edit the enterprise ----
    Route("GET", E + "/edit", owner_edit(200), state="returned"),
    Route("GET", E + "/edit", draft_edit(200), state="draft"),
    Route("GET", E + "/edit", owner_edit(409), state="submitted"),
    Route("GET", E + "/edit", owner_edit(409), state="approved"),
    Route("POST", E + "/edit", owner_edit(302), state="returned", data=ENTERPRISE_FORM),
    Route("POST", E + "/edit", owner_edit(422), state="returned", data={}),
    Route("POST", E + "/edit", draft_edit(302), state="draft", data=ENTERPRISE_FORM),
    Route("POST", E + "/edit", owner_edit(409), state="submitted", data=ENTERPRISE_FORM),

    # ---- workflow ----
    Route("POST", E + "/submit", owner_edit(302), state="returned", data=VERSION),
    Route("POST", E + "/submit", draft_edit(302), state="draft", data=VERSION),
    Route("POST", E + "/submit", draft_edit(422), state="draft", data={}, note="the version is required"),
    Route("POST", E + "/submit", owner_edit(409), state="submitted", data=VERSION),
    Route("POST", E + "/reopen", owner_edit(302), state="approved", data=VERSION),
    Route("POST", E + "/reopen", owner_edit(409), state="submitted", data=VERSION),
    Route("POST", E + "/approve", official_review(302), state="submitted", data=REVIEW),
    Route("POST", E + "/approve", official_review(422), state="submitted", data={}),
    Route("POST", E + "/approve", official_review(409), state="returned", data=REVIEW),
    Route("POST", E + "/approve", everyone(404, anonymous=302, owner=403), state="draft", data=REVIEW,
          note="officials cannot see a never-submitted draft"),
    Route("POST", E + "/return", official_review(302), state="submitted", data=REVIEW),
    Route("POST", E + "/return", official_review(422), state="submitted", data={"version": "{enterprise_version}", "reason": ""},
          note="a reason is required"),
    Route("POST", E + "/return", official_review(409), state="approved", data=REVIEW),

    # ---- production lines ----
    Route("GET", E + "/lines/new", owner_edit(200), state="returned"),
    Route("GET", E + "/lines/new", owner_edit(409), state="submitted"),
    Route("POST", E + "/lines/new", owner_edit(302), state="returned", data=NEW_LINE_FORM),
    Route("POST", E + "/lines/new", owner_edit(422), state="returned", data={}),
    Route("POST", E + "/lines/new", owner_edit(409), state="submitted", data=NEW_LINE_FORM),
    Route("GET", "/enterprises/lines/{line_id}/edit", owner_edit(200), state="returned"),
    Route("GET", "/enterprises/lines/{line_id}/edit", draft_edit(200), state="draft"),
    Route("GET", "/enterprises/lines/{line_id}/edit", owner_edit(409), state="approved"),
    Route("POST", "/enterprises/lines/{line_id}/edit", owner_edit(302), state="returned", data=LINE_FORM),
    Route("POST", "/enterprises/lines/{line_id}/edit", owner_edit(422), state="returned", data={}),
    Route("POST", "/enterprises/lines/{line_id}/edit", owner_edit(409), state="submitted", data=LINE_FORM),
    Route("POST", "/enterprises/lines/{line_id}/delete", owner_edit(302), state="returned", data={"version": "{line_version}"}),
    Route("POST", "/enterprises/lines/{line_id}/delete", owner_edit(422), state="returned",
          note="no version: refused, not unchecked (issue 13 L11)"),
    Route("POST", "/enterprises/lines/{line_id}/delete", owner_edit(409), state="submitted", data={"version": "{line_version}"}),

    # ---- permits ----
    Route("GET", E + "/permits/new", owner_edit(200), state="returned"),
    Route("GET", E + "/permits/new", owner_edit(409), state="submitted"),
    Route("POST", E + "/permits/new", owner_edit(302), state="returned", data=NEW_PERMIT_FORM),
    Route("POST", E + "/permits/new", owner_edit(422), state="returned", data={}),
    Route("POST", E + "/permits/new", owner_edit(409), state="approved", data=NEW_PERMIT_FORM),
    Route("GET", "/enterprises/permits/{permit_id}/edit", owner_edit(200), state="returned"),
    Route("GET", "/enterprises/permits/{permit_id}/edit", owner_edit(409), state="submitted"),
    Route("POST", "/enterprises/permits/{permit_id}/edit", owner_edit(302), state="returned", data=PERMIT_FORM),
    Route("POST", "/enterprises/permits/{permit_id}/edit", owner_edit(422), state="returned", data={"version": "{permit_version}"}),
    Route("POST", "/enterprises/permits/{permit_id}/edit", owner_edit(409), state="submitted", data=PERMIT_FORM),
    Route("POST", "/enterprises/permits/{permit_id}/delete", owner_edit(302), state="returned",
          data={"version": "{permit_version}"}),
    Route("POST", "/enterprises/permits/{permit_id}/delete", owner_edit(409), state="approved",
          data={"version": "{permit_version}"}),
]
