"""Issue 13 L6 and L7: scoping of exemption applications; decisions on emergency proposals of a filed or older list.

Real HTTP through the app (Flask test client), on SQLite and PostgreSQL (TEST_DATABASE_URL).
"""
from __future__ import annotations

from registry.extensions import db
from tests.builders import ANCI, GUANGYANG, login


def bearer(user) -> dict[str, str]:
    from registry.accounts.operations import create_token

    _token, secret = create_token(user, {"name": "t"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _apply(owner, schedule_id: int, enterprise_id: int, clause: str):
    from registry.schedules import operations as ops

    app = ops.apply(owner, schedule_id, enterprise_id, {
        "line_ref": "L1", "kind": "exemption", "clause": clause, "evidence": "民生保障证明",
        "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    db.session.commit()
    return app


def test_a_county_official_sees_only_its_countys_exemption_applications_on_the_citys_schedule(client, make_user, make_enterprise):
    """L6: on the city's (131000) schedule page, the 安次区 official saw 广阳区's applications too; now only its own,
    and another county's application answers 404 on its decision route."""
    from registry.schedules import operations as ops

    city = make_user("city", "131000")
    anci = make_user("county", ANCI)
    make_user("county", GUANGYANG)
    ent_a, owner_a = make_enterprise(ANCI, submitted=True)
    ent_g, owner_g = make_enterprise(GUANGYANG, submitted=True)
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    db.session.commit()
    _apply(owner_a, schedule.id, ent_a.id, "X-AAA-04")
    other = _apply(owner_g, schedule.id, ent_g.id, "X-GGG-04")

    login(client, anci.username)
    html = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert "X-AAA-04" in html
    assert "X-GGG-04" not in html
    r = client.post(f"/api/v1/schedule-applications/{other.id}/decision", json={"approve": False, "reason": "x", "version": 1},
                    headers=bearer(anci))
    assert r.status_code == 404

    client.post("/logout")
    login(client, city.username)
    html = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert "X-AAA-04" in html and "X-GGG-04" in html  # the city sees both


def _list_with_proposal(city, enterprise, status: str = "proposed"):
    from registry.emergency import operations as ops
    from registry.emergency.models import Proposal

    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    proposal = Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=enterprise.id,
                        line_id=enterprise.lines[0].id, level="red", measure="stop", percent=100, grade=None,
                        reduction={"pm": 1.0}, capacity_lost=1, explanation="test proposal", status=status)
    db.session.add(proposal)
    db.session.commit()
    return lst, proposal


def test_proposals_of_a_filed_list_cannot_be_decided_or_applied(client, make_user, make_enterprise):
    """L7: after filing v1, its proposal was still accepted (200) and applied; now 409 with a translated message."""
    from registry.emergency import operations as ops

    city = make_user("city", "131000")
    county = make_user("county", ANCI)
    ent, _owner = make_enterprise(ANCI, approved_by=county)
    lst, proposal = _list_with_proposal(city, ent, status="accepted")
    ops.file_list(city, lst.id)
    db.session.commit()
    headers = {**bearer(city), "Accept-Language": "zh"}
    r = client.post(f"/api/v1/emergency-proposals/{proposal.id}/decision",
                    json={"decision": "accept", "version": proposal.version}, headers=headers)
    assert r.status_code == 409, r.get_data(as_text=True)
    assert "已报备" in r.get_json()["message"] or "filed" in r.get_json()["message"]
    r = client.post(f"/api/v1/emergency-lists/{lst.id}/apply", headers=headers)
    assert r.status_code == 409
    assert len(ops.EmergencyList.query.all()) == 1  # no second version was made


def test_applying_the_proposals_of_an_older_version_cannot_fork_the_list(client, make_user, make_enterprise):
    """L7: v1's accepted proposals applied after v2 was compiled made v3 superseding v1 — two heads; now 409."""
    from registry.emergency import operations as ops

    city = make_user("city", "131000")
    county = make_user("county", ANCI)
    ent, _owner = make_enterprise(ANCI, approved_by=county)
    v1, proposal = _list_with_proposal(city, ent, status="proposed")
    ops.compile_list(city, {"region_code": "131000", "pack_id": "langfang-2017-18"})  # v2
    db.session.commit()
    headers = bearer(city)
    r = client.post(f"/api/v1/emergency-proposals/{proposal.id}/decision",
                    json={"decision": "accept", "version": proposal.version}, headers=headers)
    assert r.status_code == 409, r.get_data(as_text=True)
    r = client.post(f"/api/v1/emergency-lists/{v1.id}/apply", headers=headers)
    assert r.status_code == 409
    assert sorted(v.number for v in ops.EmergencyList.query.all()) == [1, 2]
