"""The official's schedule journey in a real browser: generate, decide a flag, publish, re-file, compare.

A Jiyuan coke oven reached special limits by end October: 002:595 exempts it from staggering
1 Jan – 15 Mar "in principle" (X-08), which the engine flags for the official's decision.
"""
from __future__ import annotations

import re

import pytest

from tests.builders import JIYUAN, line_payload
from tests.builders.browser import log_in, pick_region

pytestmark = pytest.mark.web


@pytest.fixture()
def jiyuan_coking(app, site, make_account):
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.enterprises import operations as ops
    from registry.extensions import db
    from tests.builders import enterprise_payload

    make_account("jy.official", "county", JIYUAN, "济源市工信委 王某")
    owner_id = make_account("jy.coking", "enterprise")
    with app.app_context():
        owner = db.session.get(User, owner_id)
        ent = ops.register_enterprise(owner, enterprise_payload(7, JIYUAN, name="济源测试焦化有限公司", sector="coking"))
        ops.add_line(owner, ent.id, line_payload("CO1", name="1号焦炉", sector="coking", sub_type="none", kind="coke_oven",
                                                 fuel="coke_oven_gas", equipment=[],
                                                 emissions=[{"pollutant": p, "status": "special_limits", "reached_on": "2018-10-20"}
                                                            for p in ("so2", "nox", "pm")]))
        ops.submit_registration(owner, ent.id, {"version": ent.version})
        official = db.session.scalar(select(User).where(User.username == "jy.official"))
        ops.approve_registration(official, ent.id, {"version": ent.version})  # reviewed facts only (issue 14 point 10)
        db.session.commit()
        return ent.id


def test_official_generates_decides_publishes_refiles_and_compares(new_page, jiyuan_coking):
    page = new_page()
    log_in(page, "jy.official")
    page.goto("/schedules/")
    pick_region(page, "region_code", JIYUAN)
    page.select_option("#new-schedule select[name=pack_id]", "jiyuan-2018-19")
    page.fill("#new-schedule input[name=season_year]", "2018")
    page.fill("#new-schedule input[name=title]", "济源市2018-2019年采暖季错峰生产清单")
    page.click("#new-schedule button[type=submit]")
    page.wait_for_url(re.compile(r"/schedules/\d+$"))
    assert page.locator("#version-status").get_attribute("data-status") == "draft"
    measures = page.locator("#entries tr.entry[data-line=CO1]").evaluate_all("rows => rows.map(r => r.dataset.measure)")
    assert measures == ["extend_coking", "none"]

    # the in-principle exemption is listed for decision; the official records a choice with a reason
    flag = page.locator("#flagged tr.flag[data-flag='exemption_X-08'][data-line=CO1]")
    assert flag.count() == 1
    flag.locator("select[name=choice]").select_option("exempt")
    flag.locator("input[name=reason]").fill("核查确认10月底前达到特别排放限值")
    flag.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flagged tr.flag[data-flag='exemption_X-08']").count() == 0

    # publish and file
    page.fill("#publish input[name=filed_on]", "2018-11-10")
    page.fill("#publish input[name=recipients]", "济源市工信委、济源市环保局")
    page.click("#publish button[type=submit]")
    # issue 16 item 3: nothing is published before the confirmation page, which counts the enterprises
    assert page.locator("#confirm-consequences li").count() >= 2
    page.click("#confirm-submit")
    page.wait_for_load_state()
    assert page.locator("#version-status").get_attribute("data-status") == "published"
    assert page.locator("#publish").count() == 0

    # the public sees it without logging in
    public = new_page()
    public.goto("/public/schedules/")
    public.click("#published a >> nth=0")
    public.wait_for_selector("#entries tr.entry")  # the schedule's page, not the list it was clicked on
    assert public.locator("#entries tr.entry[data-line=CO1]").count() == 2

    # a change needs a new version with a filing reason; the comparison shows no line changed
    page.click("#regenerate")
    page.wait_for_load_state()
    assert page.locator("#version-status").get_attribute("data-number") == "2"
    page.fill("#publish input[name=filed_on]", "2018-12-01")
    page.fill("#publish input[name=recipients]", "济源市工信委、济源市环保局")
    page.fill("#publish input[name=filing_reason]", "复核后重新备案")
    page.click("#publish button[type=submit]")
    page.click("#confirm-submit")
    page.wait_for_load_state()
    page.click("#diff-link")
    page.wait_for_load_state()
    assert page.locator("#no-changes").count() == 1


def test_large_city_generation_runs_in_the_background_with_a_progress_bar(app, new_page, jiyuan_coking, monkeypatch):
    """The request returns at once; the page shows done/total while the worker runs, then the draft itself."""
    import threading

    from registry.schedules import generation, runner

    entered, release = threading.Event(), threading.Event()
    real = generation.generate_entries

    def held(*args, **kwargs):  # the worker pauses at the evaluation step until the browser has seen the bar
        entered.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(generation, "generate_entries", held)
    app.config["SCHEDULE_BACKGROUND"] = True
    try:
        page = new_page()
        log_in(page, "jy.official")
        page.goto("/schedules/")
        pick_region(page, "region_code", JIYUAN)
        page.select_option("#new-schedule select[name=pack_id]", "jiyuan-2018-19")
        page.fill("#new-schedule input[name=season_year]", "2018")
        page.click("#new-schedule button[type=submit]")
        page.wait_for_url(re.compile(r"/schedules/\d+$"))
        assert entered.wait(30)
        bar = page.locator("#generation[data-running='1'] progress#generation-bar")
        bar.wait_for()
        from playwright.sync_api import expect

        expect(page.locator("#generation-count")).to_have_text("1/3")  # done/total, polled from progress.json
        expect(page.locator("#generation")).to_have_attribute("data-state", "evaluating")
        assert page.locator("#publish").count() == 0 and page.locator("#entries tr.entry").count() == 0
        release.set()
        page.locator("#entries tr.entry[data-line=CO1]").first.wait_for(timeout=30_000)  # the script reloads the page
        assert page.locator("#generation").count() == 0 and page.locator("#publish").count() == 1
        assert page.locator("#version-status").get_attribute("data-status") == "draft"
    finally:
        release.set()
        for vid in list(runner._threads):
            runner.wait(vid, 60)
        app.config.pop("SCHEDULE_BACKGROUND", None)
