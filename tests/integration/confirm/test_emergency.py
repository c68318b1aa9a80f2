"""Emergency lists (issue 16 item 3): 备案此版本 filed a list whose levels all said 未达到目标 without a word. Filing a
list, making a version from the accepted proposals, filing a 一厂一策 plan and deleting a non-industrial source now ask
first, state their consequences from the data (the levels short of their targets, as '蓝色 PM 4.88 % < 5 %'), and
change nothing until confirmed."""
from __future__ import annotations

import re

from registry.emergency import operations as ops
from registry.emergency.models import AreaSource, EmergencyList, EmergencyPlan, Proposal
from registry.extensions import db
from tests.builders import ANCI
from tests.integration.confirm.helpers import confirm, confirmation, english, token

PACK = "langfang-2017-18"


def _world(make_user, make_enterprise):
    county, city = make_user("county", ANCI), make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    plan = ops.save_plan(owner, ent.id, {"pack_id": PACK, "entries": ops.prefill(owner, ent.id, PACK)})
    db.session.commit()
    return city, ent, owner, plan


def test_filing_a_list_states_the_levels_short_of_their_targets_then_files(client, make_user, make_enterprise):
    city, _ent, owner, plan = _world(make_user, make_enterprise)
    ops.file_plan(owner, plan.id)
    for pollutant in ("so2", "nox", "pm", "vocs"):  # the city's vehicles, not cut: the society-wide base grows (000:149)
        ops.save_area_source(city, {"region_code": "131000", "category": "mobile", "pollutant": pollutant,
                                    "daily_kg": "1000000", "note": "2016 清单"})
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": PACK})
    db.session.commit()
    english(client, city.username)
    path = f"/emergency/lists/{lst.id}/file"
    first = client.post(path, data={"csrf_token": token(client, f"/emergency/lists/{lst.id}")})
    text, _fields = confirmation(first)
    assert "Version 1 is filed and can no longer change" in text
    assert "It covers 1 enterprises and 1 production lines" in text
    assert re.search(r"\d alert levels are short of their reduction targets: ", text), text
    assert re.search(r"(Blue|Yellow|Orange|Red) (SO₂|NOx|PM|VOCs) [\d.]+ % < [\d.]+ %", text), text
    db.session.expire_all()
    assert db.session.get(EmergencyList, lst.id).status == "draft"
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(EmergencyList, lst.id).status == "filed"


def test_making_a_version_from_accepted_proposals_asks_first(client, make_user, make_enterprise):
    city, ent, owner, plan = _world(make_user, make_enterprise)
    ops.file_plan(owner, plan.id)
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": PACK})
    db.session.add(Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=ent.id, line_id=ent.lines[0].id,
                            level="red", measure="stop", percent=100, reduction={"pm": 1.0}, capacity_lost=1,
                            explanation="", status="accepted"))
    db.session.commit()
    english(client, city.username)
    path = f"/emergency/lists/{lst.id}/apply"
    first = client.post(path, data={"csrf_token": token(client, f"/emergency/lists/{lst.id}")})
    text, _ = confirmation(first)
    assert "A new version of the list is made with the 1 accepted proposals in place (1 enterprises)" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(EmergencyList)) == 1
    assert confirm(client, first, path).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(EmergencyList)) == 2


def test_filing_a_plan_asks_first_then_files(client, make_user, make_enterprise):
    _city, ent, owner, plan = _world(make_user, make_enterprise)
    english(client, owner.username)
    path = f"/emergency/plans/{plan.id}/file"
    first = client.post(path, data={"csrf_token": token(client, f"/emergency/enterprises/{ent.id}/plan")})
    text, _ = confirmation(first)
    assert f"Version 1 of the plan of {ent.name} is filed and can no longer change" in text
    assert "The city's next emergency list is compiled from it: 1 production lines" in text
    db.session.expire_all()
    assert db.session.get(EmergencyPlan, plan.id).status == "draft"
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(EmergencyPlan, plan.id).status == "filed"


def test_deleting_a_non_industrial_source_asks_first(client, make_user):
    city = make_user("city", "131000", username="lf.city")
    row = ops.save_area_source(city, {"region_code": "131000", "category": "dust", "pollutant": "pm", "daily_kg": "1200",
                                      "note": "2016 清单"})
    db.session.commit()
    english(client, city.username)
    path = f"/emergency/area-sources/{row.id}/delete"
    first = client.post(path, data={"csrf_token": token(client, "/emergency/area-sources?region=131000")})
    text, _ = confirmation(first)
    assert "The source Dust · PM · 1200 kg/d is deleted from the city's inventory" in text
    assert db.session.get(AreaSource, row.id) is not None
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(AreaSource, row.id) is None


def test_making_a_version_is_not_offered_before_a_proposal_is_accepted(client, make_user, make_enterprise):
    """'No accepted proposals to apply' was a 409 after the button was offered; now the button is disabled with it."""
    city, ent, owner, plan = _world(make_user, make_enterprise)
    ops.file_plan(owner, plan.id)
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": PACK})
    proposal = Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=ent.id, line_id=ent.lines[0].id,
                        level="red", measure="stop", percent=100, reduction={"pm": 1.0}, capacity_lost=1, explanation="")
    db.session.add(proposal)
    db.session.commit()
    english(client, city.username)
    page = client.get(f"/emergency/lists/{lst.id}").get_data(as_text=True)
    assert 'aria-describedby="apply-blocker"' in page and "No accepted proposals to apply." in page
    proposal.status = "accepted"
    db.session.commit()
    page = client.get(f"/emergency/lists/{lst.id}").get_data(as_text=True)
    assert 'id="apply-blocker"' not in page and 'id="apply-form"' in page


def test_a_refusal_page_leads_back_to_the_page_the_user_came_from(client, make_user, make_enterprise):
    """No dead end: a refused action's page offers the way back to the page the form was on, not only the start page."""
    city, _ent, owner, plan = _world(make_user, make_enterprise)
    ops.file_plan(owner, plan.id)
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": PACK})
    db.session.commit()
    english(client, city.username)
    back = f"http://localhost/emergency/lists/{lst.id}"
    r = client.post(f"/emergency/lists/{lst.id}/apply", data={"csrf_token": token(client, f"/emergency/lists/{lst.id}"),
                                                             "confirmed": "1"}, headers={"Referer": back})
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and f'href="{back}" id="error-back"' in body
    r = client.post(f"/emergency/lists/{lst.id}/apply", data={"csrf_token": token(client, f"/emergency/lists/{lst.id}"),
                                                             "confirmed": "1"}, headers={"Referer": "https://evil.example/x"})
    assert 'id="error-back"' not in r.get_data(as_text=True)
