"""The grading workflow through the JSON API (Bearer tokens), its error envelope and OpenAPI entries."""
from __future__ import annotations

from datetime import timedelta

from tests.builders import ANCI
from tests.builders.grades import STEEL_ANSWERS


def test_grade_journey_through_the_api(db_app, api_client, make_user, make_enterprise, token_for, monkeypatch):
    from registry.core import timeutil

    db_app.config.setdefault("GRADE_EVIDENCE_DIR", str(__import__("tempfile").mkdtemp()))
    county, city = make_user("county", ANCI), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    me, cc, ci = token_for(owner), token_for(county), token_for(city)

    r = api_client.post("/api/v1/grade-applications", headers=me,
                        json={"enterprise_id": ent.id, "industries": {"steel": {"line_ids": [ent.lines[0].id]}}})
    assert r.status_code == 201, r.get_json()
    app = r.get_json()
    url = f"/api/v1/grade-applications/{app['id']}"
    r = api_client.put(f"{url}/answers", headers=me, json={"version": app["version"], "industries": {"steel": {"answers": STEEL_ANSWERS}}})
    assert r.status_code == 200
    body = r.get_json()
    assert body["proposal"]["grade"] == "B"
    rail = next(i for i in body["proposal"]["indicators"] if i["key"] == "clean_transport_share")
    assert rail["grade"] == "B" and rail["local_setting"] is True

    import io

    from tests.builders.grades import PDF

    r = api_client.post(f"{url}/evidence", headers=me, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(PDF), "rail.pdf"), "indicator": "steel.clean_transport_share"})
    assert r.status_code == 201 and r.get_json()["sha256"] == __import__("hashlib").sha256(PDF).hexdigest()
    r = api_client.post(f"{url}/evidence", headers=me, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(b"MZ\x90evil"), "scan.pdf")})
    assert r.status_code == 422 and "file" in r.get_json()["errors"]
    body = api_client.get(url, headers=me).get_json()
    r = api_client.post(f"{url}/submit", headers=me, json={"version": body["version"]})
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    v = r.get_json()["version"]
    # the county returns one indicator: a reason is required
    r = api_client.post(f"{url}/review", headers=cc, json={"version": v, "verdicts": {"steel.gate_video_months": {"verdict": "returned"}}})
    assert r.status_code == 422 and "steel.gate_video_months" in r.get_json()["errors"]
    r = api_client.post(f"{url}/review", headers=cc, json={"version": v})
    assert r.status_code == 200 and r.get_json()["status"] == "county_accepted"
    v = r.get_json()["version"]
    # a stale version is a conflict in the envelope
    r = api_client.post(f"{url}/approve", headers=ci, json={"version": v - 1})
    assert r.status_code == 409 and r.get_json()["code"] == "conflict"
    r = api_client.post(f"{url}/approve", headers=ci, json={"version": v})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "publicity" and body["decisions"][0]["grade"] == "B"
    assert body["decisions"][0]["criteria"][0]["id"] == "steel"

    public = api_client.get("/api/v1/public/grades").get_json()["items"]
    assert [(p["enterprise_name"], p["grade"], p["status"]) for p in public] == [(ent.name, "B", "publicity")]

    real = timeutil.beijing_today
    monkeypatch.setattr(timeutil, "beijing_today", lambda: real() + timedelta(days=30))
    r = api_client.post(f"{url}/effective", headers=ci, json={"version": body["version"]})
    assert r.status_code == 403  # four eyes (issue 13 L11): the approver does not make it effective
    r = api_client.post(f"{url}/effective", headers=token_for(make_user("city", "131000")), json={"version": body["version"]})
    assert r.status_code == 200 and r.get_json()["status"] == "effective"

    r = api_client.post(f"/api/v1/enterprises/{ent.id}/grade-findings", headers=cc, json={"kind": "fraud", "reason": "评估造假"})
    assert r.status_code == 201 and r.get_json()["items"][0]["grade"] == "C"
    history = api_client.get(f"/api/v1/enterprises/{ent.id}/grades", headers=me).get_json()["items"]
    assert [(d["kind"], d["grade"], d["current"]) for d in history] == [("fraud", "C", True), ("approval", "B", False)]
    stats = api_client.get("/api/v1/grade-statistics", headers=ci).get_json()
    assert stats["by_industry"]["C"] == [1]


def test_invalid_answers_use_the_error_envelope(db_app, api_client, make_user, make_enterprise, token_for):
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    me = token_for(owner)
    r = api_client.post("/api/v1/grade-applications", headers=me, json={"enterprise_id": ent.id, "industries": {"cement": {}}})
    assert r.status_code == 422
    body = r.get_json()
    assert set(body) == {"code", "message", "errors"} and "industries.cement" in body["errors"]


def test_openapi_documents_the_grade_endpoints(api_client):
    spec = api_client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/grade-applications", "/api/v1/grade-applications/{application_id}/approve",
                 "/api/v1/public/grades", "/api/v1/grade-criteria", "/api/v1/enterprises/{enterprise_id}/grade-findings"):
        assert path in spec["paths"], path
