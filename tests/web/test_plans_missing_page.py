"""Issue 17 in headless Chromium: a city official follows the link from the emergency lists to the enterprises whose
一厂一策 plan is missing or incomplete, sees the season's cited filing deadline, and opens one enterprise's plan."""
from __future__ import annotations

import os

import pytest

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=10)]  # demo_city: tests/conftest.py


def test_city_official_sees_plans_missing_with_the_deadline(demo_city, new_page):
    page = new_page()
    log_in(page, "langfang", DEMO_PASSWORD)
    page.goto("/emergency/")
    page.click("#plans-missing-link")
    page.wait_for_selector("#plans-missing")
    assert "2017-09-30" in page.inner_text("#filing-deadline")
    assert page.locator("details.basis li[title*='R-LF-15']").count() == 1  # the clause in words, the rule id on hover
    rows = page.locator("#plans-missing tbody tr[data-status=missing]")
    assert rows.count() > 0
    if os.environ.get("SHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SHOT_DIR"], "plans-missing.png"), full_page=True)
    rows.first.locator("a").click()
    assert "/emergency/enterprises/" in page.url
