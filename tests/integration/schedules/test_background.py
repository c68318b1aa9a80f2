"""Background generation from the pages (runner.py): real worker threads on the real database.

The request returns at once, progress is readable meanwhile, the draft appears when done; a second
generation of the same schedule while one runs gets a 409; a failure is recorded on the version with a
message the official sees and leaves no partial rows; a generation whose worker died can be started again.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.schedules import generation, runner, storage
from registry.schedules import operations as ops
from registry.schedules.models import ScheduleEntry, ScheduleVersion
from tests.builders import csrf_from, login


@pytest.fixture()
def background(db_app):
    db_app.config["SCHEDULE_BACKGROUND"] = True
    try:
        yield
    finally:
        for vid in list(runner._threads):
            runner.wait(vid, 60)
        db_app.config.pop("SCHEDULE_BACKGROUND", None)


@pytest.fixture()
def city(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    for _ in range(3):
        make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    db.session.commit()
    return official


def _post(client, url, data=None):
    token = csrf_from(client.get("/schedules/").get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def _entries(version_id):
    with db.engine.connect() as conn:  # what is committed, seen from outside the test's session
        return conn.scalar(select(func.count()).select_from(ScheduleEntry.__table__)
                           .where(ScheduleEntry.__table__.c.version_id == version_id))


def _hold(monkeypatch):
    """Make generation wait at the evaluation step until released (to observe a running generation)."""
    entered, release = threading.Event(), threading.Event()
    real = generation.generate_entries

    def held(*args, **kwargs):
        entered.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(generation, "generate_entries", held)
    return entered, release


def test_page_returns_at_once_shows_progress_and_the_draft_appears(client, city, background, monkeypatch):
    entered, release = _hold(monkeypatch)
    login(client, "lf.city")
    response = _post(client, "/schedules/", {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": "2017"})
    assert response.status_code == 302
    schedule_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert entered.wait(30), "the worker thread started"
    status = client.get(f"/schedules/{schedule_id}/progress.json").get_json()
    assert status["running"] and status["state"] == "evaluating" and status["total"] == 9 and status["done"] == 3
    page = client.get(f"/schedules/{schedule_id}").get_data(as_text=True)
    assert 'id="generation" data-running="1"' in page and "schedule_progress.js" in page and 'id="publish"' not in page
    # a second generation of the same schedule while this one runs: a clear 409
    again = _post(client, f"/schedules/{schedule_id}/generate")
    assert again.status_code == 409
    assert "already running" in again.get_data(as_text=True) or "正在" in again.get_data(as_text=True)
    release.set()
    version_id = status["version_id"]
    runner.wait(version_id)
    status = client.get(f"/schedules/{schedule_id}/progress.json").get_json()
    assert not status["running"] and status["state"] == "done" and status["done"] == status["total"] == 9
    assert _entries(version_id) == 3
    page = client.get(f"/schedules/{schedule_id}").get_data(as_text=True)
    assert 'id="generation"' not in page and 'id="publish"' in page


def test_failure_is_recorded_for_the_official_and_nothing_partial_is_kept(client, city, background, monkeypatch):
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    first = ops.generate(city, schedule.id)
    db.session.commit()
    before = _entries(first.id)
    assert before == 3
    real = storage.insert_entries

    def half_then_crash(version_id, rows):  # half the entries are written, then the process "fails"
        real(version_id, rows[: len(rows) // 2])
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage, "insert_entries", half_then_crash)
    login(client, "lf.city")
    assert _post(client, f"/schedules/{schedule.id}/generate").status_code == 302
    runner.wait(first.id)
    db.session.expire_all()
    assert _entries(first.id) == before, "the failed generation's rows were rolled back"
    status = client.get(f"/schedules/{schedule.id}/progress.json").get_json()
    assert status["state"] == "failed" and "RuntimeError" in status["error"]
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'id="generation-error"' in page and 'id="publish"' not in page
    published = _post(client, f"/schedules/{schedule.id}/publish", {"filed_on": "2017-11-01", "recipients": "市工信局"})
    assert published.status_code == 409
    # fixed: generating again works and clears the failure
    monkeypatch.setattr(storage, "insert_entries", real)
    assert _post(client, f"/schedules/{schedule.id}/generate").status_code == 302
    runner.wait(first.id)
    db.session.expire_all()
    assert runner.status(db.session.get(ScheduleVersion, first.id))["state"] == "done"


def test_two_claims_at_once_one_wins_and_a_dead_worker_can_be_replaced(db_app, city):
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.open_version(city, schedule.id)
    db.session.commit()
    vid = version.id  # read here: the test's session must not be touched from the threads
    results, barrier = [], threading.Barrier(2)

    def claim():
        try:
            with db_app.app_context():
                barrier.wait()
                won = runner._claim(vid)
                time.sleep(0.2)  # hold the row (PostgreSQL) / the write lock (SQLite) a moment
                db.session.commit()
                results.append(won)
        except Exception as err:  # shown by the assertion below
            results.append(repr(err))

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results, key=str) == [False, True], results
    db.session.expire_all()
    assert ops.generation_running(db.session.get(ScheduleVersion, version.id))
    # the worker died (no heartbeat for longer than STALE_AFTER): shown as interrupted, and claimable again
    table = ScheduleVersion.__table__
    with db.engine.begin() as conn:
        from registry.core.timeutil import utcnow

        conn.execute(table.update().where(table.c.id == version.id)
                     .values(generation_heartbeat=utcnow() - runner.STALE_AFTER - timedelta(minutes=1)))
    db.session.expire_all()
    stale = db.session.get(ScheduleVersion, version.id)
    assert not ops.generation_running(stale) and runner.status(stale)["state"] == "failed"
    assert runner._claim(version.id)
    db.session.commit()
