"""Issue 17 item 4, in headless Chromium: the city issues orange → the enterprise sees its order and acknowledges
(回执) → the official sees the receipt → an upgrade to red replaces the orders (the old one kept, marked replaced)
→ lifting ends them. Each person has their own browser context."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=6)]  # demo_city: tests/conftest.py


def _owner_of_first_order(app):
    from registry.accounts.models import User
    from registry.alerts.models import AlertOrder
    from registry.extensions import db

    with app.app_context():
        order = db.session.scalars(select(AlertOrder).order_by(AlertOrder.id)).first()
        user = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id))
        return order.id, order.enterprise_id, user.username


def test_issue_acknowledge_upgrade_lift(demo_city, new_page, app):
    city = new_page()
    log_in(city, "langfang", DEMO_PASSWORD)
    city.goto("/alerts/")
    city.click("#issue-panel summary")
    city.select_option("#level", "orange")
    city.fill("#doc_number", "廊重污染应急〔2026〕12号")
    city.fill("#issuing_body", "廊坊市重污染天气应急指挥部办公室")
    city.fill("#reason", "预测未来72小时将出现重度污染过程")
    city.click("#issue-button")
    city.wait_for_selector("#status")
    assert "橙色预警" in city.inner_text("#episode-title")
    episode_url = city.url
    order_id, enterprise_id, username = _owner_of_first_order(app)
    assert city.locator(f"#ent-{enterprise_id} td.ack").inner_text() in ("未回执", "Not acknowledged")

    ent = new_page()
    log_in(ent, username, DEMO_PASSWORD)
    ent.goto("/alerts/")  # an enterprise lands on what it must do today
    assert "/alerts/today" in ent.url
    assert ent.locator(f"#today-order-{order_id}").count() == 1
    ent.goto("/alerts/inbox")
    assert "橙色预警" in ent.inner_text("#inbox")
    ent.locator("#inbox button.link").first.click()
    ent.wait_for_selector("#order-title")
    assert "橙色预警" in ent.inner_text("#order-title")
    ent.fill("#ack-note", "已按要求安排限产停产")
    ent.click("#ack-button")
    ent.wait_for_selector("#receipt")
    assert "已按要求安排限产停产" in ent.inner_text("#receipt")

    city.goto(episode_url)
    assert "已按要求安排限产停产" in city.inner_text(f"#ent-{enterprise_id}")
    city.click("#show-unack")
    assert city.locator(f"#ent-{enterprise_id}").count() == 0

    city.goto(episode_url)
    city.select_option("#new-level", "red")
    city.fill("#level-doc", "廊重污染应急〔2026〕13号")
    city.click("#level-button")
    city.wait_for_selector("#history")
    assert "红色预警" in city.inner_text("#episode-title")
    assert city.locator("#history tbody tr").count() == 2

    ent.goto(f"/alerts/orders/{order_id}")  # the orange order is kept, ended, and points to its successor
    assert ent.locator("#successor").count() == 1
    ent.click("#successor")
    ent.wait_for_selector("#order-title")
    assert "红色预警" in ent.inner_text("#order-title") and ent.locator("#ack-form").count() == 1

    city.goto(episode_url)
    city.click("#lift-button")
    city.wait_for_selector("#history")
    assert city.locator("#history tbody tr").count() == 3
    assert city.locator("#lift-form").count() == 0
    ent.goto("/alerts/today")
    assert ent.locator("#no-alert").count() == 1
