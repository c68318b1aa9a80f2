"""Issue 13 M10 (objections): anyone could stall a grade — objections were limited only to 5 a minute per address
and any open objection blocked the grade from taking effect, for ever.

Now: duplicates (same text, or same sender — the contact given, else the address — within the publicity) are
refused; officials answer objections in bulk; and after the answer period (GRADE_OBJECTION_ANSWER_WORKING_DAYS
working days after the publicity ends, a local setting: the sources are silent, DOMAIN.md §4.1) an open
objection no longer blocks the grade: the publishing official decides with a reason recorded on each. Real HTTP.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.grades.models import Objection
from tests.builders import ANCI, csrf_from, login
from tests.builders.grades import build_application


@pytest.fixture()
def publicity(db_app, make_user, make_enterprise):
    db_app.config["GRADE_OBJECTION_RATE_LIMIT"] = "1000 per minute"
    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "publicity", county=county, city=city)
    db.session.commit()
    yield app, city
    db_app.config.pop("GRADE_OBJECTION_RATE_LIMIT", None)


def _object(client, app_id: int, text: str, contact: str = ""):
    url = f"/public/grades/{app_id}/objection"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(page), "name": "", "contact": contact, "text": text})


def _objections(app_id: int) -> list[Objection]:
    db.session.expire_all()
    return list(db.session.scalars(select(Objection).where(Objection.application_id == app_id).order_by(Objection.id)))


def test_the_same_objection_or_the_same_sender_twice_is_refused(client, publicity):
    """M10: the flood — the same text again (any sender), or a second one from the same address — adds nothing."""
    app, _city = publicity
    client.get("/lang/en")
    assert _object(client, app.id, "该企业运输车辆多为国四柴油车。").status_code == 303
    r = _object(client, app.id, " 该企业运输车辆多为国四柴油车 ", contact="someone@example.org")  # same text
    assert r.status_code == 409 and "already been filed" in r.get_data(as_text=True)
    r = _object(client, app.id, "另一条：厂区有露天堆场。")  # same address, no contact
    assert r.status_code == 409 and "already filed an objection" in r.get_data(as_text=True)
    assert _object(client, app.id, "另一条：厂区有露天堆场。", contact="li@example.org").status_code == 303
    assert len(_objections(app.id)) == 2


def test_officials_answer_objections_in_bulk(client, publicity):
    """M10: one answer for the ticked objections (each with its version)."""
    app, city = publicity
    for i in range(3):
        assert _object(client, app.id, f"第{i}条异议：请核查运输方式。", contact=f"p{i}@example.org").status_code == 303
    rows = _objections(app.id)
    login(client, city.username)
    page = client.get(f"/grades/{app.id}").get_data(as_text=True)
    assert 'id="answer-all-form"' in page
    r = client.post(f"/grades/{app.id}/objections/answer", data={
        "csrf_token": csrf_from(page), "answer": "经核查，车辆均为国五及以上。",
        "objection": [f"{rows[0].id}:{rows[0].version}", f"{rows[1].id}:{rows[1].version}"]})
    assert r.status_code == 302, r.get_data(as_text=True)[-500:]
    assert [o.status for o in _objections(app.id)] == ["answered", "answered", "open"]


def test_an_open_objection_no_longer_holds_the_grade_hostage(client, make_user, publicity, later):
    """M10: before, one unanswered objection kept the grade from taking effect for ever (409). Now it blocks
    only until the answer period ends; then the publisher decides with a reason recorded on the objection."""
    from registry.grades import operations as ops

    app, _city = publicity
    assert _object(client, app.id, "异议：该企业夜间偷排。").status_code == 303
    publisher = make_user("city", "131000")  # four eyes: not the approver
    login(client, publisher.username)
    client.get("/lang/en")

    def effective(note: str = ""):
        page = client.get(f"/grades/{app.id}").get_data(as_text=True)
        return client.post(f"/grades/{app.id}/effective",
                           data={"csrf_token": csrf_from(page), "version": str(app.version), "note": note,
                                 "confirmed": "1"})

    later(8)  # publicity over, answer period running
    assert ops.objection_answer_deadline(app) > app.publicity_until
    r = effective("无需答复")
    assert r.status_code == 409 and "answer period runs until" in r.get_data(as_text=True)
    later(40)  # the answer period is over: the objection no longer blocks
    r = effective("")
    assert r.status_code == 422 and "not answered within the answer period" in r.get_data(as_text=True)
    r = effective("异议未能在答复期内核实，等级按期生效，异议转入日常监管核查。")
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    db.session.refresh(app)
    assert app.status == "effective"
    (row,) = _objections(app.id)
    assert row.status == "answered" and row.lapsed and "日常监管" in row.answer
