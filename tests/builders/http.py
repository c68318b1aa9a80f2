"""HTTP helpers for the Flask test client and `requests`: the CSRF token of a page, logging in through the form."""
from __future__ import annotations

import re

from tests.builders.payloads import PASSWORD

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html) or re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"').search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})
