"""Follow-ups to the separation of administrative roles (等保 2.0 三员分立):

- the demo data has a security and an audit administrator (`anquan`, `shenji`) who sign in with the
  demo password and reach their pages;
- the re-authentication page names the kind of action it guards (accounts, grades, schedules, emergency);
- each role's navigation holds only the links it can use (real HTTP, every link answers 200).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.extensions import db
from tests.builders import ANCI, csrf_from, login

NAV_RE = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
HREF_RE = re.compile(r'href="([^"]+)"')


def _nav(client) -> list[str]:
    html = client.get("/account").get_data(as_text=True)
    m = NAV_RE.search(html)
    assert m, "page has no main navigation"
    return HREF_RE.findall(m.group(1))


# ---- demo accounts ----

@pytest.mark.demo_city(per_city=12)
def test_demo_data_has_a_security_and_an_audit_administrator_who_reach_their_pages(db_app, demo_city):
    from registry.demo import DEMO_PASSWORD, print_logins
    from tests.conftest import _fresh_client_class

    roles = dict(db.session.execute(select(User.username, User.role).where(User.username.in_(["anquan", "shenji"]))).all())
    assert roles == {"anquan": "security_admin", "shenji": "audit_admin"}
    printed: list[str] = []
    print_logins(printed.append)
    assert any("anquan" in line and "security_admin" in line for line in printed)
    assert any("shenji" in line and "audit_admin" in line for line in printed)
    for username, page, other in (("anquan", "/security/", "/audit/"), ("shenji", "/audit/", "/security/")):
        client = _fresh_client_class()(db_app, db_app.response_class, use_cookies=True)
        resp = login(client, username, DEMO_PASSWORD)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/"), username
        assert client.get("/").headers["Location"].endswith(page)
        assert client.get(page).status_code == 200, (username, page)
        assert client.get(other).status_code == 403, (username, other)


def test_seeding_an_existing_demo_database_adds_the_missing_administrators(db_app, make_enterprise):
    """A database seeded before these accounts existed gets them on the next `flask seed`, nothing else."""
    make_enterprise()
    db.session.commit()
    result = db_app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "demo data:" not in result.output and "anquan" in result.output
    roles = dict(db.session.execute(select(User.username, User.role).where(User.username.in_(["anquan", "shenji"]))).all())
    assert roles == {"anquan": "security_admin", "shenji": "audit_admin"}


def test_production_refuses_the_demo_administrators_too(db_app, monkeypatch):
    monkeypatch.setitem(db_app.config, "ALLOW_DEMO_DATA", False)
    runner = db_app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code != 0
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert db.session.scalar(select(User).where(User.username.in_(["anquan", "shenji"]))) is None


# ---- the re-authentication page names the pending action ----

@pytest.mark.parametrize(("next_url", "expected"), [
    ("/admin/users/new", "changes user accounts"),
    ("/account/tokens/1/revoke", "changes user accounts"),
    ("/grades/1/approve", "decision on a performance grade"),
    ("/schedules/1#publish", "staggered-production schedule"),
    ("/emergency/lists/1#versions", "emergency emission-reduction list"),
    ("/enterprises/", "This is a sensitive action."),
    ("https://evil.example/", "This is a sensitive action."),
    ("", "This is a sensitive action."),
])
def test_the_reauth_page_names_the_pending_action(client, make_user, next_url, expected):
    official = make_user("city", "131000")
    login(client, official.username)
    client.get("/lang/en")
    html = client.get("/reauth", query_string={"next": next_url}).get_data(as_text=True)
    assert expected in html and "Enter your password again to continue." in html
    assert "This action changes accounts." not in html
    resp = client.post("/reauth", data={"csrf_token": csrf_from(html), "next": next_url, "password": "wrong"})
    assert resp.status_code == 422 and expected in resp.get_data(as_text=True)


# ---- each role's navigation holds only its own links ----

GUARDED = {"/admin/users", "/security/", "/audit/"}


@pytest.mark.parametrize(("role", "region"), [
    ("security_admin", None), ("audit_admin", None), ("admin", None), ("county", ANCI), ("enterprise", None),
    ("registered_enterprise", None),
])
def test_each_role_sees_only_its_own_navigation_and_every_link_works(client, make_user, make_enterprise, role, region):
    if role == "registered_enterprise":
        user = make_user("enterprise")
        make_enterprise(owner=user)
        db.session.commit()
    else:
        user = make_user(role, region)
    assert login(client, user.username).status_code == 302
    links = _nav(client)
    assert links, role
    if role == "security_admin":
        assert links == ["/security/"]
    elif role == "audit_admin":
        assert links == ["/audit/"]
    elif role == "admin":  # accounts only: no business page (issue 13 M9, 三员分立)
        assert links == ["/admin/users", "/account/tokens"], links
    elif role == "county":
        assert "/audit/" in links and not ({"/admin/users", "/security/"} & set(links))
    elif role == "registered_enterprise":  # its emergency plan is one click away
        assert not (GUARDED & set(links)) and "/emergency/" in links
    else:  # an enterprise account that has not registered yet has no emergency plan to open
        assert not (GUARDED & set(links)) and "/emergency/" not in links
    for href in links:
        assert client.get(href, follow_redirects=True).status_code == 200, (role, href)
