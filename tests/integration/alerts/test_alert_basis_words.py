"""Issue 16 item 2 on the alert pages (tests/web/test_crawl.py's findings, /work/briefs/crawl-alerts.txt): rule ids
(R-W-02) and source refs (000:147) only inside the 依据 detail (templates/macros/basis.html), a local setting as
地方设定 rather than "local setting", and the audit log's summaries of alert steps as labels with parameters (level
names, not the stored English "alert orange over …", "order 5 acknowledged")."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.alerts.models import AlertOrder
from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from tests.builders.http import csrf_from, login

pytestmark = pytest.mark.demo_city(per_city=3)

BASIS = re.compile(r'<details class="basis[^"]*"[^>]*>.*?</details>', re.S)
CODES = re.compile(r"\bR-[A-Z]+-\d+\b|\b\d{3}:\d+\b|local setting")


def _outside_basis(html: str) -> list[str]:
    """Rule ids, file:line refs and "local setting" on the page outside the 依据 details (and outside <script>)."""
    text = re.sub(r"<script.*?</script>", "", BASIS.sub("", html), flags=re.S)
    return CODES.findall(text)


def _token(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def test_alert_pages_cite_in_the_basis_detail_and_audit_summaries_are_labels(demo_city, client):
    """Episode page (grounds), order page (lines, transport), print page, monthly report (D-20, 001:121), the audit
    log and the enterprise history: no code outside the 依据 detail, no stored English summary."""
    login(client, "langfang", DEMO_PASSWORD)
    resp = client.post("/alerts/episodes", data={
        "csrf_token": _token(client, "/alerts/"), "scope": "city", "level": "orange",
        "starts_at": "2026-12-05T08:00", "expected_end_at": "2026-12-08T08:00",
        "doc_number": "廊重污染〔2026〕9号", "issuing_body": "廊坊市重污染天气应急指挥部办公室", "reason": "预测重度污染"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    ep_url = resp.headers["Location"]
    order = db.session.scalars(select(AlertOrder).order_by(AlertOrder.id)).first()
    for url in (ep_url, ep_url + "/print", f"/alerts/orders/{order.id}", "/alerts/reports/monthly?month=2026-12"):
        html = client.get(url).get_data(as_text=True)
        assert 'class="basis' in html, url
        assert _outside_basis(html) == [], url
    audit = client.get("/audit/").get_data(as_text=True)
    assert "橙色预警" in audit
    assert "alert orange over" not in audit and "orders at orange" not in audit
    client.post("/logout", data={"csrf_token": _token(client, ep_url)})

    owner = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id))
    login(client, owner.username, DEMO_PASSWORD)
    for url in ("/alerts/", "/alerts/today", f"/alerts/orders/{order.id}"):
        html = client.get(url).get_data(as_text=True)
        assert _outside_basis(html) == [], url
    text = client.get(f"/alerts/orders/{order.id}").get_data(as_text=True)
    assert client.post(f"/alerts/orders/{order.id}/ack", data={"csrf_token": csrf_from(text), "note": "已落实"}).status_code == 302
    history = client.get(f"/enterprises/{order.enterprise_id}/history").get_data(as_text=True)
    assert f"order {order.id} acknowledged" not in history and f"order {order.id} read" not in history
    assert "已落实" in history  # the receipt's note is the acknowledgement's summary


def test_alert_summaries_and_ground_reasons(app):
    """registry/alerts/labels.py: a step's summary from its before/after; a local-setting ground → setting.reading."""
    from registry.alerts import labels

    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        assert "橙色预警" in labels.summary_text({"action": "alert.change", "before": {"level": "yellow"},
                                                  "after": {"level": "orange"}})
        assert labels.summary_text({"action": "alert.read", "after": None}) == ""
        assert labels.summary_text({"action": "grade.approve"}) is None
        local = labels.ground_reasons({"code": "episode.lift_condition", "rule": "R-W-02", "source": "local setting",
                                       "setting": "alert_lift_hours", "value": 24})
        assert local[0]["code"] == "setting.reading" and local[0]["params"] == {"setting": "alert_lift_hours", "value": 24}
        cited = labels.ground_reasons({"code": "episode.lift_condition", "rule": "R-W-02", "source": "000:147",
                                       "setting": "alert_lift_hours", "value": 36})
        assert cited == [{"rule": "R-W-02", "source": "000:147"}]
        assert "R-W-02" not in labels.ground_text({"code": "episode.lift_condition", "rule": "R-W-02",
                                                   "source": "000:147", "value": 36})
