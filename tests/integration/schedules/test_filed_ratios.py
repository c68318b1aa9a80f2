"""Issue 14 point 5 (registry side) — filed district lists hold their ratios; an unfiled change has consequences.

001:101: the district files its staggering plan (down to line, process and equipment) with the city; "错峰生产清单
一经确定，不得随意调整，未经备案或擅自调整的，按未落实错峰生产要求处理". The filed-plan flag takes the ratio as the
district filed it; a later change of a line's ratio marks the enterprise "not implementing staggering" (F-15 / D-09) on
the schedule, the enterprise page, the exports and in the engine's facts — until a version carrying it is filed."""
from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from grading.contract import evaluate
from registry.core.errors import ValidationFailed
from registry.extensions import db
from registry.schedules import generation, queries
from registry.schedules import operations as ops
from tests.builders import JIZHOU, line_payload, login

KILN = line_payload("K1", name="1号水泥窑", sector="cement", sub_type="none", kind="cement_kiln", fuel="coal", equipment=[],
                    capacity="100", capacity_unit="10kt/a")


def _choose(official, schedule, ent, value, reason="区方案备案比例"):
    ops.record_flag_choice(official, schedule.id, {"enterprise_id": ent.id, "line_ref": "K1", "flag": "ratio_in_filed_plan",
                                                   "choice": "enter_ratio_from_filed_plan", "value": value, "reason": reason})
    db.session.commit()
    db.session.expire_all()


def _k1(version):
    return [e for e in version.entries if e.line_ref == "K1"]


@pytest.fixture()
def jizhou_cement(make_user, make_enterprise):
    from registry.enterprises import operations as eops

    official = make_user("county", JIZHOU)
    ent, owner = make_enterprise(JIZHOU, sector="cement")
    eops.add_line(owner, ent.id, KILN)
    eops.submit_registration(owner, ent.id, {"version": ent.version})
    eops.approve_registration(official, ent.id, {"version": ent.version})  # schedules hold approved facts only (point 10)
    db.session.commit()
    schedule = ops.create_schedule(official, {"region_code": JIZHOU, "pack_id": "jizhou-2018-19", "season_year": 2018})
    ops.generate(official, schedule.id)
    db.session.commit()
    return official, ent, owner, schedule


def test_the_filed_plan_flag_takes_the_ratio_and_a_version_keeps_it(jizhou_cement):
    """The cement kiln (001:97 focus sector) is curtailed with no ratio until the district enters the one it filed."""
    official, ent, _owner, schedule = jizhou_cement
    version = ops.latest_version(schedule)
    assert {e.measure for e in _k1(version)} == {"curtail"} and {e.percentage_min for e in _k1(version)} == {None}
    assert any(f["code"] == "ratio_in_filed_plan" for e in _k1(version) for f in e.flags)
    with pytest.raises(ValidationFailed) as err:
        ops.record_flag_choice(official, schedule.id, {"enterprise_id": ent.id, "line_ref": "K1", "flag": "ratio_in_filed_plan",
                                                       "choice": "enter_ratio_from_filed_plan", "reason": "无比例"})
    assert "value" in err.value.errors
    db.session.rollback()
    _choose(official, schedule, ent, 30)
    draft = ops.latest_version(schedule)
    assert {float(e.percentage_min) for e in _k1(draft)} == {30.0} == {float(e.percentage_max) for e in _k1(draft)}
    assert all({"rule": "D-08", "source": "001:101", "note": "ratio 30 % as the district filed it"} in e.reasons for e in _k1(draft))
    assert draft.filed_ratios == {str(ent.id): {"K1": 30.0}}
    assert [generation.comparable(r) for r in ops.reproduce(draft)] == [
        generation.comparable(r) for r in queries.entry_dicts(list(draft.entries))]
    ops.publish(official, schedule.id, {"filed_on": "2018-10-30", "recipients": "蓟州区工信委、环保局 → 市工业和信息化委、环保局"})
    db.session.commit()
    assert queries.unfiled_ratio_changes([ent.id]) == {}


