"""Demo schedules: for each source jurisdiction's demo city, a published list and a draft under review.

Run by `flask seed` / `flask demo-data` after registry.demo has built the cities (not by build_demo itself,
whose callers create their own schedules). Through the operations, as an official would: create and generate
version 1, publish and file it, open version 2 (regenerated from today's facts) and let an enterprise of the
city apply for an exemption that waits for the official's decision. Skipped for a city whose schedule exists.
"""
from __future__ import annotations

from sqlalchemy import select

from registry.accounts.models import User
from registry.core.regions import region_prefix
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.facts import reviewed_enterprises
from registry.schedules import operations as ops
from registry.schedules import provenance
from registry.schedules.models import Schedule

# (official, region, pack, season, title, filing date, recipients, preferred applicant)
DEMO_SCHEDULES = (
    ("langfang", "131000", "langfang-2017-18", 2017, "廊坊市2017-2018年采暖季错峰生产清单", "2017-11-01",
     "廊坊市工业和信息化局、廊坊市环境保护局", "qiye"),
    ("shijiazhuang", "130100", "shijiazhuang-2018-20", 2018, "石家庄市2018-2019年采暖季错峰生产清单", "2018-11-01",
     "石家庄市工业和信息化局、石家庄市生态环境局", None),
    ("jiyuan", "419001", "jiyuan-2018-19", 2018, "济源市2018-2019年采暖季错峰生产清单", "2018-11-01",
     "济源市工业和信息化委员会、济源市环境保护局", None),
    ("jizhou", "120119", "jizhou-2018-19", 2018, "蓟州区2018-2019年采暖季错峰生产清单", "2018-11-01",
     "蓟州区工业和信息化局、蓟州区生态环境局", None),
)


def _user(username: str | None) -> User | None:
    return db.session.scalar(select(User).where(User.username == username)) if username else None


def _applicant(region: str, preferred: str | None) -> tuple[User, Enterprise] | None:
    """The printed demo enterprise if it is in the schedule, else the region's first scheduled enterprise (USCC order).
    A schedule holds approved registrations only (issue 14 point 10), so the applicant is one of them."""
    scheduled = {e.id for e in reviewed_enterprises(region_prefix=region_prefix(region)) if e.lines}
    user = _user(preferred)
    if user is not None and user.enterprise_id in scheduled:
        return user, db.session.get(Enterprise, user.enterprise_id)
    for ent in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(scheduled)).order_by(Enterprise.uscc)):
        owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
        if owner is not None and ent.lines:
            return owner, ent
    return None


def build_schedule_demo() -> dict[str, int]:
    counts = {"schedules": 0, "versions": 0, "applications": 0}
    for username, region, pack, season, title, filed_on, recipients, preferred in DEMO_SCHEDULES:
        official = _user(username)
        if official is None or db.session.scalar(select(Schedule).where(
                Schedule.region_code == region, Schedule.pack_id == pack, Schedule.season_year == season)) is not None:
            continue
        schedule = ops.create_schedule(official, {"region_code": region, "pack_id": pack, "season_year": season,
                                                  "title": title})
        ops.generate(official, schedule.id)
        ops.publish(official, schedule.id, {"filed_on": filed_on, "recipients": recipients})
        ops.new_version(official, schedule.id)
        counts["schedules"] += 1
        counts["versions"] += 2
        found = _applicant(region, preferred)
        if found is not None:
            owner, ent = found
            start, _end = provenance.season_bounds(pack, season)
            line = ent.lines[0]
            ops.apply(owner, schedule.id, ent.id, {
                "line_ref": line.code or str(line.id), "kind": "exemption", "clause": "X-04",
                "evidence": "承担居民供暖任务，附供热合同及主管部门证明。",
                "requested_start": start.replace(year=start.year + 1, month=1, day=1).isoformat(),
                "requested_end": start.replace(year=start.year + 1, month=2, day=1).isoformat()})
            counts["applications"] += 1
        db.session.flush()
    return counts
