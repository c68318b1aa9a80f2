"""The emergency-list API on the demo city: compile, totals vs targets, optimize, decide, apply, orders, plans."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.extensions import db
from tests.api.world import bearer_headers


def _headers(username: str) -> dict[str, str]:
    return bearer_headers(db.session.scalar(select(User).where(User.username == username)))


@pytest.mark.demo_city(per_city=10)
def test_city_list_journey_through_the_api(client, demo_city):
    city = _headers("langfang")
    r = client.post("/api/v1/emergency-lists", json={"region_code": "131000", "pack_id": "langfang-2017-18"}, headers=city)
    assert r.status_code == 201, r.json
    lst = r.json
    assert [t["level"] for t in lst["totals"]] == ["blue", "yellow", "orange", "red"]
    blue = {p["pollutant"]: p["target_percent"] for p in lst["totals"][0]["pollutants"]}
    assert blue == {"so2": None, "nox": None, "pm": 5.0, "vocs": 5.0}
    r = client.post(f"/api/v1/emergency-lists/{lst['id']}/optimize", json={"level": "red"}, headers=city)
    assert r.status_code == 200 and r.json["reaches_targets"] and r.json["status"] in ("optimal", "gap")
    for p in r.json["proposals"]:
        d = client.post(f"/api/v1/emergency-proposals/{p['id']}/decision", json={"decision": "accept", "version": p["version"]},
                        headers=city)
        assert d.status_code == 200 and d.json["status"] == "accepted"
    r = client.post(f"/api/v1/emergency-lists/{lst['id']}/apply", headers=city)
    assert r.status_code == 201 and r.json["number"] == 2 and r.json["supersedes_id"] == lst["id"]
    assert r.json["totals"][-1]["met"]
    new_id = r.json["id"]
    assert client.post(f"/api/v1/emergency-lists/{new_id}/file", headers=city).json["status"] == "filed"
    assert client.post(f"/api/v1/emergency-lists/{new_id}/file", headers=city).status_code == 409
    r = client.get(f"/api/v1/emergency-lists/{new_id}/orders?date=2018-01-10&level=red", headers=city)
    assert r.status_code == 200 and any(o["lines"] for o in r.json["items"])
    assert client.get(f"/api/v1/emergency-lists/{new_id}", headers=_headers("shijiazhuang")).status_code == 404


@pytest.mark.demo_city(per_city=10)
def test_plan_below_the_floor_is_refused_with_the_clause(client, demo_city):
    owner = db.session.scalar(select(User).where(User.username == "qiye"))
    headers = bearer_headers(owner)
    url = f"/api/v1/enterprises/{owner.enterprise_id}/emergency-plan"
    plan = client.get(f"{url}?pack=langfang-2017-18", headers=headers).json
    assert plan["id"] is None and plan["entries"]
    weak = [{**e, "measure": "none", "percent": 0} for e in plan["entries"]]
    strict = [e for e in plan["entries"] if e["measure"] != "none"]
    r = client.put(url, json={"pack_id": "langfang-2017-18", "entries": weak}, headers=headers)
    if strict:
        assert r.status_code == 422 and any("(" in m for ms in r.json["errors"].values() for m in ms)
    r = client.put(url, json={"pack_id": "langfang-2017-18", "entries": plan["entries"]}, headers=headers)
    assert r.status_code == 200 and r.json["status"] == "draft"
    r = client.post(f"/api/v1/emergency-plans/{r.json['id']}/file", headers=headers)
    assert r.status_code == 200 and r.json["status"] == "filed"
