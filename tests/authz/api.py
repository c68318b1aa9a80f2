"""Every JSON API route with the status each actor must get (vocabulary: tests/authz/spec.py).

Bodies may use the world's placeholders ({enterprise_version}, {line_version}, {permit_version},
{permit_number}, {owner_username}, …); a value that is only a placeholder keeps its type.
Routes are listed once per interesting registration state: edits are checked on a returned
registration (officials can see it, only the owner may edit), reviews on a submitted one, and
the 409 variants show that a permission the actor has is refused in the wrong state.
"""
from __future__ import annotations

from tests.authz.spec import ACTORS, Route, everyone
from tests.builders import ANCI, PASSWORD, enterprise_payload, line_payload, permit_payload

V = "/api/v1"
OFFICIALS_IN = ("county_in", "city_in", "province_in")
OUT_OF_SCOPE = ("other_enterprise", "county_out", "city_out", "province_out")


def view(ok: int = 200) -> dict[str, int]:
    """Readable by the owner and officials in scope; 404 for everyone else (administrators too: 三员分立)."""
    return everyone(404, anonymous=401, owner=ok, **{a: ok for a in OFFICIALS_IN})


def draft_view(ok: int = 200) -> dict[str, int]:
    """A never-submitted draft is private to its enterprise."""
    return everyone(404, anonymous=401, owner=ok)


def owner_edit(ok: int) -> dict[str, int]:
    """Only the owning enterprise may change it; others who can see it get 403, the rest 404."""
    return everyone(404, anonymous=401, owner=ok, **{a: 403 for a in OFFICIALS_IN})


def official_review(ok: int) -> dict[str, int]:
    """Officials in scope decide; the owner gets 403, the rest 404."""
    return everyone(404, anonymous=401, owner=403, **{a: ok for a in OFFICIALS_IN})


def signed_in(ok: int) -> dict[str, int]:
    return everyone(ok, anonymous=401)


def admin_only(ok: int) -> dict[str, int]:
    return everyone(403, anonymous=401, admin=ok)


ENTERPRISE_EDIT = {**enterprise_payload(1, ANCI, address="廊坊市安次区新地址2号"), "version": "{enterprise_version}"}
LINE_EDIT = {**line_payload("L1", name="1号高炉（改造后）"), "version": "{line_version}"}
PERMIT_EDIT = {**permit_payload("{permit_number}", industry="炼铁、炼钢"), "version": "{permit_version}"}
VERSION = {"version": "{enterprise_version}"}
REVIEW = {"version": "{enterprise_version}", "reason": "请补充排污许可证副本"}

ROUTES: list[Route] = [
    # ---- public reference data and documentation ----
    Route("GET", f"{V}/vocabularies", everyone(200)),
    Route("GET", f"{V}/regions?parent=131000", everyone(200)),
    Route("GET", f"{V}/openapi.json", everyone(200)),
    Route("GET", f"{V}/docs", everyone(200)),
    Route("GET", f"{V}/packs", everyone(200), note="policy engine, public"),
    Route("POST", f"{V}/evaluate", everyone(422), data={}, note="public; an empty document is refused, not 401"),
    # ---- accounts ----
    Route("GET", f"{V}/me", signed_in(200)),
    Route("GET", f"{V}/tokens", signed_in(200)),
    Route("POST", f"{V}/tokens", signed_in(403), data={"name": "nightly import"},
          note="a Bearer token cannot create tokens (issue 13 M3): a session with a recent password can, 201"),
    Route("DELETE", f"{V}/tokens/{{token_id}}", everyone(404, anonymous=401, owner=204), note="own tokens only"),
    Route("GET", f"{V}/users", admin_only(200)),
    Route(
        "POST", f"{V}/users", admin_only(201),
        data={"username": "new.county", "password": PASSWORD, "role": "county", "region_code": ANCI},
    ),
    Route("GET", f"{V}/users/{{user_id}}", everyone(404, anonymous=401, owner=200, admin=200), note="own account or admin"),
    Route(
        "PUT", f"{V}/users/{{user_id}}", admin_only(200),
        data={"username": "owner.renamed", "role": "enterprise", "full_name": "王五"},
    ),
    # ---- enterprises ----
    Route("GET", f"{V}/enterprises", signed_in(200), note="scoped list: nobody is refused, each sees their own"),
    Route("POST", f"{V}/enterprises", everyone(403, anonymous=401), data=enterprise_payload(50, ANCI),
          note="only an enterprise account without an enterprise may register; every actor here has one or is an official"),
    Route("GET", f"{V}/enterprises/{{enterprise_id}}", view()),
    Route("GET", f"{V}/enterprises/{{enterprise_id}}", draft_view(), state="draft"),
    Route("PUT", f"{V}/enterprises/{{enterprise_id}}", owner_edit(200), state="returned", data=ENTERPRISE_EDIT),
    Route("PUT", f"{V}/enterprises/{{enterprise_id}}", owner_edit(409), state="submitted", data=ENTERPRISE_EDIT),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/submit", owner_edit(200), state="returned", data=VERSION),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/submit", owner_edit(409), state="approved", data=VERSION),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/return", official_review(200), data=REVIEW),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/return", official_review(409), state="approved", data=REVIEW),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/approve", official_review(200), data=REVIEW),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/approve", official_review(409), state="returned", data=REVIEW),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/reopen", owner_edit(200), state="approved", data=VERSION),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/reopen", owner_edit(409), state="submitted", data=VERSION),
    Route("GET", f"{V}/enterprises/{{enterprise_id}}/history", view()),
    # ---- production lines ----
    Route("GET", f"{V}/enterprises/{{enterprise_id}}/lines", view()),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/lines", owner_edit(201), state="returned", data=line_payload("L2")),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/lines", owner_edit(409), state="submitted", data=line_payload("L2")),
    Route("GET", f"{V}/lines/{{line_id}}", view()),
    Route("GET", f"{V}/lines/{{line_id}}", draft_view(), state="draft"),
    Route("PUT", f"{V}/lines/{{line_id}}", owner_edit(200), state="returned", data=LINE_EDIT),
    Route("DELETE", f"{V}/lines/{{line_id}}", owner_edit(204), state="returned"),
    Route("DELETE", f"{V}/lines/{{line_id}}", owner_edit(409), state="approved"),
    # ---- permits ----
    Route("GET", f"{V}/enterprises/{{enterprise_id}}/permits", view()),
    Route("POST", f"{V}/enterprises/{{enterprise_id}}/permits", owner_edit(201), state="returned", data=permit_payload("P-NEW-0002")),
    Route("GET", f"{V}/permits/{{permit_id}}", view()),
    Route("PUT", f"{V}/permits/{{permit_id}}", owner_edit(200), state="returned", data=PERMIT_EDIT),
    Route("PUT", f"{V}/permits/{{permit_id}}", owner_edit(409), state="submitted", data=PERMIT_EDIT),
    Route("DELETE", f"{V}/permits/{{permit_id}}", owner_edit(204), state="returned"),
    # The Excel/CSV exchange routes (/api/v1/imports, /api/v1/exports/<kind>) are in tests/authz/exchange.py.
]

assert all(not r.missing_actors() for r in ROUTES), [r.path for r in ROUTES if r.missing_actors()]
assert set(ACTORS) >= {a for r in ROUTES for a in r.expect}
