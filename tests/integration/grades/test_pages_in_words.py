"""Issue 16 — the grade pages in the reader's language (zh), through HTTP.

Review rows without `R-G-02 · local setting`, `(months)` or a version hash as main text; thresholds with ≤/≥ and
units, never empty; rule ids and the criteria's hash only in the 依据 detail (item 6). The 县（区）审核 column shows
the county's review once it happened (item 7). Errors name the field by its label (item 8). The officials' list
shows the standing grade — C after a fraud finding — with the proposed grade beside it while open (item 9). The
self-assessment starts from the registration and refuses impossible values next to the field, input kept
(item 10: a CEMS transmission rate of 150 % was scored A).
"""
from __future__ import annotations

import re

import pytest

from tests.builders import ANCI, csrf_from, login
from tests.builders.grades import STEEL_ANSWERS, build_application, person_client


def _visible(html: str) -> str:
    """Text a reader sees as the main text: no attributes, scripts, <code>, nor the 依据 details."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<details class=\"basis.*?</details>", " ", html, flags=re.S)
    html = re.sub(r"<code>.*?</code>", " ", html, flags=re.S)
    html = re.sub(r"<option[^>]*>.*?</option>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _form(answers: dict) -> dict:
    return {f"a-steel-{k}": (("yes" if v else "no") if isinstance(v, bool) else str(v)) for k, v in answers.items()}


def test_review_rows_in_words_and_the_county_review_column(db_app, make_user, make_enterprise):
    """Items 6 and 7: the county reads thresholds as "≤ 10 mg/m³" / "≥ 90 %", a bool threshold of any answer as
    "not required", no rule id, local-setting badge or hash in the main text; after the county accepts, its
    column names who, when and the outcome."""
    from registry.extensions import db

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "submitted", county=county)
    db.session.commit()
    me = person_client(db_app)
    login(me, county.username)
    html = _page(me, f"/grades/{app.id}")
    text = _visible(html)
    assert "A：≤ 10 mg/m³" in text and "B：≤ 20 mg/m³" in text  # steel PM (004:308 / 002:367)
    assert "A：≥ 90 %" in text  # CEMS transmission (001:107)
    assert not re.search(r"\bR-[A-Z]+-\d+", text), re.search(r"\bR-[A-Z]+-\d+", text)
    assert "local setting" not in text and "地方设定" not in text and "(months)" not in text and "months)" not in text
    assert not re.search(r"B：\s*(·|<br>|$)", text) and "B： " not in text.replace("B： ≤", "").replace("B： ≥", "")
    crit_hash = re.search(r"SHA-256 <code>([0-9a-f]{12})</code>", html)
    assert crit_hash and crit_hash.group(1) not in text  # the criteria's hash only in the 依据 detail
    assert 'title="R-G-02"' in html  # the rule id on hover, inside the detail
    assert 'id="county-review-summary"' not in html  # no review yet
    assert "≥ 3 个月" in text or "≥ 3 months" in text  # months in words (个月 once the zh catalog has it)
    from flask import g

    en = person_client(db_app)
    login(en, county.username)
    g.pop("_flask_babel", None)  # the pushed app context's g caches the locale (flask_babel)
    english = _visible(_page(en, f"/grades/{app.id}?lang=en"))
    g.pop("_flask_babel", None)
    assert "≤ 10 mg/m³" in english and "≥ 3 months" in english and "not required" in english

    from registry.grades import operations as ops

    ops.review_documents(county, app.id, {"version": app.version, "note": "材料齐全"})
    db.session.commit()
    html = _page(me, f"/grades/{app.id}")
    summary = re.search(r'id="county-review-summary">(.*?)</p>', html, flags=re.S).group(1)
    assert (county.full_name or county.username) in summary
    cells = re.findall(r'<td class="small county-review">(.*?)</td>', html, flags=re.S)
    assert cells and all((county.full_name or county.username) in c for c in cells)
    assert all(re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", c) for c in cells)


def test_a_returned_indicator_shows_the_reason_and_who_returned_it(db_app, make_user, make_enterprise):
    from registry.extensions import db

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "returned", county=county)
    db.session.commit()
    me = person_client(db_app)
    login(me, owner.username)
    html = _page(me, f"/grades/{app.id}")
    row = re.search(r'id="row-steel-clean_transport_share".*?</tr>', html, flags=re.S).group(0)
    cell = re.search(r'<td class="small county-review">(.*?)</td>', row, flags=re.S).group(1)
    assert "请补充铁路运输合同" in cell and (county.full_name or county.username) in cell


def test_errors_name_the_field_by_its_label(db_app, make_user, make_enterprise):
    """Item 8: submitting an incomplete self-assessment lists 大宗物料…比例：…, never steel.clean_transport_share."""
    from registry.extensions import db
    from registry.grades import operations as ops

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = ops.create_application(owner, {"enterprise_id": ent.id, "industries": {"steel": {"line_ids": [ent.lines[0].id]}}})
    db.session.commit()
    me = person_client(db_app)
    login(me, owner.username)
    page = _page(me, f"/grades/{app.id}")
    r = me.post(f"/grades/{app.id}/submit", data={"version": str(app.version), "csrf_token": csrf_from(page)})
    assert r.status_code == 422
    errors = re.search(r'id="errors">(.*?)</div>', r.get_data(as_text=True), flags=re.S).group(1)
    assert "大宗物料铁路、管道或新能源车辆运输比例：" in errors
    assert "steel." not in errors and "clean_transport_share" not in errors


def test_a_cems_rate_of_150_percent_is_refused_next_to_the_field_input_kept(db_app, make_user, make_enterprise):
    """Item 10: 150 % transmission, a negative concentration and 500 months of video are refused, each beside its
    field, the typed values kept in the form, nothing saved; the API says the same."""
    from registry.extensions import db
    from registry.grades import operations as ops
    from registry.grades.models import GradeApplication

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = ops.create_application(owner, {"enterprise_id": ent.id, "industries": {"steel": {"line_ids": [ent.lines[0].id]}}})
    db.session.commit()
    me = person_client(db_app)
    login(me, owner.username)
    page = _page(me, f"/grades/{app.id}")
    bad = dict(STEEL_ANSWERS, cems_transmission_rate=150, pm_mg_m3=-3, gate_video_months=500)
    r = me.post(f"/grades/{app.id}/answers", data={"version": str(app.version), "csrf_token": csrf_from(page), **_form(bad)})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for key, typed in (("cems_transmission_rate", "150"), ("pm_mg_m3", "-3"), ("gate_video_months", "500")):
        assert re.search(rf'id="a-steel-{key}" value="{re.escape(typed)}', html), key
        assert f'id="err-steel-{key}"' in html, key
    assert 'id="a-steel-clean_transport_share" value="60"' in html  # the valid answers are kept too
    errors = re.search(r'id="errors">(.*?)</div>', html, flags=re.S).group(1)
    assert "CEMS有效传输率：" in errors and "steel." not in errors
    db.session.expire_all()
    assert db.session.get(GradeApplication, app.id).industries["steel"]["answers"] == {}

    ok = me.post(f"/grades/{app.id}/answers", data={"version": str(app.version), "csrf_token": csrf_from(page),
                                                   **_form(dict(STEEL_ANSWERS, cems_transmission_rate=100))})
    assert ok.status_code == 302  # 100 % is the top of the range, still allowed


def test_the_self_assessment_starts_from_the_registration(db_app, make_user, make_enterprise):
    """Item 10: CEMS and its rate from the line, the fleet's China V+ share, the rail share, gate-video months and
    separate metering from the registration, marked as such; saving keeps them."""
    from registry.extensions import db
    from registry.grades import operations as ops
    from registry.grades.models import GradeApplication

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county, fleet_china4=2, fleet_china5=6, fleet_china6=2,
                                 rail_share="70", gate_video_retention_months=6, separate_metering=True)
    app = ops.create_application(owner, {"enterprise_id": ent.id, "industries": {"steel": {"line_ids": [ent.lines[0].id]}}})
    db.session.commit()
    me = person_client(db_app)
    login(me, owner.username)
    html = _page(me, f"/grades/{app.id}")
    assert 'id="prefill-note"' in html
    assert 'id="a-steel-cems_transmission_rate" value="95.0"' in html or 'id="a-steel-cems_transmission_rate" value="95"' in html
    assert re.search(r'id="a-steel-china5_or_better_share" value="80(\.0)?"', html)
    assert re.search(r'id="a-steel-clean_transport_share" value="70(\.0)?"', html)
    assert re.search(r'id="a-steel-gate_video_months" value="6"', html)
    cems = re.search(r'<select name="a-steel-cems_installed".*?</select>', html, flags=re.S).group(0)
    assert re.search(r'value="yes"\s+selected', cems)
    row = re.search(r'id="row-steel-cems_transmission_rate".*?</tr>', html, flags=re.S).group(0)
    assert "from-registration" in row
    assert "from-registration" not in re.search(r'id="row-steel-equipment_level".*?</tr>', html, flags=re.S).group(0)

    fields = dict(re.findall(r'name="(a-steel-[a-z0-9_]+)"[^>]*value="([^"]*)"', html))
    r = me.post(f"/grades/{app.id}/answers", data={"version": str(app.version), "csrf_token": csrf_from(html), **fields,
                                                   "a-steel-cems_installed": "yes", "a-steel-separate_metering": "yes"})
    assert r.status_code == 302
    db.session.expire_all()
    answers = db.session.get(GradeApplication, app.id).industries["steel"]["answers"]
    assert answers["cems_transmission_rate"] == 95 and answers["china5_or_better_share"] == 80
    assert answers["gate_video_months"] == 6 and answers["clean_transport_share"] == 70


def test_officials_list_shows_the_standing_grade_c_after_fraud(db_app, make_user, make_enterprise, later):
    """Item 9: an enterprise approved A … B, then downgraded to C for fraud (R-G-09, 003:17), is listed with C as
    its standing grade — not the application's grade — as the public list already shows."""
    from registry.extensions import db
    from registry.grades import operations as ops

    county = make_user("county", ANCI)
    city = make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    build_application(owner, ent, "effective", county=county, city=city)
    db.session.commit()
    later(30)
    ops.record_finding(county, ent.id, {"kind": "fraud", "reason": "评估数据造假"})
    db.session.commit()
    me = person_client(db_app)
    login(me, city.username)
    html = _page(me, "/grades/")
    row = re.search(rf"<tr><td><a href=\"/grades/\d+\">\d+</a></td>\s*<td><a[^>]*>{re.escape(ent.name)}</a>.*?</tr>", html, flags=re.S)
    assert row, "the enterprise's row"
    assert 'data-grade="C"' in row.group(0)
    assert re.search(r'<td class="proposed-grade">—</td>', row.group(0))  # the application is closed: nothing proposed


