"""Issue 19 pages through real HTTP (Flask test client), in Chinese: the city runs the checks from the list page, the
anomaly shows its evidence sentence, its thresholds with their clause or 地方设定 and the chart data; the enterprise
is asked in its inbox and explains on the page; the county's task and the record form (photo type refused, then a
PNG kept); the summary; the API lists the anomaly in the OpenAPI-documented shape. No code reaches a page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.compliance.models import Anomaly, InspectionTask
from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from tests.builders.http import csrf_from, login

from .helpers import issue, meters_for, stopped_order, window_start, write_power

pytestmark = pytest.mark.demo_city(per_city=6)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CODE = re.compile(r"\b(stopped_line_power|curtailment_shortfall|control_off|cems_transmission|banned_vehicle|"
                  r"compliance_[a-z_]+|R-CK-0\d)\b")


@pytest.fixture()
def world(demo_city, tmp_path):
    demo_city.config.update(COMPLIANCE_CLIP_TO_NOW=False, READINGS_DIR=str(tmp_path / "readings"), PROPAGATE_EXCEPTIONS=True)
    ep = issue("orange")
    order, line = stopped_order(ep, "stop")
    prod, ctl = meters_for(order, line)
    from registry.readings.store import current_store

    start = window_start(order)
    write_power(current_store(), prod.id, order.enterprise_id, start, 100.0, 0.9)
    write_power(current_store(), ctl.id, order.enterprise_id, start, 30.0, 0.9)
    yield order, start
    demo_city.config.pop("COMPLIANCE_CLIP_TO_NOW", None)
    demo_city.config.pop("READINGS_DIR", None)


def _visible(html: str) -> str:
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    html = re.sub(r"<details class=\"basis.*?</details>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_run_explain_inspect_through_the_pages(world, client):
    order, start = world
    login(client, "langfang", DEMO_PASSWORD)
    page = client.get("/compliance/").get_data(as_text=True)
    resp = client.post("/compliance/run", data={"csrf_token": csrf_from(page), "first": start.date().isoformat(),
                                                 "last": start.date().isoformat()})
    assert resp.status_code == 302
    listing = client.get("/compliance/").get_data(as_text=True)
    assert "停产" in listing or "Stopped" in listing
    assert not CODE.search(_visible(listing)), CODE.search(_visible(listing))
    a = db.session.scalars(select(Anomaly).where(Anomaly.check_code == "stopped_line_power")).first()
    html = client.get(f"/compliance/anomalies/{a.id}").get_data(as_text=True)
    assert 'id="chart-data"' in html and "markArea" in html and ("地方设定" in html or "Local setting" in html)
    assert not CODE.search(_visible(html)), CODE.search(_visible(html))
    resp = client.post(f"/compliance/anomalies/{a.id}/ask", data={"csrf_token": csrf_from(html), "hours": "24"})
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(html)})

    owner = db.session.scalar(select(User).where(User.enterprise_id == a.enterprise_id))
    login(client, owner.username, DEMO_PASSWORD)
    inbox = client.get("/alerts/inbox").get_data(as_text=True)
    from registry.alerts.models import InboxMessage

    msg = db.session.scalars(select(InboxMessage).where(InboxMessage.enterprise_id == a.enterprise_id,
                                                        InboxMessage.kind == "reminder")).all()[-1]
    assert msg.subject in inbox
    opened = client.post(f"/alerts/inbox/{msg.id}/read", data={"csrf_token": csrf_from(inbox)})
    assert opened.headers["Location"].endswith(f"/compliance/anomalies/{a.id}")
    html = client.get(f"/compliance/anomalies/{a.id}").get_data(as_text=True)
    assert "explain-form" in html
    resp = client.post(f"/compliance/anomalies/{a.id}/explain", data={"csrf_token": csrf_from(html), "text": "检修用电"})
    assert resp.status_code == 302
    assert client.get("/compliance/summary").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(html)})

    login(client, "anci", DEMO_PASSWORD)  # 安次区: the county of the demo enterprises
    html = client.get(f"/compliance/anomalies/{a.id}")
    if html.status_code == 404:  # the order's enterprise is in another county: the city assigns, its county records
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/compliance/").get_data(as_text=True))})
        login(client, "langfang", DEMO_PASSWORD)
        html = client.get(f"/compliance/anomalies/{a.id}")
    text = html.get_data(as_text=True)
    assert "检修用电" in text
    resp = client.post(f"/compliance/anomalies/{a.id}/task", data={"csrf_token": csrf_from(text), "days": "3"})
    assert resp.status_code == 302
    task = db.session.scalar(select(InspectionTask).where(InspectionTask.anomaly_id == a.id))
    tasks = client.get("/compliance/inspections").get_data(as_text=True)
    assert f'data-task="{task.id}"' in tasks
    form = client.get(f"/compliance/inspections/{task.id}/record").get_data(as_text=True)
    bad = client.post(f"/compliance/inspections/{task.id}/record", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(form), "inspectors": "张三", "visited_at": "2026-12-01T10:00", "found": "停产线仍在生产",
        "outcome": "violation", "signatures": "张三", "confirmed": "1", "photos": (__import__("io").BytesIO(b"GIF89a"), "a.gif")})
    assert bad.status_code == 422 and "JPEG" in bad.get_data(as_text=True)
    unconfirmed = client.post(f"/compliance/inspections/{task.id}/record", data={
        "csrf_token": csrf_from(form), "inspectors": "张三", "visited_at": "2026-12-01T10:00", "found": "停产线仍在生产",
        "outcome": "violation", "signatures": "张三"})
    assert unconfirmed.status_code == 200 and db.session.get(InspectionTask, task.id).status == "open"
    ok = client.post(f"/compliance/inspections/{task.id}/record", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(form), "inspectors": "张三、李四", "visited_at": "2026-12-01T10:00",
        "found": "停产线仍在生产", "outcome": "violation", "signatures": "张三，李四", "confirmed": "1",
        "photos": (__import__("io").BytesIO(PNG), "site.png")})
    assert ok.status_code == 302, ok.get_data(as_text=True)[:1500]
    db.session.expire_all()
    a = db.session.get(Anomaly, a.id)
    assert a.status == "violation"
    html = client.get(f"/compliance/anomalies/{a.id}").get_data(as_text=True)
    assert "/compliance/photos/" in html
    photo = re.search(r"/compliance/photos/(\d+)", html).group(0)
    got = client.get(photo)
    assert got.status_code == 200 and got.mimetype == "image/png"


def test_summary_and_api(world, client):
    order, start = world
    login(client, "langfang", DEMO_PASSWORD)
    token = csrf_from(client.get("/compliance/").get_data(as_text=True))
    client.post("/compliance/run", data={"csrf_token": token, "first": start.date().isoformat(),
                                         "last": start.date().isoformat()})
    html = client.get(f"/compliance/summary?episode={order.episode_id}").get_data(as_text=True)
    assert 'id="summary-county"' in html and 'id="summary-sector"' in html, _visible(html)[-1500:]
    assert not CODE.search(_visible(html))
    api = client.get("/api/v1/compliance/anomalies?check=stopped_line_power").get_json()
    assert api["items"] and api["items"][0]["check_label"] and api["items"][0]["evidence"]["share"] > 50
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/compliance/anomalies" in spec["paths"] and "/api/v1/compliance/checks" in spec["paths"]
    summary = client.get(f"/api/v1/compliance/summary?episode={order.episode_id}").get_json()
    assert summary["total"]["orders"] >= 1 and summary["total"]["with_anomaly"] >= 1


def test_dashboard_panels(world, client):
    """The dashboard (registry/core/dashboard.py): the official's open anomalies by check and the tasks to do; the
    enterprise's anomalies to explain, with their due date."""
    order, start = world
    login(client, "langfang", DEMO_PASSWORD)
    token = csrf_from(client.get("/compliance/").get_data(as_text=True))
    client.post("/compliance/run", data={"csrf_token": token, "first": start.date().isoformat(),
                                         "last": start.date().isoformat()})
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "/compliance/?check=stopped_line_power" in html
    a = db.session.scalars(select(Anomaly).where(Anomaly.check_code == "stopped_line_power")).first()
    client.post(f"/compliance/anomalies/{a.id}/ask", data={"csrf_token": token, "hours": "24"})
    client.post("/logout", data={"csrf_token": token})
    owner = db.session.scalar(select(User).where(User.enterprise_id == a.enterprise_id))
    login(client, owner.username, DEMO_PASSWORD)
    assert f"/compliance/anomalies/{a.id}" in client.get("/dashboard/").get_data(as_text=True)
