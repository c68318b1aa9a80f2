"""Registration journeys in a real browser: what an enterprise and its county official actually do.

Selectors use names, URLs and CSS hooks rather than visible text, so they work in either
language; assertions on text check the language the user chose.
"""
from __future__ import annotations

import re

import pytest

from tests.builders import ANCI, GUANGYANG, PASSWORD, valid_uscc
from tests.builders.browser import log_in, pick_region

pytestmark = pytest.mark.web

CJK = re.compile(r"[\u4e00-\u9fff]")


# ---- steps a person takes ----

def log_out(page) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r"/login"))


def sign_up(page, username: str) -> None:
    page.goto("/signup")
    page.fill("input[name=username]", username)
    page.fill("input[name=full_name]", "李经理")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/signup'] button[type=submit]")
    page.wait_for_url(re.compile(r"/enterprises/$"))


def register_enterprise(page, uscc: str, name: str) -> int:
    page.goto("/enterprises/")
    page.click("a[href='/enterprises/new']")
    page.fill("input[name=uscc]", uscc)
    page.fill("input[name=name]", name)
    pick_region(page, "region_code", ANCI)
    page.fill("input[name=address]", "廊坊市安次区光明西道 8 号")
    page.select_option("select[name=sector]", "steel")
    page.check("input[name=in_key_area]")
    page.fill("input[name=contact_person]", "李经理")
    page.fill("input[name=contact_phone]", "0316-2345678")
    page.click("form.record-form button.btn-primary")
    page.wait_for_url(re.compile(r"/enterprises/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def add_line(page, enterprise_id: int) -> None:
    page.click(f"a[href='/enterprises/{enterprise_id}/lines/new']")
    page.fill("input[name=code]", "L1")
    page.fill("input[name=name]", "1号高炉")
    page.select_option("select[name=sub_type]", "steel_blast_furnace")
    page.select_option("select[name=kind]", "blast_furnace")
    page.select_option("select[name=fuel]", "coke")
    page.fill("input[name=capacity]", "200")
    page.select_option("select[name=capacity_unit]", "10kt/a")
    page.fill("input[name=stack_height_m]", "60")
    page.select_option("select[name='emissions-0-pollutant']", "so2")
    page.select_option("select[name='emissions-0-status']", "special_limits")
    page.fill("input[name='emissions-0-reached_on']", "2017-09-01")
    page.fill("input[name='equipment-0-name']", "1#高炉")
    page.select_option("select[name='equipment-0-kind']", "blast_furnace")
    page.select_option("select[name='equipment-0-fuel']", "coke")
    page.fill("input[name='equipment-0-capacity']", "200")
    page.select_option("select[name='equipment-0-capacity_unit']", "10kt/a")
    page.click("form.record-form .form-actions button[name=save]")
    page.wait_for_url(re.compile(rf"/enterprises/{enterprise_id}(#lines)?$"))


def add_permit(page, enterprise_id: int, number: str) -> None:
    page.click(f"a[href='/enterprises/{enterprise_id}/permits/new']")
    page.fill("input[name=number]", number)
    page.fill("input[name=industry]", "炼铁")
    page.fill("input[name=issued_on]", "2017-06-30")
    page.fill("input[name=valid_until]", "2020-06-29")
    page.click("form.record-form button.btn-primary")
    page.wait_for_url(re.compile(rf"/enterprises/{enterprise_id}(#permits)?$"))


def submit(page, enterprise_id: int) -> None:
    page.click(f"form[action='/enterprises/{enterprise_id}/submit'] button")
    page.wait_for_load_state()
    assert page.locator(".badge-submitted").count() >= 1


# ---- journeys ----

def test_enterprise_registers_official_returns_enterprise_fixes_official_approves(new_page, make_account):
    """(a) The whole registration loop, ending with a history that shows every step."""
    make_account("anci.officer", "county", ANCI, full_name="王科长")
    name = "廊坊宏达钢铁有限公司"

    firm = new_page()
    sign_up(firm, "hongda.steel")
    log_out(firm)
    log_in(firm, "hongda.steel")
    assert firm.locator("a[href='/enterprises/new']").count() >= 1  # the call to action
    eid = register_enterprise(firm, valid_uscc(11, ANCI), name)
    assert firm.locator(".badge-draft").count() == 1
    add_line(firm, eid)
    assert firm.locator("#lines .line").count() == 1
    assert "1#高炉" in firm.inner_text("#lines")
    assert "特别排放限值" in firm.inner_text("#lines")  # per-pollutant status, vocabulary label in zh
    number = f"{valid_uscc(11, ANCI)}001P"  # the holder's credit code + sequence + letter (its check character holds)
    add_permit(firm, eid, number)
    assert number in firm.inner_text("#permits")
    submit(firm, eid)

    officer = new_page()
    log_in(officer, "anci.officer")
    officer.goto("/enterprises/")
    assert name in officer.inner_text("table.table-list")
    officer.click(f"table.table-list a[href='/enterprises/{eid}']")
    officer.fill("textarea[name=reason]", "请补充详细地址中的门牌号")
    officer.click(f"button[formaction='/enterprises/{eid}/return']")
    # issue 16 item 3: the confirmation page states the consequences; nothing changed yet
    assert "请补充详细地址中的门牌号" in officer.inner_text("#confirm-consequences")
    assert officer.locator(".badge-submitted, .badge-returned").count() == 0
    officer.click("#confirm-submit")
    officer.wait_for_url(re.compile(r"/dashboard/\?cleared=1$"))  # issue 16: on to the queue's next item — none left
    assert officer.locator("#queue-cleared").count() == 1
    officer.goto(f"/enterprises/{eid}")
    assert officer.locator(".badge-returned").count() == 1

    firm.goto(f"/enterprises/{eid}")
    assert "请补充详细地址中的门牌号" in firm.inner_text(".return-reason")
    firm.click(f"a[href='/enterprises/{eid}/edit']")
    firm.fill("input[name=address]", "廊坊市安次区光明西道 8 号院 2 号楼")
    firm.click("form.record-form button.btn-primary")
    firm.wait_for_url(re.compile(rf"/enterprises/{eid}$"))
    submit(firm, eid)

    officer.goto(f"/enterprises/{eid}")
    officer.click(f"button[formaction='/enterprises/{eid}/approve']")
    officer.click("#confirm-submit")
    officer.wait_for_url(re.compile(r"/dashboard/\?cleared=1$"))
    officer.goto(f"/enterprises/{eid}")
    assert officer.locator(".badge-approved").count() == 1

    officer.click(f"a[href='/enterprises/{eid}/history']")
    events = officer.locator(".timeline > li")
    classes = [events.nth(i).get_attribute("class") for i in range(events.count())]
    actions = [c.split("event-", 1)[1] for c in (c.replace("event ", "") for c in classes)]
    assert actions == [
        "enterprise-approve", "enterprise-submit", "enterprise-update", "enterprise-return",
        "enterprise-submit", "permit-add", "line-add", "enterprise-register",
    ]
    history = officer.inner_text(".timeline")
    assert "请补充详细地址中的门牌号" in history  # the return reason
    assert "光明西道 8 号院 2 号楼" in history  # the fix, as before → after
    assert "王科长" in history and "李经理" in history  # who did it


def test_bad_credit_code_and_negative_capacity_are_explained_beside_the_fields(new_page, make_account):
    """(b) Messages sit next to the field, in Chinese by default and in English after switching."""
    page = new_page()
    sign_up(page, "jiyuan.coke")
    eid = register_enterprise(page, valid_uscc(12, ANCI), "济源测试焦化有限公司")

    page.click(f"a[href='/enterprises/{eid}/edit']")
    page.fill("input[name=uscc]", "91131002MA0000000X")
    page.click("form.record-form button.btn-primary")
    uscc_error = page.locator(".field-errors[data-field=uscc]")
    uscc_error.wait_for()  # the refused save's page, not the form it was sent from
    assert uscc_error.count() == 1
    assert "统一社会信用代码" in uscc_error.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.input_value("input[name=uscc]") == "91131002MA0000000X"  # the input is kept

    page.goto(f"/enterprises/{eid}/lines/new")
    page.fill("input[name=code]", "L1")
    page.fill("input[name=name]", "1号焦炉")
    page.select_option("select[name=kind]", "coke_oven")
    page.select_option("select[name=fuel]", "coke_oven_gas")
    page.fill("input[name=capacity]", "-5")
    page.click("form.record-form .form-actions button[name=save]")
    capacity_error = page.locator(".field-errors[data-field=capacity]")
    capacity_error.wait_for()
    assert capacity_error.count() == 1
    zh_message = capacity_error.inner_text()
    assert CJK.search(zh_message), zh_message
    assert page.input_value("input[name=capacity]") == "-5"

    page.click("a[lang=en]")  # the language switch in the top bar
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.fill("input[name=code]", "L1")
    page.fill("input[name=name]", "1号焦炉")
    page.select_option("select[name=kind]", "coke_oven")
    page.select_option("select[name=fuel]", "coke_oven_gas")
    page.fill("input[name=capacity]", "-5")
    page.click("form.record-form .form-actions button[name=save]")
    assert "Must be zero or more." in page.inner_text(".field-errors[data-field=capacity]")

    page.goto(f"/enterprises/{eid}/edit")
    page.fill("input[name=uscc]", "91131002MA0000000X")
    page.click("form.record-form button.btn-primary")
    assert "Not a valid unified social credit code" in page.inner_text(".field-errors[data-field=uscc]")

    page.goto(f"/enterprises/{eid}")
    assert page.locator("#lines .line").count() == 0  # nothing was saved


def test_official_of_another_county_gets_not_found(new_page, make_account):
    """(c) Existence does not leak: 广阳区 sees 404 for an 安次区 registration."""
    make_account("guangyang.officer", "county", GUANGYANG)
    make_account("anci.officer", "county", ANCI)
    firm = new_page()
    sign_up(firm, "anci.glass")
    eid = register_enterprise(firm, valid_uscc(13, ANCI), "廊坊测试玻璃有限公司")
    add_line(firm, eid)
    submit(firm, eid)

    outsider = new_page()
    log_in(outsider, "guangyang.officer")
    response = outsider.goto(f"/enterprises/{eid}")
    assert response.status == 404
    assert outsider.locator(".error-code").inner_text() == "404"
    assert outsider.goto(f"/enterprises/{eid}/history").status == 404
    outsider.goto("/enterprises/")
    assert outsider.locator("table.table-list").count() == 0

    insider = new_page()
    log_in(insider, "anci.officer")
    assert insider.goto(f"/enterprises/{eid}").status == 200


def test_region_picker_cascades_and_searches_on_the_server(new_page):
    """Issue 16: the county is chosen province → city → county, or found by name or code through the server's
    search; the form no longer carries ~3,000 counties."""
    page = new_page()
    sign_up(page, "filter.user")
    page.goto("/enterprises/new")
    assert len(page.content()) < 100_000
    page.select_option("#region_code-0", "130000")
    page.wait_for_selector("#region_code-1 option[value='131000']", state="attached")
    page.select_option("#region_code-1", "131000")
    page.wait_for_selector(f"#region_code-2 option[value='{ANCI}']", state="attached")
    assert page.input_value("input[name=region_code]") == ""  # a city with counties is not a place for an enterprise
    page.select_option("#region_code-2", ANCI)
    assert page.input_value("input[name=region_code]") == ANCI
    pick_region(page, "region_code", GUANGYANG)
    assert page.input_value("input[name=region_code]") == GUANGYANG
    assert page.input_value("#region_code-2") == GUANGYANG


def test_sub_type_select_follows_the_sector(new_page):
    """Issue 16: 细分类型 offers only the chosen sector's sub-types, in the browser, from the server's map."""
    page = new_page()
    sign_up(page, "subtype.user")
    page.goto("/enterprises/new")
    page.select_option("select[name=sector]", "steel")
    steel = page.eval_on_selector_all("select[name=sub_type] option", "os => os.map(o => o.value)")
    assert steel == ["", "none", "steel_blast_furnace", "steel_sinter", "steel_converter", "steel_rolling"]
    page.select_option("select[name=sub_type]", "steel_sinter")
    page.select_option("select[name=sector]", "foundry")
    assert page.eval_on_selector_all("select[name=sub_type] option", "os => os.map(o => o.value)") == ["", "none"]
    assert page.input_value("select[name=sub_type]") == ""  # a steel sub-type does not survive the change
