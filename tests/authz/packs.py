"""Officials' pack routes (issue 20) for the authorization matrix, in the format of tests/authz/spec.py.

Built only when a path names {authored_pack_id} or {policy_document_id}: a DRAFT copy of the Langfang pack for
131000 (2026-27) written by another Langfang city official, with one uploaded document. Officials whose region is
above, below or the pack's own read it (the counties of the city, the city, the province); another city, another
province, enterprises and the administrators (三员分立) do not see it (404). Only the city's officials edit, upload,
submit and withdraw (the counties and the province: 403); the province reviews (409 on a draft: not submitted); the
city or the province activates (409: not approved); a new version needs a frozen version (409 on a draft).
"""
from __future__ import annotations

import base64

from tests.api.world import LAZY_VALUES, World
from tests.authz.spec import Route, everyone
from tests.builders import PASSWORD


def view(ok: int = 200, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, county_in=ok, county_out=ok, city_in=ok, province_in=ok)


def edit(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, county_in=403, county_out=403, city_in=ok, province_in=403)


def review(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, county_in=403, county_out=403, city_in=403, province_in=ok)


def activate(ok: int, anon: int = 302) -> dict[str, int]:
    return everyone(404, anonymous=anon, county_in=403, county_out=403, city_in=ok, province_in=ok)


def _pack_world(world: World) -> dict:
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.authoring import operations as ops
    from registry.extensions import db

    author = create_user(SYSTEM, {"username": "world.packs", "password": PASSWORD, "role": "city", "region_code": "131000"})
    row = ops.copy_pack(author, parent="langfang-2017-18", region_code="131000", season_year=2026, pack_id="world-2026-27")
    doc = ops.upload_document(author, row.id, "方案.txt", "第一行\n第二行\n".encode())
    db.session.commit()
    return {"authored_pack_id": row.id, "policy_document_id": doc.id}


for _name in ("authored_pack_id", "policy_document_id"):
    LAZY_VALUES[_name] = _pack_world

_ADMINS_ENTERPRISES = {"owner": 403, "other_enterprise": 403, "admin": 403, "security_admin": 403, "audit_admin": 403}
P = "/packs/{authored_pack_id}"
COPY = {"parent": "langfang-2017-18", "season_year": "2026"}
EDIT = {"emergency.ratios.value.red.pm": "35", "reason": "矩阵测试"}

ROUTES: list[Route] = [
    Route("GET", "/packs/", everyone(200, anonymous=302, owner=302, other_enterprise=302, admin=302, security_admin=302,
                                     audit_admin=302), note="enterprises and administrators are sent to the public list"),
    Route("POST", "/packs/copy", everyone(302, anonymous=302, county_in=403, county_out=403, **_ADMINS_ENTERPRISES),
          data=COPY, note="a city or province official copies for its own region"),
    Route("POST", "/packs/import", everyone(422, anonymous=302, **_ADMINS_ENTERPRISES), note="no file posted: 422"),
    Route("GET", P, view()),
    Route("GET", f"{P}/diff", view()),
    Route("GET", f"{P}/problems", view()),
    Route("GET", f"{P}/impact", view()),
    Route("GET", f"{P}/review", view()),
    Route("GET", f"{P}/export.yaml", view()),
    Route("GET", f"{P}/edit/emergency", view()),
    Route("GET", f"{P}/documents/{{policy_document_id}}", view()),
    Route("POST", f"{P}/edit/emergency", edit(302), data=EDIT),
    Route("POST", f"{P}/documents", edit(422), note="no file posted: 422 for the one who may upload"),
    Route("POST", f"{P}/submit", edit(302)),
    Route("POST", f"{P}/withdraw", edit(302)),
    Route("POST", f"{P}/new-version", edit(409), note="a draft is edited, not copied"),
    Route("POST", f"{P}/review", review(409), data={"decision": "approve"}, note="a draft is not submitted yet"),
    Route("POST", f"{P}/activate", activate(409), note="a draft is not approved yet"),
    Route("GET", "/public/packs/", everyone(200)),
]

API = "/api/v1/authored-packs"
A = f"{API}/{{authored_pack_id}}"
ROUTES += [
    Route("GET", API, everyone(200, anonymous=401)),
    Route("POST", API, everyone(403, anonymous=401, city_in=201),
          data={"parent": "langfang-2017-18", "region_code": "131000", "season_year": 2026}),
    Route("POST", f"{API}/import", everyone(403, anonymous=401, city_in=422),
          data={"region_code": "131000", "season_year": 2026, "yaml": "id: x\n"}),
    Route("GET", A, view(200, 401)),
    Route("GET", f"{A}/diff", view(200, 401)),
    Route("GET", f"{A}/problems", view(200, 401)),
    Route("GET", f"{A}/export.yaml", view(200, 401)),
    Route("GET", f"{A}/impact?dates=2026-12-01", view(200, 401)),
    Route("GET", f"{A}/documents/{{policy_document_id}}", view(200, 401)),
    Route("POST", f"{A}/documents", edit(201, 401),
          data={"filename": "补充.txt", "content_base64": base64.b64encode("补充条款".encode()).decode()}),
    Route("POST", f"{A}/edits", edit(200, 401), data={"changes": {"emergency.ratios.value.red.pm": 35}, "reason": "矩阵"}),
    Route("POST", f"{A}/submit", edit(200, 401)),
    Route("POST", f"{A}/versions", edit(409, 401)),
    Route("POST", f"{A}/review", review(409, 401), data={"decision": "approve"}),
    Route("POST", f"{A}/activate", activate(409, 401)),
]
