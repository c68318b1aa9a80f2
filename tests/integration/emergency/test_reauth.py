"""Filing a list version and accepting optimizer proposals ask for the password again after REAUTH_MAX_AGE
(registry/accounts/reauth.py); the token API does not (a token is its own credential)."""
from __future__ import annotations

from sqlalchemy import select

from tests.builders import ANCI, PASSWORD, csrf_from, login


def _world(make_user, make_enterprise):
    from registry.emergency import operations as ops
    from registry.emergency.models import Proposal
    from registry.extensions import db

    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, _owner = make_enterprise(ANCI, approved_by=county)
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    proposal = Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=ent.id, line_id=ent.lines[0].id,
                        level="red", measure="stop", percent=100, reduction={"pm": 1.0}, capacity_lost=1,
                        explanation="")
    db.session.add(proposal)
    db.session.commit()
    return city, lst, proposal


def _age(client):
    with client.session_transaction() as sess:
        sess["_auth_at"] -= 11 * 60


def test_accept_and_file_need_a_recent_password(client, make_user, make_enterprise):
    from registry.emergency.models import EmergencyList, Proposal
    from registry.extensions import db

    city, lst, proposal = _world(make_user, make_enterprise)
    login(client, city.username)
    page = client.get(f"/emergency/lists/{lst.id}")
    token = csrf_from(page.get_data(as_text=True))
    _age(client)
    resp = client.post(f"/emergency/proposals/{proposal.id}/decide",
                       data={"csrf_token": token, "decision": "accept", "version": proposal.version})
    assert resp.status_code == 302 and "/reauth" in resp.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "proposed"  # nothing happened
    resp = client.post(f"/emergency/lists/{lst.id}/file", data={"csrf_token": token})
    assert "/reauth" in resp.headers["Location"]
    assert db.session.get(EmergencyList, lst.id).status == "draft"
    back = client.get(resp.headers["Location"])
    resp = client.post("/reauth", data={"csrf_token": csrf_from(back.get_data(as_text=True)), "password": PASSWORD,
                                        "next": f"/emergency/lists/{lst.id}"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/emergency/lists/{lst.id}")
    resp = client.post(f"/emergency/proposals/{proposal.id}/decide",
                       data={"csrf_token": token, "decision": "accept", "version": proposal.version})
    assert resp.status_code == 302 and "/reauth" not in resp.headers["Location"]
    resp = client.post(f"/emergency/lists/{lst.id}/file", data={"csrf_token": token, "confirmed": "1"})
    assert resp.status_code == 302 and "/reauth" not in resp.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "accepted"
    assert db.session.scalar(select(EmergencyList.status).where(EmergencyList.id == lst.id)) == "filed"


def test_reject_needs_no_fresh_password_and_outsiders_get_404_not_a_password_prompt(client, make_user, make_enterprise):
    from registry.emergency.models import Proposal
    from registry.extensions import db

    city, lst, proposal = _world(make_user, make_enterprise)
    other = make_user("city", "130100")
    login(client, city.username)
    token = csrf_from(client.get(f"/emergency/lists/{lst.id}").get_data(as_text=True))
    _age(client)
    resp = client.post(f"/emergency/proposals/{proposal.id}/decide",
                       data={"csrf_token": token, "decision": "reject", "version": proposal.version})
    assert resp.status_code == 302 and "/reauth" not in resp.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "rejected"
    client.get("/logout")
    login(client, other.username)
    token = csrf_from(client.get("/emergency/").get_data(as_text=True))
    _age(client)
    assert client.post(f"/emergency/lists/{lst.id}/file", data={"csrf_token": token}).status_code == 404


def test_token_api_files_without_reauth(client, make_user, make_enterprise):
    from registry.accounts.operations import create_token
    from registry.extensions import db

    city, lst, _proposal = _world(make_user, make_enterprise)
    _token, secret = create_token(city, {"name": "emergency"})
    db.session.commit()
    resp = client.post(f"/api/v1/emergency-lists/{lst.id}/file", headers={"Authorization": f"Bearer {secret}"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "filed"
