"""`flask seed` gives each source jurisdiction's demo city a published schedule and a draft under review."""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.schedules import operations as ops
from registry.schedules.demo import DEMO_SCHEDULES, build_schedule_demo
from registry.schedules.models import ExemptionApplication, Schedule


def test_seed_builds_a_published_version_and_a_draft_with_a_pending_application_per_city(db_app):
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "demo schedules: 4" in result.output
    schedules = {s.region_code: s for s in db.session.scalars(select(Schedule))}
    assert set(schedules) == {region for _u, region, *_rest in DEMO_SCHEDULES}
    for schedule in schedules.values():
        v1, v2 = schedule.versions
        assert v1.published and v1.filed_on and v1.recipients and v1.entries
        assert not v2.published and v2.supersedes_id == v1.id and len(v2.entries) == len(v1.entries)
        assert ops.out_of_date(v1) == {"changed": [], "added": [], "removed": []}
        pending = db.session.scalars(select(ExemptionApplication).where(ExemptionApplication.schedule_id == schedule.id)).all()
        assert [a.status for a in pending] == ["submitted"]
    # the printed demo enterprise (qiye, Langfang 安次区) is the Langfang applicant: its journey works from a fresh clone
    from registry.accounts.models import User

    qiye = db.session.scalar(select(User).where(User.username == "qiye"))
    lf = db.session.scalar(select(ExemptionApplication).join(Schedule).where(Schedule.region_code == "131000"))
    assert lf.enterprise_id == qiye.enterprise_id
    assert build_schedule_demo()["schedules"] == 0  # once only
