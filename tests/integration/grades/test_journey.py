"""The whole grading journey through the pages (HTTP), on SQLite and PostgreSQL.

Enterprise applies → county returns an indicator → enterprise fixes → county accepts → city
approves → publicity → objection filed and answered → effective → fraud finding → C (R-G-09).
"""
from __future__ import annotations

import re

from tests.builders import ANCI, csrf_from, login
from tests.builders.grades import PDF, STEEL_ANSWERS, person_client


def _form(answers: dict) -> dict:
    out = {}
    for k, v in answers.items():
        out[f"a-steel-{k}"] = ("yes" if v else "no") if isinstance(v, bool) else str(v)
    return out


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _post(client, url: str, data: dict, page: str | None = None, **kw):
    """Post a page form; an irreversible step answers its confirmation page first (issue 16 item 3), which is confirmed."""
    page_html = client.get(page or url.rsplit("/", 1)[0]).get_data(as_text=True)
    r = client.post(url, data={**data, "csrf_token": csrf_from(page_html)}, **kw)
    if r.status_code == 200 and 'id="confirm-form"' in r.get_data(as_text=True):
        from tests.integration.confirm.helpers import confirm

        r = confirm(client, r, url)
    return r


def test_full_grading_journey_through_the_pages(db_app, make_user, make_enterprise, later):
    from sqlalchemy import select

    from registry.extensions import db
    from registry.grades.models import GradeApplication, GradeDecision

    county = make_user("county", ANCI)
    city = make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    line_id = ent.lines[0].id

    me = person_client(db_app)
    login(me, owner.username)
    # 1. the enterprise chooses the industry of its line and creates the application
    r = _post(me, "/grades/new", {f"line-{line_id}": "steel"}, page="/grades/new")
    assert r.status_code == 302, r.get_data(as_text=True)
    app_url = r.headers["Location"]
    app_id = int(app_url.rstrip("/").rsplit("/", 1)[1])

    # 2. fills the indicators and sees the grade the rules would give, with the clause
    page = me.get(app_url).get_data(as_text=True)
    answers = dict(STEEL_ANSWERS, clean_transport_share=50)  # 50 % → B by local setting
    r = _post(me, f"{app_url}/answers", {"version": _version(page), **_form(answers)}, page=app_url)
    assert r.status_code == 302
    page = me.get(app_url).get_data(as_text=True)
    assert 'id="proposed-grade">B<' in page
    # the rail-share clause beside the indicator, in words in its 依据 detail, the rule id on hover (issue 16)
    assert 'title="R-TR-04"' in page and "《京津冀及周边地区2019-2020年秋冬季大气污染综合治理攻坚行动方案》" in page

    # 3. evidence: a real PDF is stored; an executable named .pdf is refused by its magic bytes
    r = _post(me, f"{app_url}/evidence", {"indicator": "steel.clean_transport_share",
                                          "file": (__import__("io").BytesIO(PDF), "rail.pdf")},
              page=app_url, content_type="multipart/form-data")
    assert r.status_code == 302
    r = _post(me, f"{app_url}/evidence", {"file": (__import__("io").BytesIO(b"MZ\x90\x00evil"), "scan.pdf")},
              page=app_url, content_type="multipart/form-data")
    assert r.status_code == 422

    # 4. submit
    page = me.get(app_url).get_data(as_text=True)
    r = _post(me, f"{app_url}/submit", {"version": _version(page)}, page=app_url)
    assert r.status_code == 302 and r.headers["Location"].endswith(app_url), r.headers.get("Location")

    # 5. the county returns one indicator with a reason
    cc = person_client(db_app)
    lr = login(cc, county.username)
    assert lr.status_code == 302, lr.get_data(as_text=True)[-3000:]
    rr = cc.get(app_url)
    page = rr.get_data(as_text=True)
    assert rr.status_code == 200, page[-800:]
    r = _post(cc, f"{app_url}/review", {"version": _version(page), "v-steel.clean_transport_share": "returned",
                                        "r-steel.clean_transport_share": "铁路运输合同不清晰"}, page=app_url)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    page = me.get(app_url).get_data(as_text=True)
    assert "铁路运输合同不清晰" in page and 'data-status="returned"' in page

    # 6. the enterprise fixes the indicator and resubmits
    r = _post(me, f"{app_url}/answers", {"version": _version(page), "a-steel-clean_transport_share": "85"}, page=app_url)
    assert r.status_code == 302
    page = me.get(app_url).get_data(as_text=True)
    assert 'id="proposed-grade">A<' in page
    assert _post(me, f"{app_url}/submit", {"version": _version(page)}, page=app_url).status_code == 302

    # 7. the county accepts, 8. the city approves: publicity opens
    page = cc.get(app_url).get_data(as_text=True)
    assert _post(cc, f"{app_url}/review", {"version": _version(page)}, page=app_url).status_code == 302
    ci = person_client(db_app)
    login(ci, city.username)
    page = ci.get(app_url).get_data(as_text=True)
    assert _post(ci, f"{app_url}/approve", {"version": _version(page)}, page=app_url).status_code == 302
    page = ci.get(app_url).get_data(as_text=True)
    assert 'data-status="publicity"' in page

    # 9. the public sees it and files an objection (no login, CSRF)
    anon = person_client(db_app)
    public = anon.get("/public/grades").get_data(as_text=True)
    assert ent.name in public and "grade-A" in public
    obj_url = f"/public/grades/{app_id}/objection"
    r = _post(anon, obj_url, {"name": "李四", "text": "该企业运输车辆多为国四柴油车。"}, page=obj_url)
    assert r.status_code == 303

    # 10. not effective while publicity runs or an objection is open
    page = ci.get(app_url).get_data(as_text=True)
    later(30)
    c2 = person_client(db_app)  # four eyes (issue 13 L11): another city official makes the grade effective
    login(c2, make_user("city", "131000").username)
    r = _post(c2, f"{app_url}/effective", {"version": _version(page)}, page=app_url)
    # past the answer period (issue 13 M10) an open objection needs the publisher's recorded reason: 422 without it
    assert r.status_code == 422
    oid = re.search(r'id="objection-(\d+)"', page).group(1)
    r = _post(ci, f"/grades/objections/{oid}/answer", {"version": "1", "answer": "经核查，车辆均为国五及以上。"}, page=app_url)
    assert r.status_code == 302
    page = ci.get(app_url).get_data(as_text=True)
    r = _post(ci, f"{app_url}/effective", {"version": _version(page)}, page=app_url)
    assert r.status_code == 403  # four eyes (issue 13 L11): the approver does not also make the grade effective
    page = c2.get(app_url).get_data(as_text=True)
    r = _post(c2, f"{app_url}/effective", {"version": _version(page)}, page=app_url)
    assert r.status_code == 302
    assert 'data-status="effective"' in ci.get(app_url).get_data(as_text=True)

    # 11. fraud finding → C at once (R-G-09), the A decision stays in the history
    hist = f"/grades/enterprise/{ent.id}"
    r = _post(cc, f"{hist}/finding", {"kind": "fraud", "reason": "超低排放评估数据造假"}, page=hist)
    assert r.status_code == 302
    page = cc.get(hist).get_data(as_text=True)
    assert 'data-grade="A" data-kind="approval"' in page and 'data-grade="C" data-kind="fraud"' in page
    assert "R-G-09" in page

    decisions = list(db.session.scalars(select(GradeDecision).where(GradeDecision.enterprise_id == ent.id).order_by(GradeDecision.id)))
    assert [d.grade for d in decisions] == ["A", "C"]
    assert decisions[1].supersedes_id == decisions[0].id
    assert decisions[0].criteria[0]["id"] == "steel" and len(decisions[0].criteria[0]["sha256"]) == 64
    assert db.session.get(GradeApplication, app_id).status == "effective"
    public = anon.get("/public/grades?grade=C").get_data(as_text=True)
    assert ent.name in public
    xlsx = anon.get("/public/grades.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
