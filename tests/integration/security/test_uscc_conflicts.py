"""Issue 13 M7: USCC squatting. A self-registered account registered a real company's 统一社会信用代码 as a draft it
never submitted: officials could not see it, their import of the real company failed, the real company could not
register, and nothing could remove the draft.

Now (real HTTP, both databases): officials of the code's region (USCC characters 3–8) see the conflict by the code;
the import report names it and the page; an official releases the draft (reason, audited, the owner is told); the
real company claims its code with a licence scan (evidence checks) and the county grants it, reserving the code.
"""
from __future__ import annotations

import io

from sqlalchemy import select

from registry.accounts.models import User
from registry.core.audit import AuditEntry
from registry.enterprises.models import Enterprise
from registry.extensions import db
from tests.builders import ANCI, csrf_from, enterprise_payload, login
from tests.builders.files import enterprise_row, workbook

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REAL = 42  # the real company's seed: its code is 91131002MA0000042… (registering region 131002, 安次区)


def _bearer(user) -> dict[str, str]:
    from registry.accounts.operations import create_token

    _token, secret = create_token(user, {"name": "t"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}


def _squat(client, make_user):
    squatter = make_user("enterprise")
    body = enterprise_payload(REAL, name="抢注公司")
    r = client.post("/api/v1/enterprises", json=body, headers=_bearer(squatter))
    assert r.status_code == 201, r.get_data(as_text=True)
    return squatter, body["uscc"]


def _import(client, official, dry_run: bool = False):
    data = workbook({"enterprises": [enterprise_row(REAL, name="真实钢铁有限公司")]})
    return client.post("/api/v1/imports", headers=_bearer(official), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "register.xlsx"), "dry_run": "1" if dry_run else ""})


def _page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def test_an_official_sees_the_squatted_code_and_the_import_report_names_the_conflict_then_releases_it(client, make_user):
    """M7 (a)(b)(c): the official's import of the real company failed on a bare refusal and no page showed the draft."""
    squatter, uscc = _squat(client, make_user)
    county = make_user("county", ANCI)
    r = _import(client, county)
    assert r.status_code == 422
    assert "never submitted" in r.get_data(as_text=True) and "/enterprises/conflicts" in r.get_data(as_text=True)

    login(client, county.username)
    client.get("/lang/en")
    page = _page(client, "/enterprises/conflicts")
    assert uscc in page and "抢注公司" not in page  # by the code, not the draft's content
    page = _page(client, f"/enterprises/conflicts?uscc={uscc}")
    assert 'data-held="draft"' in page and "抢注公司" not in page
    r = client.post("/enterprises/conflicts/release", data={"csrf_token": csrf_from(page), "uscc": uscc, "reason": ""})
    assert r.status_code == 422  # a reason is required
    r = client.post("/enterprises/conflicts/release",
                    data={"csrf_token": csrf_from(page), "uscc": uscc, "reason": "该账户登记的代码属于另一家企业，三个月未提交。"})
    assert r.status_code == 302

    db.session.expire_all()
    assert db.session.get(User, squatter.id).enterprise_id is None
    assert db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc)) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "enterprise.uscc_release"))
    assert entry is not None and entry.region_code == "131002" and entry.user_id == county.id
    assert "抢注公司" not in str(entry.before) + str(entry.after)

    r = _import(client, county)  # and run again: the real company is imported
    assert r.status_code == 200, r.get_data(as_text=True)[:800]
    assert db.session.scalar(select(Enterprise.name).where(Enterprise.uscc == uscc)) == "真实钢铁有限公司"

    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, squatter.username)
    client.get("/lang/en")
    page = _page(client, "/enterprises/")
    assert "was released by an official" in page and "三个月未提交" in page and "抢注公司" in page


def test_officials_of_another_region_do_not_see_or_release_the_code(client, make_user):
    """M7: the code decides who resolves it — 广阳区 (131003) gets 404 for a 131002 code."""
    _squatter, uscc = _squat(client, make_user)
    other = make_user("county", "131003")
    login(client, other.username)
    assert uscc not in _page(client, "/enterprises/conflicts")
    assert client.get(f"/enterprises/conflicts?uscc={uscc}").status_code == 404
    page = _page(client, "/enterprises/conflicts")
    r = client.post("/enterprises/conflicts/release", data={"csrf_token": csrf_from(page), "uscc": uscc, "reason": "越权释放"})
    assert r.status_code == 404


def test_the_real_company_claims_its_code_with_its_licence_and_the_county_grants_it(client, make_user):
    """M7 (d): the real company could not register. It claims with a licence scan (checked like evidence); the
    county grants; the draft is released, the code reserved for the company, which then registers."""
    squatter, uscc = _squat(client, make_user)
    real = make_user("enterprise")
    county = make_user("county", ANCI)

    login(client, real.username)
    client.get("/lang/en")
    r = client.post("/api/v1/enterprises", json=enterprise_payload(REAL, name="真实钢铁有限公司"), headers=_bearer(real))
    assert r.status_code == 422  # the code is taken
    page = _page(client, "/enterprises/")
    assert 'id="claim-link"' in page
    page = _page(client, "/enterprises/claims/new")
    form = {"csrf_token": csrf_from(page), "uscc": uscc, "company_name": "真实钢铁有限公司", "contact": "0316-7654321"}
    r = client.post("/enterprises/claims/new", content_type="multipart/form-data",
                    data={**form, "file": (io.BytesIO(b"MZ\x90\x00evil"), "licence.pdf")})
    assert r.status_code == 422 and "does not match its type" in r.get_data(as_text=True)
    r = client.post("/enterprises/claims/new", content_type="multipart/form-data",
                    data={**form, "file": (io.BytesIO(PDF), "licence.pdf")})
    assert r.status_code == 302, r.get_data(as_text=True)[-600:]
    assert 'data-status="open"' in _page(client, "/enterprises/")

    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, county.username)
    client.get("/lang/en")
    page = _page(client, "/enterprises/conflicts")
    assert "真实钢铁有限公司" in page and "held by a never-submitted draft" in page
    claim_id = int(page.split('data-claim="', 1)[1].split('"', 1)[0])
    assert client.get(f"/enterprises/claims/{claim_id}/licence").get_data() == PDF
    r = client.post(f"/enterprises/claims/{claim_id}/decide", data={
        "csrf_token": csrf_from(page), "decision": "grant", "reason": "营业执照核对无误。", "version": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)[-600:]
    db.session.expire_all()
    assert db.session.get(User, squatter.id).enterprise_id is None

    again = client.post("/api/v1/enterprises", json=enterprise_payload(REAL, name="抢注公司"), headers=_bearer(squatter))
    assert again.status_code == 422 and "granted to the company" in again.get_data(as_text=True)
    r = client.post("/api/v1/enterprises", json=enterprise_payload(REAL, name="真实钢铁有限公司"), headers=_bearer(real))
    assert r.status_code == 201, r.get_data(as_text=True)
