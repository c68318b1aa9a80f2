"""Grades (issue 16 item 3): the county's review, 审定并进入公示, 使绩效等级生效, a fraud finding, a recorded grade and
deleting a draft ask first with their consequences (grades per industry, publicity and validity dates) and change
nothing until confirmed. Actions that would be refused are not offered: 申报绩效分级 while the registration is pending,
使绩效等级生效 during publicity (shown disabled with the reason and the date from which it is possible)."""
from __future__ import annotations

from datetime import timedelta

from registry.core import timeutil
from registry.enterprises import operations as eops
from registry.extensions import db
from registry.grades.models import GradeApplication, GradeDecision
from tests.builders import ANCI
from tests.builders.grades import build_application, second_official
from tests.integration.confirm.helpers import confirm, confirmation, english, token


def _status(app_id: int) -> str:
    db.session.expire_all()
    return db.session.get(GradeApplication, app_id).status


def _world(make_user, make_enterprise, state: str):
    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, state, county=county, city=city)
    db.session.commit()
    return county, city, ent, owner, app


def test_county_review_asks_first_then_accepts(client, make_user, make_enterprise):
    county, _city, ent, _owner, app = _world(make_user, make_enterprise, "submitted")
    english(client, county.username)
    path = f"/grades/{app.id}/review"
    first = client.post(path, data={"csrf_token": token(client, f"/grades/{app.id}"), "version": app.version})
    text, _ = confirmation(first)
    assert f"The documents of {ent.name} are accepted" in text and f"with the proposed grade {app.proposed_grade}" in text
    assert _status(app.id) == "submitted"
    assert confirm(client, first, path).status_code == 302
    assert _status(app.id) == "county_accepted"


def test_county_review_returning_without_a_reason_stays_on_the_page(client, make_user, make_enterprise):
    county, _city, _ent, _owner, app = _world(make_user, make_enterprise, "submitted")
    english(client, county.username)
    r = client.post(f"/grades/{app.id}/review", data={"csrf_token": token(client, f"/grades/{app.id}"), "version": app.version,
                                                      "v-steel.clean_transport_share": "returned"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="confirm-form"' not in body and 'id="review-form"' in body
    assert _status(app.id) == "submitted"


def test_city_approval_states_the_grade_and_the_publicity_period_then_opens_it(client, make_user, make_enterprise):
    _county, city, ent, _owner, app = _world(make_user, make_enterprise, "county_accepted")
    english(client, city.username)
    path = f"/grades/{app.id}/approve"
    first = client.post(path, data={"csrf_token": token(client, f"/grades/{app.id}"), "version": app.version})
    text, _ = confirmation(first)
    today = timeutil.beijing_today()
    assert f"{ent.name} is graded Steel {app.proposed_grade}" in text
    assert "The publicity period opens today and runs until 20" in text and today.isoformat()[:2] == "20"
    assert _status(app.id) == "county_accepted"
    assert confirm(client, first, path).status_code == 302
    assert _status(app.id) == "publicity"


def test_make_effective_is_shown_disabled_during_publicity_with_the_date_then_asks_first(client, make_user, make_enterprise, later):
    _county, city, ent, _owner, app = _world(make_user, make_enterprise, "publicity")
    publisher = second_official(city)
    db.session.commit()
    english(client, publisher.username)
    page = client.get(f"/grades/{app.id}").get_data(as_text=True)
    day = (app.publicity_until + timedelta(days=1)).isoformat()
    assert 'id="effective-submit" disabled' in page and f'data-from="{day}"' in page
    assert f"The grade can be made effective from {day}." in page
    later(30)
    page = client.get(f"/grades/{app.id}").get_data(as_text=True)
    assert 'id="effective-submit" disabled' not in page and 'id="effective-submit"' in page
    path = f"/grades/{app.id}/effective"
    first = client.post(path, data={"csrf_token": token(client, f"/grades/{app.id}"), "version": app.version})
    text, _ = confirmation(first)
    assert f"The grade of {ent.name} takes effect: Steel {app.proposed_grade}." in text and "Effective from " in text
    assert _status(app.id) == "publicity"
    assert confirm(client, first, path).status_code == 302
    assert _status(app.id) == "effective"


def test_fraud_finding_states_the_grade_it_falls_to_then_records_it(client, make_user, make_enterprise):
    county, _city, ent, _owner, _app = _world(make_user, make_enterprise, "effective")
    english(client, county.username)
    path = f"/grades/enterprise/{ent.id}/finding"
    first = client.post(path, data={"csrf_token": token(client, f"/grades/enterprise/{ent.id}"), "kind": "fraud",
                                    "reason": "超低排放评估数据造假"})
    text, _ = confirmation(first)
    assert f"the emergency grade of {ent.name} becomes: Steel {_app.proposed_grade} → C." in text
    assert "differentiated treatment of ultra-low-emission enterprises is withdrawn" in text
    count = db.session.scalar(db.select(db.func.count()).select_from(GradeDecision))
    assert confirm(client, first, path).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(GradeDecision)) == count + 1


def test_recording_a_grade_asks_first(client, make_user, make_enterprise):
    _county, city, ent, _owner, _app = _world(make_user, make_enterprise, "effective")
    english(client, city.username)
    path = f"/grades/enterprise/{ent.id}/record"
    first = client.post(path, data={"csrf_token": token(client, f"/grades/enterprise/{ent.id}"), "system": "emergency",
                                    "industry": "steel", "grade": "C", "reason": "复核后调整"})
    text, _ = confirmation(first)
    assert f"Steel of {ent.name}: {_app.proposed_grade} → C" in text
    count = db.session.scalar(db.select(db.func.count()).select_from(GradeDecision))
    assert confirm(client, first, path).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(GradeDecision)) == count + 1


