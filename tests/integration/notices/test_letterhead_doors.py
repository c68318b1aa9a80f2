"""Item 2 of the notices brief: the issuing authority, document number and date are entered when a schedule version
is published and an emergency list filed — through the page forms, the API and the CLI alike — with the defaults
(the region's 生态环境局, the day in Beijing time) when left empty; the notice prints what was entered."""
from __future__ import annotations

import json

from registry.core import timeutil
from registry.emergency import operations as em_ops
from registry.extensions import db
from registry.schedules import operations as ops
from tests.api.world import bearer_headers
from tests.builders import csrf_from, login


def _schedule(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    ops.generate(official, schedule.id)
    db.session.commit()
    return official, ent, schedule


def test_publish_form_records_the_letterhead_and_the_notice_prints_it(client, make_user, make_enterprise):
    official, ent, schedule = _schedule(make_user, make_enterprise)
    login(client, "lf.city")
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'name="issuing_authority"' in page and 'name="document_number"' in page and 'name="issued_on"' in page
    response = client.post(f"/schedules/{schedule.id}/publish", data={
        "csrf_token": csrf_from(page), "filed_on": "2017-11-01", "recipients": "市工信局", "issuing_authority": "廊坊市大气办",
        "document_number": "廊气办〔2017〕8号", "issued_on": "", "confirmed": "1"})  # past the confirmation (issue 16 item 3)
    assert response.status_code == 302
    version = ops.latest_version(schedule)
    assert (version.issuing_authority, version.document_number) == ("廊坊市大气办", "廊气办〔2017〕8号")
    assert version.issued_on == timeutil.beijing_today()  # the empty date: the day of publication
    notice = client.get(f"/schedules/versions/{version.id}/notice/{ent.id}").get_data(as_text=True)
    assert "廊坊市大气办" in notice and "廊气办〔2017〕8号" in notice


def test_api_publish_and_file_take_the_letterhead_and_answer_it(client, make_user, make_enterprise):
    official, _ent, schedule = _schedule(make_user, make_enterprise)
    h = bearer_headers(official)
    r = client.post(f"/api/v1/schedules/{schedule.id}/publish", headers=h, json={
        "filed_on": "2017-11-01", "recipients": "市工信局", "issued_on": "2017-11-15"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["issuing_authority"], body["document_number"], body["issued_on"]) == ("廊坊市生态环境局", "", "2017-11-15")
    login(client, "lf.city")  # no number given: the notice says so (文号：（未填写）)
    notice = client.get(f"/schedules/versions/{body['id']}/notice/{_ent.id}").get_data(as_text=True)
    assert "文号：（未填写）" in notice and "二〇一七年十一月十五日" in notice
    lst = em_ops.compile_list(official, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    r = client.post(f"/api/v1/emergency-lists/{lst.id}/file", headers=h, json={"issued_on": "not a date"})
    assert r.status_code == 422 and "issued_on" in json.dumps(r.get_json())
    r = client.post(f"/api/v1/emergency-lists/{lst.id}/file", headers=h, json={"document_number": "廊环字〔2017〕30号"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["issuing_authority"] == "廊坊市生态环境局" and body["document_number"] == "廊环字〔2017〕30号"
    assert body["issued_on"] == timeutil.beijing_today().isoformat()


def test_cli_publish_and_file_take_the_letterhead(db_app, make_user, make_enterprise):
    official, _ent, schedule = _schedule(make_user, make_enterprise)
    run = db_app.test_cli_runner().invoke
    out = run(args=["schedule", "publish", "--as", "lf.city", str(schedule.id), "--filed-on", "2017-11-01",
                    "--recipients", "市工信局", "--number", "廊环字〔2017〕12号", "--issued-on", "2017-11-15"])
    assert out.exit_code == 0, out.output
    answer = json.loads(out.output.splitlines()[-1])
    assert (answer["issuing_authority"], answer["document_number"], answer["issued_on"]) == (
        "廊坊市生态环境局", "廊环字〔2017〕12号", "2017-11-15")
    lst = em_ops.compile_list(official, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    out = run(args=["emergency", "file", str(lst.id), "--as-user", "lf.city", "--authority", "廊坊市重污染天气应急指挥部办公室"])
    assert out.exit_code == 0, out.output
    answer = json.loads(out.output.splitlines()[-1])
    assert answer["status"] == "filed" and answer["issuing_authority"] == "廊坊市重污染天气应急指挥部办公室"
    assert answer["document_number"] == "" and answer["issued_on"] == timeutil.beijing_today().isoformat()
