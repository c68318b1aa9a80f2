"""Issue 9 §5 — fifty people act on the same record at the same instant, over real HTTP, on PostgreSQL.

Each attempt is its own HTTP client with its own API token against a threaded server, so every
request has its own connection, transaction and database session. Exactly one attempt wins; every
other one gets 409 with a message in the user's language (Chinese here); one audit entry records
the success and no row is duplicated. Two people saving the same enterprise or line from the same
stale version: one 409, and the winner's change is not lost.

SQLite serialises writers (and one file cannot take fifty writers at once without "database is
locked"), so these run in the PostgreSQL pass only.
"""
from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.builders import ANCI
from tests.integration.reliability.conftest import at_once, is_translated

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers, so the attempts cannot overlap",
)

ATTEMPTS = 50


def _count(model, *where) -> int:
    from registry.extensions import db

    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audits(action: str, object_id: int) -> int:
    from registry.core.models import AuditEntry

    return _count(AuditEntry, AuditEntry.action == action, AuditEntry.object_id == object_id)


def _one_winner(results: list) -> tuple[int, list[dict]]:
    """Exactly one 200; the other 49 are 409 with a translated message; nothing else (no 500)."""
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * (len(results) - 1), codes
    losers = [r.json() for r in results if r.status_code == 409]
    for body in losers:
        assert body["code"] == "conflict", body
        assert is_translated(body["message"]), body
    return codes.count(200), losers


def _audit_chain_intact() -> None:
    from registry.core import audit

    checked, broken = audit.verify_chain()
    assert broken is None and checked > 0


def test_fifty_officials_approving_one_grade_application_exactly_one_wins(db_app, live_server, api_session, make_user,
                                                                          make_enterprise):
    from registry.extensions import db
    from registry.grades.models import GradeApplication, GradeDecision
    from tests.builders.grades import build_application

    county = make_user("county", ANCI)
    officials = [make_user("city", "131000") for _ in range(5)]
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "county_accepted", county=county)
    db.session.commit()
    app_id, version = app.id, app.version
    clients = [api_session(officials[i % len(officials)]) for i in range(ATTEMPTS)]
    url = f"{live_server}/api/v1/grade-applications/{app_id}/approve"

    results = at_once([lambda c=c: c.post(url, json={"version": version}, timeout=90) for c in clients])

    _one_winner(results)
    db.session.expire_all()
    assert db.session.get(GradeApplication, app_id).status == "publicity"
    assert _count(GradeDecision, GradeDecision.application_id == app_id) == 1
    assert _audits("grade.approve", app_id) == 1
    _audit_chain_intact()


def _user(username: str):
    from registry.accounts.models import User
    from registry.extensions import db

    return db.session.scalar(select(User).where(User.username == username))


def test_fifty_attempts_to_publish_one_schedule_version_exactly_one_wins(demo_city, live_server, api_session):
    from registry.extensions import db
    from registry.schedules import operations as ops
    from registry.schedules.models import ScheduleVersion

    city = _user("langfang")
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(city, schedule.id)
    db.session.commit()
    schedule_id, version_id = schedule.id, version.id
    versions_before = _count(ScheduleVersion, ScheduleVersion.schedule_id == schedule_id)
    clients = [api_session(city) for _ in range(ATTEMPTS)]
    body = {"filed_on": date(2017, 10, 1).isoformat(), "recipients": "廊坊市大气污染防治工作领导小组办公室"}
    url = f"{live_server}/api/v1/schedules/{schedule_id}/publish"

    results = at_once([lambda c=c: c.post(url, json=body, timeout=90) for c in clients])

    _one_winner(results)
    db.session.expire_all()
    assert db.session.get(ScheduleVersion, version_id).status == "published"
    assert _count(ScheduleVersion, ScheduleVersion.schedule_id == schedule_id) == versions_before
    assert _count(ScheduleVersion, ScheduleVersion.schedule_id == schedule_id, ScheduleVersion.status == "published") == 1
    assert _audits("schedule.publish", version_id) == 1
    _audit_chain_intact()


