"""Issue 13 L11: four eyes on a grade, and page forms that omit `version` no longer skip the optimistic lock.

The independent test, in the Jiyuan and Jizhou packs (the county reviews, approves and publishes), reviewed,
approved and made a grade effective with ONE county account; and posted page forms without their hidden
`version`, which operations took as "do not check". Real HTTP (API token or a signed-in page session).
"""
from __future__ import annotations

import pytest

from registry.extensions import db
from tests.builders import ANCI, JIYUAN, csrf_from, login
from tests.builders.grades import build_application


def _bearer(user) -> dict[str, str]:
    from registry.accounts.operations import create_token

    _token, secret = create_token(user, {"name": "t"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_one_county_account_can_no_longer_review_approve_and_publish_a_jiyuan_grade(client, make_user, make_enterprise, later):
    """L11: in jiyuan-2018-19 every step is the county level's; the same person may not take two successive steps."""
    one = make_user("county", JIYUAN)
    ent, owner = make_enterprise(JIYUAN, approved_by=one)
    app = build_application(owner, ent, "submitted")
    db.session.commit()
    url = f"/api/v1/grade-applications/{app.id}"
    me = _bearer(one)
    r = client.post(f"{url}/review", headers=me, json={"version": app.version})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = client.post(f"{url}/approve", headers={**me, "Accept-Language": "en"}, json={"version": r.get_json()["version"]})
    assert r.status_code == 403 and "Four eyes" in r.get_json()["message"]
    other = make_user("county", JIYUAN)
    r = client.post(f"{url}/approve", headers=_bearer(other), json={"version": app.version})
    assert r.status_code == 200, r.get_data(as_text=True)
    later(30)
    version = r.get_json()["version"]
    r = client.post(f"{url}/effective", headers=_bearer(other), json={"version": version})
    assert r.status_code == 403  # the approver
    r = client.post(f"{url}/effective", headers=me, json={"version": version})
    assert r.status_code == 200  # the reviewer may: not two *successive* steps (the pack may ask for more)


def test_a_pack_can_make_four_eyes_stricter_but_not_weaker(db_app, make_user, make_enterprise, monkeypatch):
    """L11: grade_workflow.separation: all — reviewer, approver and publisher all different; any other value
    than successive/all is refused when the pack is read."""
    from dataclasses import replace

    from grading.packs import PackError, get_pack, parse_pack
    from registry.grades import auth

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "submitted")
    app.reviewed_by_id, app.approved_by_id = county.id, 999_999
    assert auth.four_eyes_conflict(county, app, "publish") is None
    strict = replace(get_pack("langfang-2017-18").grade_workflow, separation="all")
    monkeypatch.setattr(auth, "grade_workflow", lambda region: strict)
    assert auth.four_eyes_conflict(county, app, "publish") == "review"

    text = (get_pack("langfang-2017-18").source_path.read_text(encoding="utf-8")
            if hasattr(get_pack("langfang-2017-18"), "source_path") else None)
    if text is None:
        from pathlib import Path

        import grading
        text = (Path(grading.__file__).parent / "packs" / "langfang-2017-18.yaml").read_text(encoding="utf-8")
    weaker = text.replace("grade_workflow:\n", "grade_workflow:\n  separation:\n    value: none\n    rule: R-G-02\n"
                                                "    local_setting: true\n    why: x\n", 1)
    with pytest.raises(PackError):
        parse_pack(weaker, "weaker.yaml")
    stricter = weaker.replace("value: none", "value: all", 1)
    assert parse_pack(stricter, "stricter.yaml").grade_workflow.separation == "all"


def test_a_page_form_without_its_version_is_refused_not_unchecked(client, make_user, make_enterprise):
    """L11: POST /grades/<id>/review and /enterprises/<id>/edit without `version` went through (302) unchecked;
    now 422 with a message, and nothing changed."""
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "submitted")
    db.session.commit()
    login(client, county.username)
    client.get("/lang/en")
    page = client.get(f"/grades/{app.id}").get_data(as_text=True)
    r = client.post(f"/grades/{app.id}/review", data={"csrf_token": csrf_from(page), "note": "ok"})
    assert r.status_code == 422, r.status_code
    assert "did not send the version" in r.get_data(as_text=True)
    db.session.refresh(app)
    assert app.status == "submitted"

    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, owner.username)
    client.get("/lang/en")
    ent2, _ = make_enterprise(ANCI, owner=make_user("enterprise"))
    page = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    from tests.builders import enterprise_payload

    form = {**enterprise_payload(1), "name": "改名公司", "csrf_token": csrf_from(page)}
    db.session.refresh(ent)
    ent.status = "draft"  # editable again (as after a reopen)
    db.session.commit()
    r = client.post(f"/enterprises/{ent.id}/edit", data=form)
    assert r.status_code == 422, r.status_code
    assert "did not send the version" in r.get_data(as_text=True)
    db.session.refresh(ent)
    assert ent.name != "改名公司"


def test_deleting_a_line_or_permit_from_the_page_needs_the_version_it_showed(client, make_user, make_enterprise):
    """L11: the delete buttons of lines and permits sent no version at all; now they carry it, and a form
    without it is refused (422)."""
    import re

    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    page = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    line_id, permit_id = ent.lines[0].id, ent.permits[0].id
    token = csrf_from(page)
    assert client.post(f"/enterprises/lines/{line_id}/delete", data={"csrf_token": token}).status_code == 422
    m = re.search(rf'/enterprises/lines/{line_id}/delete".*?name="version" value="(\d+)"', page, re.S)
    assert m, "the delete form carries the line's version"
    assert client.post(f"/enterprises/lines/{line_id}/delete", data={"csrf_token": token, "version": m.group(1), "confirmed": "1"}).status_code == 302
    m = re.search(rf'/enterprises/permits/{permit_id}/delete".*?name="version" value="(\d+)"', page, re.S)
    assert m
    assert client.post(f"/enterprises/permits/{permit_id}/delete",
                       data={"csrf_token": token, "version": str(int(m.group(1)) + 5)}).status_code == 409  # stale
