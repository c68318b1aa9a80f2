"""Conflicts over a USCC (issue 13 M7) for the authorization matrix, in the format of tests/authz/spec.py.

Who resolves is decided by the code, not by a draft's content: officials whose scope covers the code's
registering region (USCC characters 3–8; the world's code is 91131002…, 安次区) — county_in, city_in,
province_in; officials of other regions get 404 (existence does not leak); everyone else 403 on the pages
and 404 on a claim. Claims are filed from an enterprise account that has no registration: the world's
enterprise accounts both have one (403). {claim_id}: an open claim on the world's code by a fresh account.
"""
from __future__ import annotations

from tests.api.world import LAZY_VALUES, World
from tests.authz.spec import Route, everyone
from tests.builders import PASSWORD

IN = ("county_in", "city_in", "province_in")
OUT = ("county_out", "city_out", "province_out")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _claim_world(world: World) -> dict:
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.enterprises import conflicts
    from registry.extensions import db
    from tests.builders.grades import use_temp_evidence_dir

    use_temp_evidence_dir()
    claimant = create_user(SYSTEM, {"username": "world.claimant", "password": PASSWORD, "role": "enterprise"})
    claim = conflicts.file_claim(claimant, {"uscc": world.enterprise.uscc, "company_name": "真实的公司"}, "licence.pdf", PDF)
    db.session.commit()
    return {"claim_id": claim.id, "world_uscc": world.enterprise.uscc}


def _uscc_world(world: World) -> dict:
    return {"world_uscc": world.enterprise.uscc}


LAZY_VALUES["claim_id"] = _claim_world
LAZY_VALUES["world_uscc"] = _uscc_world


def officials(ok: int, out: int = 404) -> dict[str, int]:
    return everyone(403, anonymous=302, **{a: ok for a in IN}, **{a: out for a in OUT})


RELEASE = {"uscc": "{world_uscc}", "reason": "账户长期未提交，企业本身另行登记。"}

ROUTES: list[Route] = [
    Route("GET", "/enterprises/conflicts", officials(200, out=200), note="each official sees the codes of their region"),
    Route("GET", "/enterprises/conflicts?uscc={world_uscc}", officials(200, out=404), note="a code of another region: 404"),
    Route("POST", "/enterprises/conflicts/release", officials(302), state="draft", data=RELEASE,
          note="a never-submitted draft is released"),
    Route("POST", "/enterprises/conflicts/release", officials(409), state="submitted", data=RELEASE,
          note="a submitted registration is never released: 409"),
    Route("GET", "/enterprises/claims/new", everyone(403, anonymous=302),
          note="only an enterprise account without a registration claims; the world's accounts have one"),
    Route("POST", "/enterprises/claims/new", everyone(403, anonymous=302), data={"uscc": "{world_uscc}"}),
    Route("GET", "/enterprises/claims/{claim_id}/licence", everyone(404, anonymous=302, **{a: 200 for a in IN})),
    Route("POST", "/enterprises/claims/{claim_id}/decide", everyone(404, anonymous=302, **{a: 302 for a in IN}),
          data={"decision": "reject", "reason": "营业执照与名称不符。", "version": "1"}),
]