def test_fifty_attempts_to_file_one_emergency_list_version_exactly_one_wins(demo_city, live_server, api_session):
    from registry.emergency import operations as ops
    from registry.emergency.models import EmergencyList, ListEntry
    from registry.extensions import db

    city = _user("langfang")
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    list_id = lst.id
    lists_before, entries_before = _count(EmergencyList), _count(ListEntry, ListEntry.list_id == list_id)
    clients = [api_session(city) for _ in range(ATTEMPTS)]
    url = f"{live_server}/api/v1/emergency-lists/{list_id}/file"

    results = at_once([lambda c=c: c.post(url, timeout=90) for c in clients])

    _one_winner(results)
    db.session.expire_all()
    assert db.session.get(EmergencyList, list_id).status == "filed"
    assert _count(EmergencyList) == lists_before
    assert _count(ListEntry, ListEntry.list_id == list_id) == entries_before
    assert _audits("emergency.list.file", list_id) == 1
    _audit_chain_intact()


def _second_member(ent):
    """A second account of the same enterprise (two people of one company editing the registration)."""
    from registry.accounts.auth import SYSTEM
    from registry.accounts.models import User
    from registry.accounts.operations import create_user
    from registry.extensions import db
    from tests.builders import PASSWORD

    user = create_user(SYSTEM, {"username": f"colleague{ent.id}", "password": PASSWORD, "role": "enterprise"})
    db.session.get(User, user.id).enterprise_id = ent.id
    db.session.commit()
    return user


def test_two_people_saving_the_same_enterprise_from_one_version_one_409_no_lost_update(db_app, live_server, api_session,
                                                                                        make_enterprise):
    from registry.enterprises.models import Enterprise
    from registry.extensions import db
    from tests.builders import enterprise_payload

    ent, owner = make_enterprise(ANCI)
    colleague = _second_member(ent)
    a, b = api_session(owner), api_session(colleague)
    url = f"{live_server}/api/v1/enterprises/{ent.id}"
    read = a.get(url, timeout=30).json()
    version = read["version"]
    base = {k: v for k, v in enterprise_payload(1, ANCI).items()}
    base["uscc"] = read["uscc"]
    edits = [dict(base, contact_person="李四", version=version), dict(base, contact_person="王五", version=version)]

    results = at_once([lambda: a.put(url, json=edits[0], timeout=60), lambda: b.put(url, json=edits[1], timeout=60)])

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.status_code for r in results) == [200, 409], [(r.status_code, r.text[:200]) for r in results]
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    loser = results[1 - winner].json()
    assert loser["code"] == "conflict" and is_translated(loser["message"])
    db.session.expire_all()
    stored = db.session.get(Enterprise, ent.id)
    assert stored.contact_person == edits[winner]["contact_person"]  # the winner's edit is what is stored
    assert stored.version == version + 1
    # the loser reloads and saves again: now both changes are deliberate, nothing was silently overwritten
    again = (a, b)[1 - winner].put(url, json=dict(edits[1 - winner], version=stored.version), timeout=30)
    assert again.status_code == 200 and again.json()["contact_person"] == edits[1 - winner]["contact_person"]


def test_two_people_saving_the_same_line_from_one_version_one_409_no_lost_update(db_app, live_server, api_session,
                                                                                  make_enterprise):
    from registry.enterprises.models import ProductionLine
    from registry.extensions import db
    from tests.builders import line_payload

    ent, owner = make_enterprise(ANCI)
    colleague = _second_member(ent)
    a, b = api_session(owner), api_session(colleague)
    line_id = ent.lines[0].id
    url = f"{live_server}/api/v1/lines/{line_id}"
    version = a.get(url, timeout=30).json()["version"]
    edits = [dict(line_payload(), name="1号高炉（改）", version=version), dict(line_payload(), name="2号高炉", version=version)]

    results = at_once([lambda: a.put(url, json=edits[0], timeout=60), lambda: b.put(url, json=edits[1], timeout=60)])

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.status_code for r in results) == [200, 409], [(r.status_code, r.text[:200]) for r in results]
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    assert is_translated(results[1 - winner].json()["message"])
    db.session.expire_all()
    stored = db.session.get(ProductionLine, line_id)
    assert stored.name == edits[winner]["name"] and stored.version == version + 1
