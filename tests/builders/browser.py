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