# ---- the demo data, as the demo's county and city officials read it ----

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RULE_ID = re.compile(r"\bR-[A-Z]+-\d+\b")
HASH = re.compile(r"\b[0-9a-f]{12,}\b")


@pytest.mark.demo_city(per_city=50)
@pytest.mark.parametrize("username", ["anci", "langfang"])
def test_demo_grade_list_and_review_pages_show_labels_not_codes(demo_city, username):
    """Every application the demo official can open, the list, the ungraded and public lists, and the enterprises'
    grade histories: no snake_case code, rule id, local-setting mark or hash in the
    main text (they stay in the 依据 details and on hover); the list's standing grade of the demo's enterprise
    downgraded for fraud is C (the public list's grade), whatever its application says."""
    from registry.demo import DEMO_PASSWORD

    me = person_client(demo_city)
    login(me, username, DEMO_PASSWORD)
    html = _page(me, "/grades/")
    ids = sorted(set(int(x) for x in re.findall(r'href="/grades/(\d+)"', html)))
    assert ids, html[-3000:]
    if username == "langfang":  # the city sees the demo's enterprise downgraded for fraud
        from sqlalchemy import select

        from registry.enterprises.models import Enterprise
        from registry.extensions import db
        from registry.grades.models import GradeDecision

        fraud = db.session.scalar(select(Enterprise.name).join(GradeDecision, GradeDecision.enterprise_id == Enterprise.id)
                                  .where(GradeDecision.kind == "fraud"))
        assert fraud, "the demo has a fraud finding"
        row = re.search(rf"<tr><td><a href=\"/grades/\d+\">\d+</a></td>\s*<td><a[^>]*>{re.escape(fraud)}</a>.*?</tr>", html, flags=re.S)
        assert row and 'data-grade="C"' in row.group(0), row and row.group(0)
        assert fraud in _page(me, "/public/grades")
    pages = [f"/grades/{app_id}" for app_id in ids] + ["/grades/", "/grades/ungraded", "/public/grades"]
    pages += sorted(set(re.findall(r'href="(/grades/enterprise/\d+)"', "".join(_page(me, p) for p in pages[:len(ids)]))))
    for url in pages:
        app_id = url
        text = _visible(_page(me, url))
        for pattern in (SNAKE, RULE_ID, HASH):
            found = pattern.search(text)
            assert not found, (app_id, found.group(0), text[max(0, found.start() - 80):found.end() + 80])
        assert "local setting" not in text and "地方设定" not in text and "(months)" not in text
        assert not re.search(r"[AB]：\s*(?:[AB]：|依据|$)", text)  # never an empty threshold


def test_a_refused_new_application_names_the_field_and_keeps_the_choice(db_app, make_user, make_enterprise):
    """Item 8 on the application form: no line chosen → "行业：…" (not `industries:`), the lines' selects as sent."""
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    me = person_client(db_app)
    login(me, owner.username)
    page = _page(me, "/grades/new")
    line_id = ent.lines[0].id
    r = me.post("/grades/new", data={f"line-{line_id}": "", "csrf_token": csrf_from(page)})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    alert = re.search(r'role="alert">(.*?)</div>', html, flags=re.S).group(1)
    assert "industries" not in alert and "行业：" in alert
    select = re.search(rf'<select name="line-{line_id}".*?</select>', html, flags=re.S).group(0)
    assert not re.search(r'value="steel"\s+selected', select)  # the "not graded" the user chose, not the sector
