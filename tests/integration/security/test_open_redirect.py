"""Issue 13 Medium 6 — open redirect on the language switch (ASVS 5.1.5; 等保 2.0 入侵防范 / 输入验证).

The attack, without signing in: `/lang/zh?next=/%09/evil.example` answered
`Location: //evil.example` (a browser drops the tab), and `%0D`/`%0A` gave a 500. The language
switch, the login and the re-authentication page now share one check (core/redirects.py): only
a printable same-origin path without backslashes is followed, anything else goes to the default
page. Each payload is checked the way a browser reads a Location header (WHATWG URL: tab/CR/LF
removed, control characters and spaces stripped at the ends, backslash read as slash).
"""
from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.builders import PASSWORD, csrf_from, login

# Raw `next` values (percent-encoded once when put into a query string or form).
PAYLOADS = [
    "/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/\r\nSet-Cookie: x=1", "\r\nLocation: //evil.example",
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example",
    " //evil.example", "\t//evil.example", "//evil.example\t", "\x0b//evil.example",
    "https://evil.example", "http:evil.example", "https:/evil.example", "//evil.example/%2F..",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "evil.example", "@evil.example", "/\u2028/evil.example", "/\x7f/evil.example", "/\x85/evil.example",
    "/\u3000/evil.example", "\u3000//evil.example", "／／evil.example", "//evil.example@127.0.0.1",
    "//evil.example\x1f",  # (NUL is refused earlier, 422, by core/input_guard.py)
]
# Kept as they are: ordinary paths on this site.
# (Percent-escapes stay escapes in a path: `/%09/evil.example` is a path on this site, not a host.)
KEPT = ["/enterprises/", "/enterprises/?page=2&q=%E9%92%A2", "/account#tokens", "/%2F%2Fevil.example",
        "/%09/evil.example", "/%2F/evil.example"]
ORIGIN = "http://localhost"


def _as_browser_reads(location: str) -> str:
    """WHATWG URL parsing of a Location value, the parts that matter for the host."""
    location = re.sub(r"[\t\n\r]", "", location)
    location = location.strip("".join(chr(c) for c in range(0x21)))
    return location.replace("\\", "/")


def _same_origin(location: str) -> bool:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in location):
        return False
    target = urlsplit(urljoin(ORIGIN + "/", _as_browser_reads(location)))
    return (target.scheme, target.netloc) == ("http", "localhost")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_language_switch_never_leaves_the_site(client, payload):
    """M6: no login needed; every payload ends on this site's start page, never a 500."""
    r = client.get(f"/lang/zh?next={quote(payload, safe='')}")
    assert r.status_code == 302, (payload, r.status_code)
    assert _same_origin(r.headers["Location"]), (payload, r.headers["Location"])
    assert urlsplit(r.headers["Location"]).path == "/"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_login_never_leaves_the_site(client, make_user, payload):
    user = make_user("enterprise")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token, "next": payload})
    assert r.status_code == 302, (payload, r.status_code)
    assert _same_origin(r.headers["Location"]), (payload, r.headers["Location"])
    assert urlsplit(r.headers["Location"]).path == "/"


def test_the_reauth_page_never_leaves_the_site(client, make_user):
    user = make_user("enterprise")
    assert login(client, user.username).status_code == 302
    for payload in PAYLOADS:
        token = csrf_from(client.get("/reauth").get_data(as_text=True))
        r = client.post("/reauth", data={"password": PASSWORD, "csrf_token": token, "next": payload})
        assert r.status_code == 302 and _same_origin(r.headers["Location"]), (payload, r.headers.get("Location"))


@pytest.mark.parametrize("path", KEPT)
def test_paths_on_the_site_are_followed(client, make_user, path):
    r = client.get(f"/lang/en?next={quote(path, safe='')}")
    assert r.status_code == 302 and r.headers["Location"] == path
    user = make_user("enterprise")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token, "next": path})
    assert r.headers["Location"] == path


def test_the_language_switch_returns_to_the_login_page(client):
    """The check of the login (no way back to /login after signing in) is not applied to the language switch."""
    r = client.get("/lang/en?next=/login%3Fnext%3D%252Faccount")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=%2Faccount"
