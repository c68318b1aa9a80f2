"""Issue 17 item 4's last step, in headless Chromium: after an episode (issued orange, raised to red, lifted) the
city official opens the episode, follows "Episode report", and the report shows the episode — its levels, the
orders' counts and the charts drawn by ECharts with labels; the province sees the city in its overview."""
from __future__ import annotations

import pytest

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=6)]


def _episode(app) -> int:
    from tests.integration.alerts.test_alert_report import build_episode

    with app.app_context():
        ep, _t0 = build_episode()
        return ep.id


def test_report_shows_the_episode(demo_city, new_page, app):
    episode_id = _episode(app)
    city = new_page()
    log_in(city, "langfang", DEMO_PASSWORD)
    city.goto(f"/alerts/episodes/{episode_id}")
    city.click("#report-link")
    city.wait_for_selector("#report-title")
    assert "橙色预警" in city.inner_text("#report-spans") and "红色预警" in city.inner_text("#report-spans")
    assert city.inner_text("#orders-total")
    for chart in ("#chart-timeline", "#chart-counties", "#chart-reductions"):
        city.wait_for_selector(f"{chart}[data-rendered='1']")
    assert city.locator("#chart-reductions canvas").count() == 1

    province = new_page()
    log_in(province, "hebei", DEMO_PASSWORD)
    province.goto("/alerts/reports/")
    province.wait_for_selector("#chart-cities[data-rendered='1']")
    assert province.locator("#report-cities tr[data-region='131000']").count() == 1
