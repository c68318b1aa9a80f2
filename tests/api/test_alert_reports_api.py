"""Issue 17 reports in the API (flask-smorest, in the OpenAPI): the episode report, the province's view by city and
the monthly report with its due date (D-20, 001:121); an out-of-scope episode answers 404."""
from __future__ import annotations

import pytest

from registry.alerts import report
from tests.integration.alerts.test_alert_report import _user, build_episode

pytestmark = pytest.mark.demo_city(per_city=6)


def test_api_reports_and_openapi(demo_city, api_client, token_for):
    """The reports are in the API and its OpenAPI description; out-of-scope episodes answer 404."""
    ep, t0 = build_episode()
    city = token_for(_user("langfang"))
    body = api_client.get(f"/api/v1/alert-episodes/{ep.id}/report", headers=city).get_json()
    want = report.episode_json(report.episode_report(ep))
    assert body["orders"] == want["orders"] and body["hours_per_level"]["red"] == pytest.approx(6.0)
    assert body["reductions"][0]["list_id"] == want["reductions"][0]["list_id"] is not None
    other = token_for(_user("shijiazhuang"))
    assert api_client.get(f"/api/v1/alert-episodes/{ep.id}/report", headers=other).status_code == 404
    bj = t0.astimezone(report.BEIJING)
    month = f"{bj.year:04d}-{bj.month:02d}"
    m = api_client.get(f"/api/v1/alert-reports/monthly?month={month}", headers=city).get_json()
    assert m["due"] == report.due_date(bj.year, bj.month).isoformat() and m["cities"][0]["region_code"] == "131000"
    assert api_client.get("/api/v1/alert-reports/monthly?month=2026-13", headers=city).status_code == 422
    prov = api_client.get("/api/v1/alert-reports/cities", headers=token_for(_user("hebei"))).get_json()
    assert [c["region_code"] for c in prov["cities"]] == ["131000"]
    spec = api_client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/alert-episodes/{episode_id}/report", "/api/v1/alert-reports/cities",
            "/api/v1/alert-reports/monthly"} <= set(spec["paths"])



def test_plan_reminders_api(demo_city, api_client, token_for):
    """POST /api/v1/plan-reminders: reminders in the inbox of every enterprise plans_missing lists; out of scope 404."""
    from sqlalchemy import func, select

    from registry.alerts.models import InboxMessage
    from registry.emergency.completeness import plans_missing
    from registry.extensions import db

    n = len(plans_missing("131000"))
    resp = api_client.post("/api/v1/plan-reminders", headers=token_for(_user("langfang")), json={"region_code": "131000"})
    assert resp.status_code == 201 and resp.get_json()["inbox"] == n > 0
    assert db.session.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.kind == "reminder")) == n
    other = api_client.post("/api/v1/plan-reminders", headers=token_for(_user("shijiazhuang")), json={"region_code": "131000"})
    assert other.status_code == 404
    assert "/api/v1/plan-reminders" in api_client.get("/api/v1/openapi.json").get_json()["paths"]
