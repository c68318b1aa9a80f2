"""Refused page forms keep the input (issue 16 item 3): the page the form is on comes back (422) with what the user
typed and the message beside the field, named by its label — no bare 422 page that throws the input away. (Schedules'
forms: test_schedules.py; registration forms keep their input through WTForms, tests/integration/test_pages.py.)"""
from __future__ import annotations

import re

from registry.emergency import operations as eops
from registry.extensions import db
from registry.grades.models import GradeApplication
from tests.builders import ANCI
from tests.builders.grades import build_application
from tests.integration.confirm.helpers import english, token


def test_grade_self_assessment_keeps_what_was_typed(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "draft")
    db.session.commit()
    english(client, owner.username)
    r = client.post(f"/grades/{app.id}/answers", data={"csrf_token": token(client, f"/grades/{app.id}"), "version": app.version,
                                                       "a-steel-clean_transport_share": "八十"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="answers-form"' in body
    assert 'value="八十"' in body and 'data-field="steel.clean_transport_share"' in body


def test_grade_override_without_reason_keeps_the_chosen_grade(client, make_user, make_enterprise):
    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "county_accepted", county=county, city=city)
    db.session.commit()
    english(client, city.username)
    other = "C" if app.proposed_grade != "C" else "B"
    r = client.post(f"/grades/{app.id}/approve", data={"csrf_token": token(client, f"/grades/{app.id}"),
                                                       "version": app.version, "grade": other, "reason": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="confirm-form"' not in body
    assert f'<option value="{other}" selected>' in body and 'data-field="reason"' in body
    db.session.expire_all()
    assert db.session.get(GradeApplication, app.id).status == "county_accepted"


def test_finding_without_a_reason_keeps_the_kind_and_names_the_field(client, make_user, make_enterprise):
    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    build_application(owner, ent, "effective", county=county, city=city)
    db.session.commit()
    english(client, county.username)
    page = f"/grades/enterprise/{ent.id}"
    r = client.post(f"{page}/finding", data={"csrf_token": token(client, page), "kind": "fraud", "reason": "x"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="finding-form"' in body
    assert '<option value="fraud" selected>' in body and "<strong>Reason</strong>:" in body
    assert 'data-field="reason"' in body


def test_area_source_form_keeps_the_input_and_names_the_field(client, make_user):
    city = make_user("city", "131000", username="lf.city")
    english(client, city.username)
    page = "/emergency/area-sources?region=131000"
    r = client.post("/emergency/area-sources", data={"csrf_token": token(client, page), "region_code": "131000",
                                                     "category": "dust", "pollutant": "pm", "daily_kg": "-5",
                                                     "reduction_red": "30", "note": "2016 清单"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="area-source-form"' in body
    assert "<strong>Daily emission (kg/d)</strong>:" in body and 'data-field="daily_kg"' in body
    assert 'value="-5"' in body and 'value="2016 清单"' in body and '<option value="dust" selected>' in body


def test_compiling_a_list_with_an_unknown_pack_comes_back_to_the_form(client, make_user):
    city = make_user("city", "131000", username="lf.city")
    english(client, city.username)
    r = client.post("/emergency/lists", data={"csrf_token": token(client, "/emergency/"), "region_code": "131000",
                                              "pack_id": "no-such-pack"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="compile-form"' in body and "<strong>Policy pack</strong>:" in body


def test_a_refused_proposal_decision_stays_on_the_list_page(client, make_user, make_enterprise):
    from registry.emergency.models import Proposal

    county, city = make_user("county", ANCI), make_user("city", "131000", username="lf.city")
    ent, _owner = make_enterprise(ANCI, approved_by=county)
    lst = eops.compile_list(city, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    proposal = Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=ent.id, line_id=ent.lines[0].id,
                        level="red", measure="curtail", percent=50, reduction={"pm": 1.0}, capacity_lost=1, explanation="")
    db.session.add(proposal)
    db.session.commit()
    english(client, city.username)
    r = client.post(f"/emergency/proposals/{proposal.id}/decide", data={
        "csrf_token": token(client, f"/emergency/lists/{lst.id}"), "decision": "maybe", "version": proposal.version})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="proposal-table"' in body and 'class="field-errors" role="alert"' in body


def _field_error(body: str, name: str) -> bool:
    return f'data-field="{name}"' in body


def test_permit_form_keeps_the_input_and_names_the_field(client, make_enterprise):
    """The permit form (WTForms): a refused save comes back with the typed values and the message beside the field."""
    ent, owner = make_enterprise(ANCI)
    english(client, owner.username)
    page = f"/enterprises/{ent.id}/permits/new"
    r = client.post(page, data={"csrf_token": token(client, page), "number": "P-KEEP-1", "kind": "full", "status": "issued",
                                "industry": "炼铁", "issued_on": "2020-06-30", "valid_until": "2017-06-29"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="P-KEEP-1"' in body and 'value="炼铁"' in body
    assert any(_field_error(body, f) for f in ("valid_until", "issued_on")), body[:3000]


def test_user_form_keeps_the_input_and_names_the_field(client, make_user):
    make_user("admin", None, username="the.admin")
    english(client, "the.admin")
    page = "/admin/users/new"
    r = client.post(page, data={"csrf_token": token(client, page), "username": "new.official", "full_name": "王五",
                                "role": "county", "region_code": "999999", "active": "y", "password": "Long-enough-pass-1"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="new.official"' in body and 'value="王五"' in body
    assert _field_error(body, "region_code") and ("Region code" in body or "Region" in body)  # the region picker labels it 所属地区 / Region (issue 16)


def test_token_form_keeps_the_input_and_names_the_field(client, make_user):
    user = make_user("city", "131000")
    english(client, user.username)
    page = "/account/tokens"
    r = client.post(page, data={"csrf_token": token(client, page), "name": "县级表格同步", "expires_in_days": "100000"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="县级表格同步"' in body and _field_error(body, "expires_in_days")


def test_emergency_plan_form_keeps_the_input(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    english(client, owner.username)
    page = f"/emergency/enterprises/{ent.id}/plan?pack=langfang-2017-18"
    html = client.get(page).get_data(as_text=True)
    import re

    person = re.search(r'name="(person\.[^"]+)"', html).group(1)
    key = person.split(".", 1)[1]
    data = {"csrf_token": token(client, page), "pack_id": "langfang-2017-18", f"measure.{key}": "curtail",
            f"percent.{key}": "250", person: "赵六"}
    r = client.post(f"/emergency/enterprises/{ent.id}/plan", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="plan-form"' in body and 'value="赵六"' in body


def test_grade_application_form_keeps_the_choice_and_names_the_field(client, make_user, make_enterprise):
    """No graded industry chosen: the form comes back with the choice kept ('not graded') and the field named."""
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    english(client, owner.username)
    line_id = ent.lines[0].id
    r = client.post("/grades/new", data={"csrf_token": token(client, "/grades/new"), f"line-{line_id}": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="create-application"' in body
    assert '<option value="" selected>' in body and re.search(r"(Graded industry|Industries)\s*(</strong>)?[:：]", body)  # the field named by its label