def test_deleting_a_draft_asks_first(client, make_user, make_enterprise):
    _county, _city, _ent, owner, app = _world(make_user, make_enterprise, "draft")
    english(client, owner.username)
    path = f"/grades/{app.id}/delete"
    first = client.post(path, data={"csrf_token": token(client, f"/grades/{app.id}"), "version": app.version})
    text, _ = confirmation(first)
    assert "its 1 evidence files are deleted" in text
    assert db.session.get(GradeApplication, app.id) is not None
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(GradeApplication, app.id) is None


def test_apply_for_a_grade_is_not_offered_while_the_registration_is_pending(client, make_user, make_enterprise):
    """Issue 16: 申报绩效分级 was offered while the registration was pending and then refused with 409."""
    ent, owner = make_enterprise(ANCI, submitted=True)
    english(client, owner.username)
    page = client.get("/grades/").get_data(as_text=True)
    assert "href=\"/grades/new\"" not in page and 'id="apply-disabled"' in page
    assert "registration must be approved before it applies for a grade" in page
    form = client.get("/grades/new").get_data(as_text=True)
    assert 'id="create-application" disabled' in form
    eops.approve_registration(make_user("county", ANCI), ent.id, {"version": ent.version})
    db.session.commit()
    page = client.get("/grades/").get_data(as_text=True)
    assert "href=\"/grades/new\"" in page and 'id="apply-disabled"' not in page


def test_the_approver_is_not_offered_make_effective_four_eyes(client, make_user, make_enterprise, later):
    """Four eyes (issue 13 L11) refused the approver's 使绩效等级生效 with 403 after offering it; now it is shown
    disabled with the reason, in the words the operation refuses with."""
    _county, city, _ent, _owner, app = _world(make_user, make_enterprise, "publicity")
    later(30)
    english(client, city.username)
    page = client.get(f"/grades/{app.id}").get_data(as_text=True)
    assert 'id="effective-submit" disabled' in page
    assert "Four eyes: you approved this grade, so another official must make it effective." in page
