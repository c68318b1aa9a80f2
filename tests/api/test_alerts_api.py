"""Issue 17 through the token API (in the OpenAPI): issue, status, receipt, level change, lift; scopes (404/403),
conflicts (409), validation (422), the R-W-02 lifting condition refused with its clause."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.extensions import db

pytestmark = pytest.mark.demo_city(per_city=5)


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_alert_round_trip(demo_city, api_client, token_for):
    city = token_for(_user("langfang"))
    resp = api_client.post("/api/v1/alert-episodes", headers=city, json={
        "region_code": "131000", "level": "orange", "doc_number": "廊重〔2026〕9号", "issuing_body": "廊坊市指挥部",
        "starts_at": "2026-12-05T08:00:00"})
    assert resp.status_code == 201, resp.get_json()
    ep = resp.get_json()
    assert ep["level"] == "orange" and ep["changes"][0]["kind"] == "issue" and ep["counts"]["enterprises"] > 0
    assert ep["starts_at"].startswith("2026-12-05T00:00")  # 08:00 Beijing = 00:00 UTC
    again = api_client.post("/api/v1/alert-episodes", headers=city, json={"region_code": "131000", "level": "red"})
    assert again.status_code == 409
    bad = api_client.post("/api/v1/alert-episodes", headers=city, json={"region_code": "131000", "level": "purple"})
    assert bad.status_code == 422

    status = api_client.get(f"/api/v1/alert-episodes/{ep['id']}/status", headers=city).get_json()["items"]
    first = status[0]
    assert "inapp" in first["delivered"] and first["acknowledged_at"] is None

    owner = db.session.scalar(select(User).where(User.enterprise_id == first["enterprise_id"]))
    ent = token_for(owner)
    assert api_client.get(f"/api/v1/alert-episodes/{ep['id']}", headers=ent).status_code == 404
    inbox = api_client.get("/api/v1/inbox", headers=ent).get_json()
    assert inbox["unread"] >= 1
    order = api_client.get(f"/api/v1/alert-orders/{first['order_id']}", headers=ent).get_json()
    assert order["level"] == "orange" and "lines" in order["content"] and "transport" in order["content"]
    r = api_client.post(f"/api/v1/alert-orders/{first['order_id']}/receipt", headers=ent, json={"note": "收到"})
    assert r.status_code == 201 and r.get_json()["note"] == "收到"
    assert api_client.post(f"/api/v1/alert-orders/{first['order_id']}/receipt", headers=ent, json={}).status_code == 409
    assert api_client.post(f"/api/v1/alert-orders/{first['order_id']}/receipt", headers=city, json={}).status_code == 403
    unack = api_client.get(f"/api/v1/alert-episodes/{ep['id']}/status?unacknowledged=true", headers=city).get_json()["items"]
    assert first["enterprise_id"] not in {x["enterprise_id"] for x in unack}

    other_city = token_for(_user("shijiazhuang"))
    assert api_client.post(f"/api/v1/alert-episodes/{ep['id']}/lift", headers=other_city, json={}).status_code == 404
    up = api_client.post(f"/api/v1/alert-episodes/{ep['id']}/level", headers=city, json={"level": "red"})
    assert up.status_code == 200 and up.get_json()["changes"][-1]["kind"] == "raise"
    refused = api_client.post(f"/api/v1/alert-episodes/{ep['id']}/lift", headers=city, json={"clear_hours": 20})
    assert refused.status_code == 422 and "000:147" in str(refused.get_json())
    done = api_client.post(f"/api/v1/alert-episodes/{ep['id']}/lift", headers=city, json={"clear_hours": 36})
    assert done.status_code == 200 and done.get_json()["status"] == "lifted"
    orders = api_client.get("/api/v1/alert-orders", headers=ent).get_json()["items"]
    assert len(orders) == 2 and all(o["window_end"] for o in orders)
    assert orders[-1]["superseded_by_id"] == orders[0]["id"]


def test_alerts_in_the_openapi(demo_city, api_client):
    spec = api_client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/alert-episodes", "/api/v1/alert-episodes/{episode_id}/lift", "/api/v1/alert-orders/{order_id}/receipt",
                 "/api/v1/inbox"):
        assert path in spec["paths"], path
