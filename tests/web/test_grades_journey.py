"""The grading journey in headless Chromium: apply → county returns → fix → city approves → publicity →
objection answered → effective → fraud finding → C, each step by the person who takes it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.builders import ANCI
from tests.builders.browser import log_in
from tests.builders.grades import PDF, STEEL_ANSWERS

pytestmark = pytest.mark.web


def fill_indicators(page, answers: dict) -> None:
    for key, value in answers.items():
        name = f"a-steel-{key}"
        el = page.locator(f"[name='{name}']")
        if isinstance(value, bool):
            el.select_option("yes" if value else "no")
        elif el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(str(value))
        else:
            el.fill(str(value))


def status(page) -> str:
    return page.locator("#app-status").get_attribute("data-status")


@pytest.fixture()
def world(app, site, make_account):
    """An approved steel registration in 安次区, its county and city officials (through operations)."""
    from registry.accounts.models import User
    from registry.enterprises import operations as ops
    from registry.extensions import db
    from tests.builders import enterprise_payload, line_payload, permit_payload

    make_account("web.county", "county", ANCI)
    make_account("web.city", "city", "131000")
    make_account("web.city2", "city", "131000")  # four eyes (issue 13 L11): makes the grade effective
    owner_id = make_account("web.owner", "enterprise")
    with app.app_context():
        app.config["GRADE_EVIDENCE_DIR"] = str(__import__("tempfile").mkdtemp())
        owner = db.session.get(User, owner_id)
        county = db.session.scalar(db.select(User).where(User.username == "web.county"))
        ent = ops.register_enterprise(owner, enterprise_payload(7, ANCI, name="廊坊绩效钢铁有限公司"))
        ops.add_line(owner, ent.id, line_payload("L1"))
        ops.add_permit(owner, ent.id, permit_payload("P-WEB-1"))
        ops.submit_registration(owner, ent.id, {"version": ent.version})
        ops.approve_registration(county, ent.id, {"version": ent.version})
        db.session.commit()
        return ent.id


def test_grading_journey_in_the_browser(new_page, world, tmp_path, monkeypatch):
    from registry.core import timeutil

    enterprise_id = world
    me = new_page()
    log_in(me, "web.owner")
    me.goto("/grades/")
    me.click("a[href='/grades/new']")
    me.select_option("select[name^=line-]", "steel")
    me.click("#create-application")
    me.wait_for_url(re.compile(r"/grades/\d+$"))
    app_url = me.url
    fill_indicators(me, dict(STEEL_ANSWERS, clean_transport_share=50))
    me.click("#save-answers")
    me.wait_for_load_state()
    assert me.locator("#proposed-grade").inner_text() == "B"
    assert me.locator("#row-steel-clean_transport_share td[data-grade]").get_attribute("data-grade") == "B"
    pdf = tmp_path / "rail-contract.pdf"
    pdf.write_bytes(PDF)
    me.select_option("#evidence-indicator", "steel.clean_transport_share")
    me.set_input_files("#evidence-file", str(pdf))
    me.click("#evidence-form button[type=submit]")
    me.wait_for_load_state()
    assert me.locator("#evidence a[href^='/grades/evidence/']").count() == 1
    me.click("#submit-application")
    me.wait_for_load_state()
    assert status(me) == "submitted"

    county = new_page()
    log_in(county, "web.county")
    county.goto(app_url)
    county.select_option("#v-steel\\.clean_transport_share", "returned")
    county.fill("#r-steel\\.clean_transport_share", "铁路运输合同不清晰")
    county.click("#review-submit")
    county.click("#confirm-submit")  # issue 16 item 3: asks first
    county.wait_for_url(re.compile(r"/dashboard/\?cleared=1$"))  # issue 16: the queue is empty
    county.goto(app_url)
    assert status(county) == "returned"

    me.goto(app_url)
    assert "铁路运输合同不清晰" in me.locator("#row-steel-clean_transport_share").inner_text()
    me.fill("[name='a-steel-clean_transport_share']", "85")
    me.click("#save-answers")
    me.wait_for_load_state()
    assert me.locator("#proposed-grade").inner_text() == "A"
    me.click("#submit-application")
    me.wait_for_load_state()

    county.goto(app_url)
    county.click("#review-submit")
    county.click("#confirm-submit")  # issue 16 item 3: asks first
    county.wait_for_url(re.compile(r"/dashboard/\?cleared=1$"))
    county.goto(app_url)
    assert status(county) == "county_accepted"

    city = new_page()
    log_in(city, "web.city")
    city.goto(app_url)
    city.click("#approve-submit")
    city.click("#confirm-submit")  # issue 16 item 3: asks first
    city.wait_for_url(re.compile(r"/dashboard/\?cleared=1$"))
    city.goto(app_url)
    assert status(city) == "publicity"

    public = new_page()
    public.goto("/public/grades")
    assert "廊坊绩效钢铁有限公司" in public.locator("#grade-A").inner_text()
    public.click("#grade-A a[href$='/objection']")
    public.fill("#objection-text", "该企业运输车辆多为国四柴油车。")
    public.click("#objection-submit")
    public.wait_for_url(re.compile(r"/public/grades$"))

    city.goto(app_url)
    city.fill("textarea[name=answer]", "经核查，车辆均为国五及以上。")
    city.click("button[id^=answer-submit-]")
    city.wait_for_load_state()
    real = timeutil.beijing_today
    monkeypatch.setattr(timeutil, "beijing_today", lambda: real() + timedelta(days=30))
    publisher = new_page()  # four eyes (issue 13 L11): not the official who approved
    log_in(publisher, "web.city2")
    publisher.goto(app_url)
    publisher.click("#effective-submit")
    publisher.click("#confirm-submit")  # issue 16 item 3: asks first
    publisher.wait_for_load_state()
    assert status(publisher) == "effective"

    county.goto(f"/grades/enterprise/{enterprise_id}")
    county.select_option("#finding-kind", "fraud")
    county.fill("#finding-reason", "超低排放评估数据造假")
    county.click("#finding-submit")
    county.click("#confirm-submit")  # issue 16 item 3: asks first
    county.wait_for_load_state()
    assert county.locator("tr.decision.current").get_attribute("data-grade") == "C"
    assert county.locator("tr.decision[data-kind=approval]").get_attribute("data-grade") == "A"

    city.goto("/grades/chart")
    city.wait_for_selector("#chart-region[data-rendered='1']")
