"""Steps a person takes in the browser (Playwright pages of tests/web)."""
from __future__ import annotations

from tests.builders.payloads import PASSWORD


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; the page must then offer the logout form."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("form[action='/logout']").count() == 1, page.content()[:2000]


def pick_region(page, name: str, code: str) -> None:
    """Choose a region in the picker (macros/forms.html region_picker) by typing its code in the search box."""
    box = page.locator(f"[data-region-picker]:has(input[name={name}])")
    box.locator("input.region-search").fill(code)
    box.locator(f"button.region-hit[data-code='{code}']").click()
    page.wait_for_function(
        "([n, c]) => document.querySelector(`input[name=${n}]`).value === c", arg=[name, code])
