"""Page behaviour the operations cannot show: forms re-rendered with messages beside fields,
nothing saved on error, optimistic-lock conflicts keeping input, safe `next`, the secret shown once."""
from __future__ import annotations

import re

from registry.enterprises import operations as ops
from registry.enterprises.models import Enterprise
from registry.extensions import db
from tests.builders import ANCI, PASSWORD, csrf_from, enterprise_payload, login, valid_uscc


def _page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def _errors_for(html: str, field_name: str) -> list[str]:
    m = re.search(rf'<ul class="field-errors" id="[^"]*" data-field="{re.escape(field_name)}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", m.group(1), re.S) if m else []


def test_every_page_of_an_enterprise_renders_for_its_owner(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    line_id, permit_id = ent.lines[0].id, ent.permits[0].id
    for url in (
        "/enterprises/", f"/enterprises/{ent.id}", f"/enterprises/{ent.id}/edit", f"/enterprises/{ent.id}/history",
        f"/enterprises/{ent.id}/lines/new", f"/enterprises/lines/{line_id}/edit",
        f"/enterprises/{ent.id}/permits/new", f"/enterprises/permits/{permit_id}/edit",
        "/account", "/account/tokens",
    ):
        _page(client, url)
    html = _page(client, f"/enterprises/{ent.id}")
    assert "1号高炉" in html and "高炉" in html  # vocabulary label in the default zh locale


def test_login_honours_a_safe_next_and_ignores_an_external_one(client, make_user):
    user = make_user("county", ANCI)
    page = client.get("/login?next=/account").get_data(as_text=True)
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "next": "/account",
                                       "csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))})
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "next": "//evil.example/x",
                                       "csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


def test_wrong_password_re_renders_the_login_form(client, make_user):
    user = make_user("enterprise")
    resp = login(client, user.username, "wrong-password-123")
    assert resp.status_code == 422
    assert 'name="username"' in resp.get_data(as_text=True)


def test_bad_uscc_and_negative_capacity_show_beside_their_fields_and_save_nothing(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}/edit")
    data = {k: v for k, v in enterprise_payload(1, ANCI).items()}
    data.update(uscc="91131002MA0000000X", version=str(ent.version), csrf_token=csrf_from(html))
    resp = client.post(f"/enterprises/{ent.id}/edit", data=data)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert _errors_for(body, "uscc"), body[:2000]
    assert 'value="91131002MA0000000X"' in body  # the user's input is kept

    html = _page(client, f"/enterprises/{ent.id}/lines/new")
    form = {
        "csrf_token": csrf_from(html), "code": "L9", "name": "2号窑", "sector": "steel", "kind": "blast_furnace",
        "fuel": "coke", "capacity": "-5", "capacity_unit": "t/a",
        "emissions-0-pollutant": "so2", "emissions-0-status": "",
        "equipment-0-name": "", "equipment-0-kind": "",
    }
    resp = client.post(f"/enterprises/{ent.id}/lines/new", data=form)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert _errors_for(body, "capacity")
    assert _errors_for(body, "emissions-0-status")
    db.session.expire_all()
    assert len(db.session.get(Enterprise, ent.id).lines) == 1


def test_line_form_adds_a_row_without_saving(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}/lines/new")
    resp = client.post(f"/enterprises/{ent.id}/lines/new", data={
        "csrf_token": csrf_from(html), "code": "L2", "emissions-0-pollutant": "nox", "add_emissions": "1"})
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'name="emissions-1-pollutant"' in body
    db.session.expire_all()
    assert len(db.session.get(Enterprise, ent.id).lines) == 1


def test_line_with_rows_is_saved_and_shown(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}/lines/new")
    resp = client.post(f"/enterprises/{ent.id}/lines/new", data={
        "csrf_token": csrf_from(html), "code": "L2", "name": "2号烧结机", "sector": "steel", "sub_type": "steel_sinter",
        "kind": "sinter_machine", "fuel": "coke", "capacity": "120", "capacity_unit": "10kt/a",
        "emissions-0-pollutant": "nox", "emissions-0-status": "ultra_low", "emissions-0-reached_on": "2018-10-01",
        "emissions-1-pollutant": "", "emissions-1-status": "",
        "equipment-0-name": "2#烧结机", "equipment-0-kind": "sinter_machine", "equipment-0-fuel": "coke", "equipment-0-quantity": "1",
        "has_cems": "y", "save": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    body = _page(client, f"/enterprises/{ent.id}")
    assert "2号烧结机" in body and "超低排放" in body and "2#烧结机" in body


def test_stale_version_is_a_conflict_that_keeps_the_input(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}/edit")
    stale = ent.version
    ops.update_enterprise(owner, ent.id, enterprise_payload(1, ANCI, address="别人改的地址"), expected_version=stale)
    db.session.commit()
    data = enterprise_payload(1, ANCI, address="我的新地址")
    data.update(version=str(stale), csrf_token=csrf_from(html))
    resp = client.post(f"/enterprises/{ent.id}/edit", data=data)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert "我的新地址" in body
    # The re-rendered form carries the current version: saving again, knowingly, succeeds.
    current = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', body)
    assert current and int(current.group(1)) == stale + 1, re.findall(r'<input[^>]*version[^>]*>', body)
    data["version"] = current.group(1)
    assert client.post(f"/enterprises/{ent.id}/edit", data=data).status_code == 302


def test_submit_without_lines_shows_what_is_missing(client, make_user):
    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(5, ANCI))
    db.session.commit()
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}")
    resp = client.post(f"/enterprises/{ent.id}/submit", data={"csrf_token": csrf_from(html), "version": ent.version})
    assert resp.status_code == 422
    db.session.expire_all()
    assert db.session.get(Enterprise, ent.id).status == "draft"


def test_register_through_the_page(client, make_user):
    owner = make_user("enterprise")
    login(client, owner.username)
    html = _page(client, "/enterprises/")
    assert "/enterprises/new" in html
    html = _page(client, "/enterprises/new")
    data = enterprise_payload(7, ANCI)
    data.update(csrf_token=csrf_from(html), conforms_to_industrial_policy="y")
    resp = client.post("/enterprises/new", data=data)
    assert resp.status_code == 302
    assert "/enterprises/" in resp.headers["Location"]


def test_official_reviews_return_needs_a_reason(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, submitted=True)
    login(client, county.username)
    html = _page(client, f"/enterprises/{ent.id}")
    resp = client.post(f"/enterprises/{ent.id}/return", data={"csrf_token": csrf_from(html), "version": ent.version, "reason": ""})
    assert resp.status_code == 422
    assert _errors_for(resp.get_data(as_text=True), "reason")
    resp = client.post(f"/enterprises/{ent.id}/return", data={"csrf_token": csrf_from(html), "version": ent.version, "reason": "缺少许可证",
                                                              "confirmed": "1"})
    assert resp.status_code == 302
    history = _page(client, f"/enterprises/{ent.id}/history")
    assert "缺少许可证" in history


def test_token_secret_is_shown_once(client, make_user):
    user = make_user("city", "131000")
    login(client, user.username)
    html = _page(client, "/account/tokens")
    resp = client.post("/account/tokens", data={"csrf_token": csrf_from(html), "name": "sync", "expires_in_days": "30"})
    assert resp.status_code == 200
    secret = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', resp.get_data(as_text=True)).group(1)
    assert secret not in _page(client, "/account/tokens")


def test_admin_creates_an_official(client, make_user):
    admin = make_user("admin")
    login(client, admin.username)
    html = _page(client, "/admin/users/new")
    resp = client.post("/admin/users/new", data={"csrf_token": csrf_from(html), "username": "anci-officer", "role": "county",
                                                 "region_code": ANCI, "password": PASSWORD, "active": "y"})
    assert resp.status_code == 302
    assert "anci-officer" in _page(client, "/admin/users")


def test_english_switch_shows_english_vocabulary(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    client.get("/lang/en")
    # The `client` fixture runs every request inside one app context, so flask-babel's
    # per-context locale cache must be dropped for the switch to be seen.
    import flask_babel

    flask_babel.refresh()
    html = _page(client, f"/enterprises/{ent.id}")
    assert "Blast furnace" in html
    assert valid_uscc(1, ANCI) in html


def test_a_pollutant_listed_twice_is_reported_on_the_emission_rows(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}/lines/new")
    resp = client.post(f"/enterprises/{ent.id}/lines/new", data={
        "csrf_token": csrf_from(html), "code": "L3", "name": "3号窑", "sector": "steel", "kind": "lime_kiln",
        "fuel": "coal", "capacity_unit": "t/a",
        "emissions-0-pollutant": "so2", "emissions-0-status": "compliant",
        "emissions-1-pollutant": "", "emissions-1-status": "",
        "emissions-2-pollutant": "so2", "emissions-2-status": "ultra_low"})
    assert resp.status_code == 422
    assert _errors_for(resp.get_data(as_text=True), "emissions")


def test_blank_rows_are_skipped_and_errors_land_on_the_row_that_was_typed(client, make_enterprise):
    """Row 2 of the form is item 1 of the submitted list once the blank row 1 is dropped."""
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = _page(client, f"/enterprises/{ent.id}/lines/new")
    resp = client.post(f"/enterprises/{ent.id}/lines/new", data={
        "csrf_token": csrf_from(html), "code": "L4", "name": "4号炉", "sector": "foundry", "kind": "cupola",
        "fuel": "coke", "capacity_unit": "t/a",
        "equipment-0-name": "1#冲天炉", "equipment-0-kind": "cupola", "equipment-0-fuel": "coke",
        "equipment-1-name": "", "equipment-1-kind": "",
        "equipment-2-name": "3#冲天炉", "equipment-2-kind": "cupola", "equipment-2-fuel": "coke", "equipment-2-capacity": "-1"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert _errors_for(body, "equipment-2-capacity")
    assert not _errors_for(body, "equipment-1-capacity")


def test_vocabulary_filter_shows_chinese_or_humanised_english(db_app):
    import flask_babel

    from registry.core.templating import vocab_label

    with flask_babel.force_locale("zh"):
        assert vocab_label("blast_furnace", "LineKind") == "高炉"
    with flask_babel.force_locale("en"):
        assert vocab_label("blast_furnace", "LineKind") == "Blast furnace"
        assert vocab_label("so2", "Pollutant") == "SO₂"
    assert vocab_label("no_such_code", "LineKind") == "no_such_code"


def test_login_attempts_are_rate_limited_but_the_page_is_not(client, make_user):
    from registry.extensions import limiter

    user = make_user("enterprise")
    client.application.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    try:
        assert login(client, user.username, "wrong-password-1").status_code == 422
        assert login(client, user.username, "wrong-password-2").status_code == 422
        refused = login(client, user.username, PASSWORD)
        assert refused.status_code == 429
        assert client.get("/login").status_code == 200  # only POST counts
    finally:
        client.application.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


def test_logout_is_a_post_with_csrf(client, make_user):
    user = make_user("county", ANCI)
    login(client, user.username)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", data={}).status_code == 400  # no CSRF token
    assert client.get("/account").status_code == 200


def test_enterprise_list_pages_and_filters(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    for _ in range(3):
        make_enterprise(ANCI, submitted=True)
    make_enterprise(ANCI, submitted=True, sector="cement")
    login(client, county.username)
    client.application.config["PAGE_SIZE"] = 2
    try:
        first = _page(client, "/enterprises/")
        assert first.count('href="/enterprises/') >= 2 and "page=2" in first
        second = _page(client, "/enterprises/?page=2")
        assert 'rel="prev"' in second
        cement = _page(client, "/enterprises/?sector=cement")
        assert cement.count("<tr>") == 2  # header row + one enterprise
    finally:
        client.application.config["PAGE_SIZE"] = 25


def test_password_change_checks_the_current_password(client, make_user):
    user = make_user("city", "131000")
    login(client, user.username)
    html = _page(client, "/account")
    resp = client.post("/account/password", data={"csrf_token": csrf_from(html), "current_password": "nope-nope-nope",
                                                  "new_password": "a-new-password-123"})
    assert resp.status_code == 422
    assert _errors_for(resp.get_data(as_text=True), "current_password")
    resp = client.post("/account/password", data={"csrf_token": csrf_from(html), "current_password": PASSWORD,
                                                  "new_password": "a-new-password-123"})
    assert resp.status_code == 302
