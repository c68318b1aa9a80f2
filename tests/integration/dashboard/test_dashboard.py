"""Issue 16, "Each role lands on a dashboard … After an approval or return, the official moves to the next item in
the queue": every demo role's dashboard through real HTTP, its counts checked against the demo data counted
independently (plain Python over the rows and the domains' own rules), scoping, and the queue."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from registry.demo import DEMO_PASSWORD
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades.models import GradeApplication
from tests.builders import ANCI, csrf_from, login

pytestmark = pytest.mark.demo_city(per_city=12)

GUANGYANG = "131003"  # another county of Langfang


def _person(app):
    """A test client for one person that starts every request with an empty `g`, as in production (db_app keeps an
    app context pushed: Flask-Login's user, flask-wtf's token and Flask-Babel's locale would carry over)."""
    from flask import g
    from flask.testing import FlaskClient

    class Person(FlaskClient):
        def open(self, *args, **kwargs):
            for key in list(vars(g)):
                delattr(g, key)
            return super().open(*args, **kwargs)

    return Person(app, app.response_class, use_cookies=True)


def _client(db_app, username: str, password: str = DEMO_PASSWORD):
    c = _person(db_app)
    r = login(c, username, password)
    assert r.status_code == 302, r.get_data(as_text=True)[-500:]
    return c


def _dashboard(c) -> str:
    r = c.get("/dashboard/")
    assert r.status_code == 200, r.get_data(as_text=True)[-1500:]
    return r.get_data(as_text=True)


def _panel(html: str, key: str) -> str:
    m = re.search(rf'<section[^>]*id="panel-{key}".*?</section>', html, re.S)
    assert m, f"no panel {key}"
    return m.group(0)


def _total(html: str, key: str) -> int:
    m = re.search(r'class="dash-total[^"]*" data-count="(\d+)"', _panel(html, key))
    assert m, f"panel {key} has no count"
    return int(m.group(1))


def _stat(html: str, key: str, label: str) -> int:
    m = re.search(rf"<dt>{re.escape(label)}</dt><dd data-value=\"(\d+)\"", _panel(html, key))
    assert m, f"panel {key} has no stat {label}"
    return int(m.group(1))


def _submitted_in(prefix: str) -> int:
    return sum(1 for e in db.session.scalars(select(Enterprise)) if e.region_code.startswith(prefix) and e.status == "submitted")


def _schedules_demo():
    from registry.schedules.demo import build_schedule_demo

    build_schedule_demo()
    db.session.commit()


@pytest.mark.parametrize(("username", "landing"), [
    ("anci", "/dashboard/"), ("langfang", "/dashboard/"), ("hebei", "/dashboard/"), ("jiyuan", "/dashboard/"),
    ("qiye", "/dashboard/"), ("admin", "/admin/users"), ("shenji", "/audit/")])
def test_every_role_lands_on_its_dashboard_after_login(demo_city, db_app, username, landing):
    """Issue 16: "Each role lands on a dashboard" — officials and enterprises on /dashboard/ (the nav's 工作台),
    the administrators (三员分立) on their own page."""
    c = _client(db_app, username)
    r = c.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith(landing), r.headers.get("Location")
    if landing == "/dashboard/":
        html = _dashboard(c)
        assert 'href="/dashboard/" aria-current="page"' in html  # the navigation names it
    else:
        assert c.get("/dashboard/").headers["Location"].endswith(landing)


def test_county_dashboard_counts_its_own_queue_and_never_another_countys(demo_city, db_app, make_enterprise):
    """County: registrations and grade applications waiting for its review, counted in its county only; a
    registration submitted in another county of the same city is counted by the city and the province, not by
    the county (scope, registry/accounts/scopes.py)."""
    from registry.accounts.models import User
    from registry.grades import auth as grade_auth

    anci = db.session.scalar(select(User).where(User.username == "anci"))
    html = _dashboard(_client(db_app, "anci"))
    assert _total(html, "registrations") == _submitted_in(ANCI) > 0
    to_review = [a for a in db.session.scalars(select(GradeApplication)) if grade_auth.can_review_documents(anci, a)]
    assert _stat(html, "grades", "核查材料") == len(to_review)
    assert all(a.region_code == ANCI for a in to_review)
    for item in re.findall(r'<li class="dash-item[^>]*>.*?</li>', _panel(html, "grades"), re.S):
        assert not re.search(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", "", item)), item  # labels, no English, no codes
    # the list is the city's (003:50): a Langfang county is not told to compile one; Jiyuan (no city above) is
    assert "尚未编制应急减排清单" not in _panel(html, "emergency")
    assert "尚未编制应急减排清单" in _panel(_dashboard(_client(db_app, "jiyuan")), "emergency")
    before = {who: _total(_dashboard(_client(db_app, who)), "registrations") for who in ("anci", "langfang", "hebei", "jiyuan")}

    make_enterprise(GUANGYANG, submitted=True)
    after = {who: _total(_dashboard(_client(db_app, who)), "registrations") for who in before}
    assert after == {"anci": before["anci"], "langfang": before["langfang"] + 1, "hebei": before["hebei"] + 1,
                     "jiyuan": before["jiyuan"]}
    assert after["langfang"] == _submitted_in("1310") and after["hebei"] == _submitted_in("13")


def test_city_dashboard_schedules_flags_plans_and_target_attainment(demo_city, db_app):
    """City: the city's registrations waiting, its schedule's status per season with the flags waiting for a
    decision, the exemption applications, the approved enterprises without a filed 一厂一策 plan, and the compiled
    list's target attainment per alert level as a chart whose names are labels (AlertLevel, Pollutant)."""
    import json

    from registry.accounts.models import User
    from registry.emergency import operations as em_ops
    from registry.emergency.models import EmergencyPlan
    from registry.schedules.models import ExemptionApplication, Schedule, ScheduleEntry

    _schedules_demo()
    langfang = db.session.scalar(select(User).where(User.username == "langfang"))
    lst = em_ops.compile_list(langfang, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    html = _dashboard(_client(db_app, "langfang"))
    assert _total(html, "registrations") == _submitted_in("1310")

    schedule = db.session.scalar(select(Schedule).where(Schedule.region_code == "131000"))
    draft = schedule.versions[-1]
    assert draft.status == "draft" and schedule.versions[0].status == "published"
    flags = sum(len(e.flags) for e in db.session.scalars(select(ScheduleEntry).where(ScheduleEntry.version_id == draft.id)))
    apps = sum(1 for a in db.session.scalars(select(ExemptionApplication)) if a.status == "submitted"
               and a.region_code.startswith("1310"))
    panel = _panel(html, "schedules")
    assert _total(html, "schedules") == flags + apps
    row = re.search(r'<tr data-status="draft">.*?</tr>', panel, re.S).group(0)
    assert schedule.title in row and "草稿" in row and "已发布" in row  # v2 in draft, v1 published
    assert re.findall(r'<td>(\d+)</td>', row)[-1] == str(flags)
    assert _stat(html, "schedules", "已发布的错峰生产方案") == 1

    filed = {p.enterprise_id for p in db.session.scalars(select(EmergencyPlan)) if p.status == "filed"
             and p.pack_id == "langfang-2017-18"}
    missing = sum(1 for e in db.session.scalars(select(Enterprise)) if e.region_code.startswith("1310")
                  and e.approved_at is not None and e.id not in filed)
    assert _total(html, "emergency") == missing > 0
    option = json.loads(re.search(r'<script type="application/json" id="option-emergency">(.*?)</script>',
                                  html, re.S).group(1))
    assert option["xAxis"]["data"] == ["蓝色预警", "黄色预警", "橙色预警", "红色预警"]  # Langfang has blue (000:149)
    names = [s["name"] for s in option["series"]]
    assert "二氧化硫" in names and all(re.search(r"[\u4e00-\u9fff]", n) for n in names), names
    assert f'href="/emergency/lists/{lst.id}"' in _panel(html, "emergency")


@pytest.mark.demo_city(per_city=40)  # enough approved Langfang enterprises for every demo grade state
def test_province_overview_one_row_per_city_with_the_citys_figures(demo_city, db_app):
    """Province: one row per city of its province — registrations waiting / approved, standing A/B/C grades (the
    one rule of registry/grades/current.py), schedules published — and no row of another province's city."""
    from registry.grades.current import effective_grades

    _schedules_demo()
    html = _dashboard(_client(db_app, "hebei"))
    panel = _panel(html, "province")
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-city="(\d{4})">(.*?)</tr>', panel, re.S)}
    assert {"1310", "1301"} <= set(rows) and not any(k.startswith(("41", "12")) for k in rows)
    ents = list(db.session.scalars(select(Enterprise)))
    grades = effective_grades()
    for city in ("1310", "1301"):
        cells = [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', rows[city])]
        mine = [e for e in ents if e.region_code.startswith(city)]
        standing = Counter(grades[e.id] for e in mine if e.id in grades)
        assert cells[:5] == [sum(e.status == "submitted" for e in mine), sum(e.status == "approved" for e in mine),
                             standing["A"], standing["B"], standing["C"]], (city, cells)
        assert cells[6] == 1  # each city's demo schedule was published once
    assert sum(Counter(grades.values()).values()) > 0  # the demo has standing grades to count
    assert 'id="option-province"' in panel


@pytest.mark.demo_city(per_city=40)
def test_enterprise_sees_todays_measures_and_what_its_applications_lack(demo_city, db_app, monkeypatch):
    """Enterprise: what I must do today (the published schedule's measures in force today, per line) and my
    applications — registration, grade application (returned: the county's reason), exemption — with what each
    still lacks."""
    from registry.accounts.models import User
    from registry.core import codes, timeutil
    from registry.schedules.models import Schedule, ScheduleEntry

    _schedules_demo()
    qiye = db.session.scalar(select(User).where(User.username == "qiye"))
    published = db.session.scalar(select(Schedule).where(Schedule.region_code == "131000")).versions[0]
    entries = [e for e in db.session.scalars(select(ScheduleEntry).where(ScheduleEntry.version_id == published.id))
               if e.enterprise_id == qiye.enterprise_id and e.measure != "none"]
    assert entries, "the printed demo enterprise has no measure in the published schedule"
    day: date = entries[0].phase_start
    monkeypatch.setattr(timeutil, "beijing_today", lambda: day)
    html = _dashboard(_client(db_app, "qiye"))
    today = _panel(html, "today")
    expected = {(e.line_ref, e.measure) for e in entries if e.phase_start <= day < e.phase_end}
    assert expected
    for line_ref, measure in expected:
        assert f"{line_ref} " in today and codes.label("Measure", measure) in today
    assert "豁免" in today and "待审批" in today  # its exemption application waits for the city
    registration = _panel(html, "registration")
    assert 'data-status="submitted"' in registration

    returned = db.session.scalar(select(GradeApplication).where(GradeApplication.status == "returned"))
    owner = db.session.scalar(select(User).where(User.enterprise_id == returned.enterprise_id))
    reason = next(v["reason"] for v in returned.county_review.values() if v.get("verdict") == "returned")
    mine = _panel(_dashboard(_client(db_app, owner.username)), "my_grades")
    assert 'data-status="returned"' in mine and reason in mine


def _post_from(c, page_url: str, action: str, data: dict):
    html = c.get(page_url).get_data(as_text=True)
    return c.post(action, data={**data, "csrf_token": csrf_from(html), "confirmed": "1"})  # past the confirmation (issue 16 item 3)


def test_after_approve_or_return_the_county_goes_to_the_next_registration_then_to_an_empty_queue(
        demo_city, db_app, make_enterprise):
    """Issue 16: "after approving, the county stays on the same record" — now it moves to the next registration
    waiting for it (oldest first), with a flash naming what was done, and back to the dashboard with 队列已清空 when
    none is left."""
    make_enterprise(ANCI, submitted=True)
    make_enterprise(ANCI, submitted=True)
    queue = [e for e in db.session.scalars(select(Enterprise).where(Enterprise.region_code == ANCI,
                                                                     Enterprise.status == "submitted")
                                            .order_by(Enterprise.submitted_at, Enterprise.id))]
    assert len(queue) >= 3
    c = _client(db_app, "anci")
    for i, ent in enumerate(queue):
        url = f"/enterprises/{ent.id}"
        action = "approve" if i % 2 == 0 else "return"
        r = _post_from(c, url, f"{url}/{action}", {"version": ent.version, "reason": "" if action == "approve" else "请补充排污许可证副本。"})
        assert r.status_code == 302, r.get_data(as_text=True)[-800:]
        page = c.get(r.headers["Location"]).get_data(as_text=True)
        assert ent.name in page  # the flash names the registration decided
        assert ("审核通过" if action == "approve" else "退回") in page
        if i + 1 < len(queue):
            assert r.headers["Location"].endswith(f"/enterprises/{queue[i + 1].id}")
            assert queue[i + 1].name in page
        else:
            assert r.headers["Location"].endswith("/dashboard/?cleared=1")
            assert 'id="queue-cleared"' in page and "队列已清空" in page
    db.session.expire_all()
    assert [db.session.get(Enterprise, e.id).status for e in queue] == [
        "approved" if i % 2 == 0 else "returned" for i in range(len(queue))]


def test_after_a_grade_review_and_approval_the_official_goes_on_through_the_queue(demo_city, db_app):
    """The queue of grade applications: the county accepts the documents and, with nothing else to review, lands
    on its dashboard (队列已清空); the city approves and lands on the next application waiting for it, or the
    dashboard."""
    from registry.accounts.models import User
    from registry.grades import dashboard as grade_dashboard

    app = db.session.scalar(select(GradeApplication).where(GradeApplication.status == "submitted"))
    c = _client(db_app, "anci")
    url = f"/grades/{app.id}"
    r = _post_from(c, url, f"{url}/review", {"version": app.version})
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    assert r.headers["Location"].endswith("/dashboard/?cleared=1")
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "队列已清空" in page and "材料已受理" in page  # what was done: the documents accepted
    db.session.expire_all()
    assert db.session.get(GradeApplication, app.id).status == "county_accepted"

    langfang = db.session.scalar(select(User).where(User.username == "langfang"))
    waiting = grade_dashboard.queue(langfang, "approve", limit=10)
    assert app.id in [a.id for a in waiting]
    c = _client(db_app, "langfang")
    r = _post_from(c, url, f"{url}/approve", {"version": db.session.get(GradeApplication, app.id).version})
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    rest = [a for a in waiting if a.id != app.id]
    if rest:
        assert r.headers["Location"].endswith(f"/grades/{rest[0].id}")
    else:
        assert r.headers["Location"].endswith("/dashboard/?cleared=1")
    db.session.expire_all()
    assert db.session.get(GradeApplication, app.id).status == "publicity"


def test_the_dashboard_reads_in_english_too(demo_city, db_app):
    """Issue 16: labels in the reader's language — English mode shows the same panels with English labels."""
    _schedules_demo()
    for who in ("langfang", "hebei", "qiye"):
        c = _client(db_app, who)
        html = c.get("/dashboard/?lang=en").get_data(as_text=True)
        assert "<h1>Dashboard</h1>" in html
    assert "Registrations waiting for review" in _client(db_app, "anci").get("/dashboard/?lang=en").get_data(as_text=True)


def test_no_code_and_no_english_on_any_dashboard_in_zh(demo_city, db_app):
    """Issue 16 item 2 on the dashboards: in zh, the text every demo role reads (scripts and attributes aside) holds
    no snake_case identifier, no rule id and no English word — labels from the registry and the catalog only."""
    from registry.accounts.models import User
    from registry.emergency import operations as em_ops

    _schedules_demo()
    langfang = db.session.scalar(select(User).where(User.username == "langfang"))
    em_ops.compile_list(langfang, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    for who in ("anci", "langfang", "hebei", "jiyuan", "jizhou", "shijiazhuang", "qiye"):
        html = _dashboard(_client(db_app, who))
        main = re.search(r'<main[^>]*>(.*)</main>', html, re.S).group(1)
        main = re.sub(r'<div class="flash.*?</div>', " ", main, flags=re.S)  # the welcome names the account: data
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", main, flags=re.S))
        assert not re.findall(r"\b[a-z]+_[a-z_]+\b|\bR-[A-Z]+-\d+|\b[A-Za-z]{4,}\b", text), (who, text)
