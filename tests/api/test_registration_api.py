"""The registration workflow through the JSON API only, with Bearer tokens (DESIGN.md §4 API)."""
from __future__ import annotations

from tests.builders import ANCI, enterprise_payload, line_payload, permit_payload


def test_enterprise_registers_and_county_approves_after_a_return_and_fix(api_client, make_user, token_for):
    """register → line with emissions/equipment → permit → submit → return with reason → fix →
    resubmit → approve; every step leaves the history an official can read."""
    owner = make_user("enterprise")
    county = make_user("county", ANCI)
    as_owner, as_county = token_for(owner), token_for(county)

    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(7, ANCI), headers=as_owner)
    assert r.status_code == 201, r.get_json()
    ent = r.get_json()
    assert ent["status"] == "draft" and ent["version"] == 1
    assert r.headers["Location"].endswith(f"/api/v1/enterprises/{ent['id']}")
    assert r.headers["ETag"] == '"1"'

    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/lines", json=line_payload("L1"), headers=as_owner)
    assert r.status_code == 201, r.get_json()
    line = r.get_json()
    assert line["capacity"] == 200 and line["stack_height_m"] == 60  # JSON numbers, not strings
    assert [e["pollutant"] for e in line["emissions"]] == ["so2"]
    assert line["equipment"][0]["name"] == "1#高炉"

    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/permits", json=permit_payload("P-API-0001"), headers=as_owner)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["valid_until"] == "2020-06-29"

    # Drafts are private until the first submission.
    assert api_client.get(f"/api/v1/enterprises/{ent['id']}", headers=as_county).status_code == 404

    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/submit", json={"version": ent["version"]}, headers=as_owner)
    assert r.status_code == 200, r.get_json()
    ent = r.get_json()
    assert ent["status"] == "submitted"

    r = api_client.get(f"/api/v1/enterprises/{ent['id']}", headers=as_county)
    assert r.status_code == 200
    assert len(r.get_json()["lines"]) == 1 and len(r.get_json()["permits"]) == 1

    r = api_client.post(
        f"/api/v1/enterprises/{ent['id']}/return",
        json={"version": ent["version"], "reason": "缺少排污许可证副本"},
        headers=as_county,
    )
    assert r.status_code == 200, r.get_json()
    ent = r.get_json()
    assert ent["status"] == "returned" and ent["return_reason"] == "缺少排污许可证副本"

    # The enterprise fixes its registration, naming the version with If-Match instead of the body.
    fixed = enterprise_payload(7, ANCI, address="廊坊市安次区改正后地址8号")
    r = api_client.put(f"/api/v1/enterprises/{ent['id']}", json=fixed, headers={**as_owner, "If-Match": f'"{ent["version"]}"'})
    assert r.status_code == 200, r.get_json()
    ent = r.get_json()
    assert ent["address"] == "廊坊市安次区改正后地址8号"

    r = api_client.put(
        f"/api/v1/lines/{line['id']}",
        json={**line_payload("L1", capacity="180"), "version": line["version"]},
        headers=as_owner,
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["capacity"] == 180

    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/submit", json={"version": ent["version"]}, headers=as_owner)
    assert r.status_code == 200, r.get_json()
    ent = r.get_json()

    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/approve", json={"version": ent["version"]}, headers=as_county)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved" and r.get_json()["approved_at"]

    r = api_client.get(f"/api/v1/enterprises/{ent['id']}/history", headers=as_county)
    actions = [e["action"] for e in r.get_json()["items"]]
    assert actions[0] == "enterprise.approve"
    for action in ("enterprise.register", "line.add", "permit.add", "enterprise.submit", "enterprise.return",
                   "enterprise.update", "line.update"):
        assert action in actions, action
    # issue 16 item 1: label siblings beside the codes
    first = r.get_json()["items"][0]
    assert first["action_label"] and first["action_label"] != first["action"] and first["object_type_label"]


def test_approved_registration_is_reopened_amended_and_resubmitted(api_client, make_user, make_enterprise, token_for):
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    as_owner = token_for(owner)
    body = api_client.get(f"/api/v1/enterprises/{ent.id}", headers=as_owner).get_json()

    r = api_client.post(f"/api/v1/enterprises/{ent.id}/reopen", json={"version": body["version"]}, headers=as_owner)
    assert r.status_code == 200 and r.get_json()["status"] == "draft"

    line_id = body["lines"][0]["id"]
    assert api_client.delete(f"/api/v1/lines/{line_id}", headers=as_owner).status_code == 204
    assert api_client.get(f"/api/v1/lines/{line_id}", headers=as_owner).status_code == 404
    permit_id = body["permits"][0]["id"]
    assert api_client.delete(f"/api/v1/permits/{permit_id}", headers=as_owner).status_code == 204

    # Without a line the registration is incomplete: 422 naming `lines`.
    version = api_client.get(f"/api/v1/enterprises/{ent.id}", headers=as_owner).get_json()["version"]
    r = api_client.post(f"/api/v1/enterprises/{ent.id}/submit", json={"version": version}, headers=as_owner)
    assert r.status_code == 422 and "lines" in r.get_json()["errors"]


def test_me_and_lists_of_lines_and_permits(api_client, make_enterprise, token_for):
    ent, owner = make_enterprise(ANCI)
    as_owner = token_for(owner)
    me = api_client.get("/api/v1/me", headers=as_owner).get_json()
    assert me["username"] == owner.username and me["role"] == "enterprise" and me["enterprise_id"] == ent.id
    assert "password_hash" not in me
    lines = api_client.get(f"/api/v1/enterprises/{ent.id}/lines", headers=as_owner).get_json()["items"]
    permits = api_client.get(f"/api/v1/enterprises/{ent.id}/permits", headers=as_owner).get_json()["items"]
    assert [l["code"] for l in lines] == ["L1"] and len(permits) == 1
    r = api_client.get(f"/api/v1/permits/{permits[0]['id']}", headers=as_owner)
    assert r.status_code == 200 and r.headers["ETag"] == f'"{permits[0]["version"]}"'
