"""Schedules (issue 16 item 3): publishing and deciding an application ask for confirmation and state their
consequences; nothing changes until confirmed. The generate, publish and application forms keep what was typed and name
the refused field by its label (no bare 422 page)."""
from __future__ import annotations

from registry.extensions import db
from registry.schedules import operations as ops
from registry.schedules.models import ExemptionApplication
from tests.builders import login
from tests.integration.confirm.helpers import confirm, confirmation, english, token


def _draft(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017,
                                              "title": "廊坊市错峰生产清单"})
    ops.generate(official, schedule.id)
    db.session.commit()
    return official, ent, owner, schedule


def test_publish_asks_first_with_the_number_of_enterprises_then_publishes(client, make_user, make_enterprise):
    """Issue 16: 发布 published at once. Now the first POST states '将向 N 家企业发布，发布后不可修改' and changes nothing."""
    _o, _ent, owner, schedule = _draft(make_user, make_enterprise)
    ops.apply(owner, schedule.id, _ent.id, {"line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "供热合同",
                                            "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    db.session.commit()
    english(client, "lf.city")
    path = f"/schedules/{schedule.id}/publish"
    first = client.post(path, data={"csrf_token": token(client, f"/schedules/{schedule.id}"), "filed_on": "2017-11-01",
                                    "recipients": "市工信局"})
    text, fields = confirmation(first)
    assert "It will be published to 1 enterprises" in text and "cannot be changed" in text
    assert "Filed on 2017-11-01 with 市工信局" in text
    assert "1 exemption or livelihood-load applications are still undecided" in text
    assert ("filed_on", "2017-11-01") in fields and ("recipients", "市工信局") in fields
    db.session.expire_all()
    assert not ops.latest_version(schedule).published, "nothing is published before the confirmation"
    done = confirm(client, first, path)
    assert done.status_code == 302
    db.session.expire_all()
    assert ops.latest_version(schedule).published


def test_the_confirmation_page_is_in_chinese_by_default(client, make_user, make_enterprise):
    _draft(make_user, make_enterprise)
    login(client, "lf.city")
    schedule_id = db.session.scalar(db.select(ops.Schedule.id))
    first = client.post(f"/schedules/{schedule_id}/publish", data={
        "csrf_token": token(client, f"/schedules/{schedule_id}"), "filed_on": "2017-11-01", "recipients": "市工信局"})
    body = first.get_data(as_text=True)
    assert 'id="confirm-form"' in body and 'lang="zh' in body


def test_deciding_an_application_asks_first_then_decides(client, make_user, make_enterprise):
    _o, ent, owner, schedule = _draft(make_user, make_enterprise)
    app = ops.apply(owner, schedule.id, ent.id, {"line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "供热合同",
                                                  "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    db.session.commit()
    english(client, "lf.city")
    path = f"/schedules/applications/{app.id}/decide"
    first = client.post(path, data={"csrf_token": token(client, f"/schedules/{schedule.id}"), "approve": "0",
                                    "reason": "证明材料不足", "version": app.row_version})
    text, _fields = confirmation(first)
    assert f"Application {app.id} (Exemption, line L1, 2018-01-01 – 2018-02-01) will be rejected" in text
    assert "Reason: 证明材料不足" in text
    db.session.expire_all()
    assert db.session.get(ExemptionApplication, app.id).status == "submitted"
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(ExemptionApplication, app.id).status == "rejected"


def test_publish_with_a_missing_date_comes_back_to_the_form_not_to_a_confirmation(client, make_user, make_enterprise):
    """A refused input is shown on the form first (kept, named by its label), never confirmed and then refused."""
    _o, _ent, _owner, schedule = _draft(make_user, make_enterprise)
    english(client, "lf.city")
    r = client.post(f"/schedules/{schedule.id}/publish", data={"csrf_token": token(client, f"/schedules/{schedule.id}"),
                                                               "filed_on": "", "recipients": "市工信局、区环保局"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="confirm-form"' not in body
    assert 'id="publish"' in body and 'value="市工信局、区环保局"' in body
    assert "<strong>Filed on</strong>:" in body and 'data-field="filed_on"' in body


def test_generate_form_keeps_the_input_and_says_which_seasons_the_pack_covers(client, make_user):
    """Issue 16: 'season_year: 该政策包不适用于此采暖季' on a bare 422 page. Now the form comes back with the input, the
    message beside the field, named by its label, and the seasons the pack covers."""
    make_user("city", "131000", username="lf.city")
    english(client, "lf.city")
    r = client.post("/schedules/", data={"csrf_token": token(client, "/schedules/"), "region_code": "131000",
                                         "pack_id": "langfang-2017-18", "season_year": "2019", "title": "我的标题"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="new-schedule"' in body
    assert "The pack langfang-2017-18 covers the heating season starting in 2017 only." in body  # beside the field
    assert 'value="2019"' in body and 'value="我的标题"' in body and 'data-field="season_year"' in body
    assert db.session.scalar(db.select(db.func.count()).select_from(ops.Schedule)) == 0


def test_application_form_allows_an_empty_optional_number_and_keeps_the_input_when_refused(client, make_user, make_enterprise):
    """Issue 16: 'max_load: 不是有效的数字' for the optional field left empty. Empty is allowed; a refused form (the
    window ends before it starts) comes back with the typed values."""
    official, ent, owner, schedule = _draft(make_user, make_enterprise)
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局"})  # enterprises read published
    db.session.commit()                                                                      # schedules (issue 16)
    english(client, owner.username)
    page = f"/schedules/{schedule.id}"
    base = {"line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "供热合同", "max_load": ""}
    r = client.post(f"{page}/applications", data={**base, "csrf_token": token(client, page),
                                                  "requested_start": "2018-02-01", "requested_end": "2018-01-01"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="apply"' in body
    assert "<strong>Until (exclusive)</strong>: The window must end after it starts." in body
    assert 'value="供热合同"' in body and 'value="2018-02-01"' in body
    r = client.post(f"{page}/applications", data={**base, "csrf_token": token(client, page),
                                                  "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ExemptionApplication)) == 1


def test_a_refused_flag_choice_comes_back_to_the_schedule_page_naming_the_field(client, make_user, make_enterprise):
    _o, ent, _owner, schedule = _draft(make_user, make_enterprise)
    english(client, "lf.city")
    r = client.post(f"/schedules/{schedule.id}/flags", data={"csrf_token": token(client, f"/schedules/{schedule.id}"),
                                                             "enterprise_id": ent.id, "line_ref": "L1", "flag": "no_such_flag",
                                                             "choice": "exempt", "reason": "复核"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-kept="schedules.choose"' in body
    assert "<strong>Flag</strong>: No entry of this draft carries this flag." in body
