"""Two city officials approve the same application at the same instant: exactly one wins (optimistic locking).

Both read the application at the same version and pass the state check; a barrier holds each until
the other has too; then both write. The loser's UPDATE … WHERE version = n matches no row
(StaleDataError) and the answer is a 409 with a clear message; one set of decisions exists.
"""
from __future__ import annotations

import os
import threading

import pytest

from tests.builders import ANCI
from tests.builders.grades import build_application

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers, so the two approvals cannot overlap",
)


def test_two_officials_approving_at_once_exactly_one_wins(db_app, make_user, make_enterprise, token_for_grades):
    from sqlalchemy import func, select

    from registry.core import timeutil
    from registry.extensions import db
    from registry.grades.models import GradeApplication, GradeDecision

    county = make_user("county", ANCI)
    city_a, city_b = make_user("city", "131000"), make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "county_accepted", county=county)
    db.session.commit()
    app_id, version = app.id, app.version
    headers = [token_for_grades(city_a), token_for_grades(city_b)]

    barrier = threading.Barrier(2, timeout=10)
    real_today = timeutil.beijing_today

    def today_after_both_checked():
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real_today()

    timeutil.beijing_today = today_after_both_checked
    results: list[tuple[int, dict]] = []

    def approve(h):
        client = db_app.test_client()
        r = client.post(f"/api/v1/grade-applications/{app_id}/approve", json={"version": version}, headers=h)
        results.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=approve, args=(h,)) for h in headers]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        timeutil.beijing_today = real_today

    assert sorted(s for s, _ in results) == [200, 409], results
    loser = next(body for s, body in results if s == 409)
    assert loser["code"] == "conflict" and loser["message"]
    db.session.expire_all()
    assert db.session.get(GradeApplication, app_id).status == "publicity"
    assert db.session.scalar(select(func.count()).select_from(GradeDecision).where(GradeDecision.application_id == app_id)) == 1
