"""Issue 20 item 6, in headless Chromium: the Langfang city official copies the Langfang pack for the 2026-27 season
(which no shipped pack covers) → uploads the new plan → changes the heating-season dates and one ratio, each citing a
line of it → sees the validation, the diff and the impact → submits; the province official (a second person) approves;
the city puts it in force → generates a schedule for the new season on the schedules page."""
from __future__ import annotations

import re

import pytest

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=4)]  # demo_city: tests/conftest.py

PLAN = ("廊坊市2026-2027年秋冬季大气污染综合治理攻坚行动方案\n"
        "一、采暖季时间为2026年11月10日至2027年3月20日。\n"
        "二、橙色预警期间，颗粒物减排比例不低于25%。\n")


def test_copy_cite_review_activate_and_generate(demo_city, new_page, tmp_path):
    city = new_page()
    log_in(city, "langfang", DEMO_PASSWORD)
    city.goto("/packs/")
    city.select_option("#parent", "langfang-2017-18")
    city.fill("#season_year", "2026")
    city.click("#copy-button")
    city.wait_for_selector("#pack-title")
    assert "2026-2027" in city.inner_text("#pack-title")
    overview = city.url

    plan = tmp_path / "廊坊市2026-2027年方案.txt"
    plan.write_text(PLAN, encoding="utf-8")
    city.set_input_files("#document-file", str(plan))
    city.click("#upload-button")
    city.wait_for_selector("#document-lines")
    assert "颗粒物减排比例不低于25%" in city.inner_text("#L3")

    # the dates: the general section's generated form, citing line 2
    city.goto(overview)
    city.click("#section-general")
    city.wait_for_selector("#section-form")
    city.fill("input[name='heating_season.start_month_day']", "11-10")
    city.fill("input[name='heating_season.end_month_day']", "03-21")
    city.select_option("#document_id", label="廊坊市2026-2027年方案.txt")
    city.fill("#line", "2")
    city.click("#save-button")
    city.wait_for_selector("#section-form")
    assert "采暖季时间为2026年11月10日" in city.inner_text("tr[data-path='heating_season.start_month_day']")

    # one ratio: the emergency section, citing line 3 chosen on the document page
    city.goto(overview)
    city.click("#documents a")
    city.select_option("#cite-section select[name=section]", "emergency")
    city.click("#cite-section button")
    city.click("#L3 a.cite-line")
    city.wait_for_selector("#chosen-line")
    city.fill("input[name='emergency.ratios.value.orange.pm']", "25")
    city.click("#save-button")
    city.wait_for_selector("#section-form")
    assert "颗粒物减排比例不低于25%" in city.inner_text("tr[data-path='emergency.ratios.value.orange.pm']")

    city.click("#tab-problems")
    city.wait_for_selector("#no-problems")
    city.click("#tab-diff")
    city.wait_for_selector("#changes")
    changes = city.inner_text("#changes")
    assert "11-10" in changes and "25" in changes and "采暖季时间为2026年11月10日" in changes
    city.click("#tab-impact")
    city.fill("#impact-dates", "2026-12-01")
    city.check("input[name=levels][value=orange]")
    city.click("#impact-button")
    city.wait_for_selector("#impact-summary")
    assert city.locator("#impact-cuts tbody tr").count() >= 1

    city.goto(overview)
    city.click("#submit-button")
    city.click("#confirm-submit")
    city.wait_for_selector("#pack-status")
    assert city.locator("#pack-status").get_attribute("data-status") == "submitted"
    assert city.locator("#review-link").count() == 0  # the author never reviews

    province = new_page()
    log_in(province, "hebei", DEMO_PASSWORD)
    province.goto(overview + "/review")
    province.wait_for_selector("#review-form")
    province.fill("#review-note", "依据充分，同意")
    province.click("#approve-button")
    province.click("#confirm-submit")
    province.wait_for_selector("#pack-status")
    assert province.locator("#pack-status").get_attribute("data-status") == "approved"

    city.goto(overview)
    city.click("#activate-button")
    city.wait_for_selector("#confirm-consequences li")  # the confirmation page is loaded before its items are counted
    assert city.locator("#confirm-consequences li").count() >= 2
    city.click("#confirm-submit")
    city.wait_for_selector("#in-force")
    assert city.locator("#pack-status").get_attribute("data-status") == "active"

    city.goto("/schedules/")
    assert city.locator("#new-schedule").count() == 1, city.inner_text("body")[:3000]
    if city.locator("input[name=region_code]").input_value() != "131000":  # the city's own region is the default
        city.eval_on_selector("input[name=region_code]", "el => { el.value = '131000'; }")
    city.select_option("#new-schedule select[name=pack_id]", "langfang-2026-27")
    city.fill("#new-schedule input[name=season_year]", "2026")
    city.fill("#new-schedule input[name=title]", "廊坊市2026-2027年采暖季错峰生产清单")
    city.click("#new-schedule button[type=submit]")
    city.wait_for_url(re.compile(r"/schedules/\d+$"))
    city.wait_for_selector("#entries tr.entry", timeout=60000)
    assert city.locator("#entries tr.entry").count() > 0