def test_a_ratio_changed_after_filing_marks_the_enterprise_until_it_is_filed(jizhou_cement, client):
    official, ent, owner, schedule = jizhou_cement
    _choose(official, schedule, ent, 30)
    ops.publish(official, schedule.id, {"filed_on": "2018-10-30", "recipients": "市工业和信息化委、环保局"})
    db.session.commit()
    v1 = ops.latest_version(schedule)

    ops.new_version(official, schedule.id)
    db.session.commit()
    _choose(official, schedule, ent, 40, reason="企业申请调整")
    changes = queries.unfiled_ratio_changes([ent.id])[ent.id]
    assert [(c["line_ref"], c["filed"], c["current"], c["filed_version"], c["source"]) for c in changes] == [
        ("K1", 30.0, 40.0, 1, "001:101")]

    # the engine's input: the draft's stored facts carry the mark, and the engine flags F-15
    draft = ops.latest_version(schedule)
    doc = next(i.document for i in draft.inputs if i.enterprise_id == ent.id)
    assert doc["enterprise"]["staggering_list_changed_without_filing"] is True
    assert "not_implementing_staggering" in {f["code"] for f in evaluate(doc)["summary"]["flags"]}
    # the filed version is out of date for this enterprise (F-15)
    assert ent.id in ops.out_of_date(v1)["changed"]

    # the schedule page, its export and the enterprise page say so
    login(client, official.username)
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'id="unfiled-staggering"' in page and "K1 30 % → 40 %" in page
    xlsx = client.get(f"/schedules/versions/{v1.id}/export.xlsx")
    table = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.data)).get_sheet_by_index(0).to_python()
    last = [row[-1] for row in table[2:] if row[4] == "K1"]
    assert last and all(v.endswith("K1 30 % → 40 %") and "F-15" not in v for v in last)  # in words (issue 16)
    client.get("/logout")
    login(client, owner.username)
    page = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert 'id="unfiled-staggering"' in page

    # filing the version that carries the change clears the mark, in the registry and in the filed facts
    ops.publish(official, schedule.id, {"filed_on": "2018-11-20", "recipients": "市工业和信息化委、环保局",
                                        "filing_reason": "K1 比例调整为40%"})
    db.session.commit()
    db.session.expire_all()
    assert queries.unfiled_ratio_changes([ent.id]) == {}
    v2 = ops.latest_version(schedule)
    doc = next(i.document for i in v2.inputs if i.enterprise_id == ent.id)
    assert "staggering_list_changed_without_filing" not in doc["enterprise"]
    assert {float(e.percentage_min) for e in _k1(v2)} == {40.0}
    assert v2.filed_ratios == {str(ent.id): {"K1": 40.0}}


def test_the_schedule_page_takes_the_filed_ratio_and_changes_it(jizhou_cement, client):
    """The decision form of the filed-plan flag asks for the ratio; once entered, the line is listed with its filed
    ratio and a form to change it (a new recorded choice, 001:101)."""
    from tests.builders import csrf_from

    official, ent, _owner, schedule = jizhou_cement
    login(client, official.username)
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'data-flag="ratio_in_filed_plan"' in page and 'name="value"' in page
    form = {"csrf_token": csrf_from(page), "enterprise_id": str(ent.id), "line_ref": "K1", "flag": "ratio_in_filed_plan",
            "choice": "enter_ratio_from_filed_plan", "value": "25", "reason": "区方案备案比例"}
    assert client.post(f"/schedules/{schedule.id}/flags", data=form).status_code == 302
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'id="filed-ratio-lines"' in page and 'value="25"' in page
    form.update(value="35", reason="调整", csrf_token=csrf_from(page))
    assert client.post(f"/schedules/{schedule.id}/flags", data=form).status_code == 302
    db.session.expire_all()
    assert {float(e.percentage_min) for e in _k1(ops.latest_version(schedule))} == {35.0}
