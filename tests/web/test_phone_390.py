"""Issue 16 — pages usable at 390 px: the navigation folds behind a menu button, tables scroll inside the page
or wrap, forms are one column; no page makes the body scroll sideways. Every page type, as each demo role, in
zh, headless Chromium at 390 × 844 (an iPhone 12-14's CSS width)."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=6)]  # demo_city: tests/conftest.py

WIDTH = 390


def _pages(app) -> dict[str, list[str]]:
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.enterprises.models import Enterprise, ProductionLine
    from registry.extensions import db
    from registry.grades.models import GradeApplication
    from registry.schedules.models import ScheduleVersion

    with app.app_context():
        qiye = db.session.scalar(select(User).where(User.username == "qiye"))
        own = qiye.enterprise_id
        line = db.session.scalar(select(ProductionLine.id).where(ProductionLine.enterprise_id == own))
        other = db.session.scalar(select(Enterprise.id).where(Enterprise.region_code.startswith("1310"), Enterprise.id != own,
                                                              Enterprise.submitted_at.is_not(None)))
        application = db.session.scalar(select(GradeApplication.id).order_by(GradeApplication.id.desc()))
        version = db.session.scalar(select(ScheduleVersion.id).order_by(ScheduleVersion.id))
        admin_target = qiye.id
    common_public = ["/", "/login", "/signup", "/public/grades", "/public/schedules/"]
    official = ["/enterprises/", f"/enterprises/{other}", f"/enterprises/{other}/history", "/audit/", "/grades/", "/grades/chart",
                "/grades/ungraded", "/schedules/", "/emergency/", "/emergency/area-sources", "/supervision/", "/exchange/",
                "/enterprises/conflicts", "/account", "/account/tokens"]
    if application:
        official.append(f"/grades/{application}")
    enterprise = ["/enterprises/", f"/enterprises/{own}", f"/enterprises/{own}/history", f"/enterprises/lines/{line}/edit",
                  "/grades/", "/schedules/", "/exchange/", "/account"]
    if version:
        official += [f"/schedules/versions/{version}/calendar"]
        common_public.append(f"/public/schedules/{version}")
    return {
        "": common_public,
        "langfang": official,
        "qiye": enterprise,
        "admin": ["/admin/users", "/admin/users/new", f"/admin/users/{admin_target}/edit"],
        "anquan": ["/security/"],
        "shenji": ["/audit/", "/audit/verify"],
    }


def test_every_page_fits_390px_with_the_navigation_folded(demo_city, browser, site):
    from registry.demo import DEMO_PASSWORD

    overflowing, unfolded = [], []
    for user, paths in _pages(demo_city).items():
        context = browser.new_context(viewport={"width": WIDTH, "height": 844}, base_url=site, locale="zh-CN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        if user:
            page.goto("/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_load_state()
        for path in paths:
            response = page.goto(path)
            assert response.status < 500, (user, path, response.status)
            page.wait_for_load_state("load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                overflowing.append((user or "anonymous", path, width))
            if not (page.locator(".menu-toggle").is_visible() and not page.locator("#mainnav").is_visible()):
                unfolded.append((user or "anonymous", path))
        # the button unfolds the menu, whose links then fit the screen
        page.click(".menu-toggle")
        assert page.locator("#mainnav").is_visible()
        assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        context.close()
    assert not overflowing, overflowing
    assert not unfolded, unfolded


def test_long_company_names_wrap_by_word_not_one_character_a_line(demo_city, browser, site):
    """The grade lists broke company names one character per line; now a name keeps several characters a line."""
    from registry.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, base_url=site, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "langfang")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    page.goto("/enterprises/")
    cells = page.locator("table.table-list tbody td:first-child")
    assert cells.count()
    for i in range(min(cells.count(), 5)):
        box = cells.nth(i).bounding_box()
        assert box["width"] >= 100, (cells.nth(i).inner_text(), box)
    context.close()


def test_without_javascript_the_navigation_stays_open(demo_city, browser, site):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, base_url=site, java_script_enabled=False)
    page = context.new_page()
    page.goto("/public/grades")
    assert page.locator("#mainnav").is_visible() and not page.locator(".menu-toggle").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
