"""Playwright journeys' fixtures: the session app served on a free local port, headless Chromium.

The server runs the very app of tests/conftest.py (same migrated database) in a background
thread, so a test can prepare accounts through operations and then drive the browser. Tables
are emptied after each test exactly as tests/conftest.py does. Chromium comes from Debian
(/usr/bin/chromium): `playwright install` cannot download browsers on government intranets.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
    for item in items:
        if "web" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def site(app, live_server_session) -> Iterator[str]:
    """The session's live server (tests/conftest.py); every table except regions is emptied before and after the test."""
    from tests.conftest import _clean

    _clean(app)
    try:
        yield live_server_session
    finally:
        _clean(app)


@pytest.fixture()
def new_page(browser, site):
    """A factory of fresh browser pages (one context each: separate cookies, like two people)."""
    contexts = []

    def _make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture()
def make_account(app, site):
    """An account created through accounts.operations (officials are never self-registered)."""
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user
    from registry.extensions import db

    def _make(username: str, role: str, region_code: str | None = None, full_name: str = ""):
        from tests.builders import PASSWORD

        with app.app_context():
            user = create_user(SYSTEM, {"username": username, "password": PASSWORD, "role": role,
                                        "region_code": region_code, "full_name": full_name})
            db.session.commit()
            return user.id

    return _make
