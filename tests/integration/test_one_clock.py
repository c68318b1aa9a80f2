"""Issue 16 — one clock: every page, export and notice shows Beijing time (Asia/Shanghai), never the UTC the
database stores. The test walks the demo's pages and downloads as each role and fails on any stamp that is a
stored instant written in UTC: every date-time column's values, formatted to the minute, are the UTC stamps
to look for (the demo is built within a minute or two, so no UTC stamp coincides with a Beijing one 8 h on)."""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.demo_city(per_city=6)

STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})")


def _utc_stamps() -> set[str]:
    from sqlalchemy import select

    from registry.core.types import UTCDateTime
    from registry.extensions import db

    stamps: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                for value in db.session.scalars(select(column).where(column.is_not(None)).distinct()):
                    stamps.add(value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M"))
    return stamps


def _texts(response) -> list[str]:
    """What a person reads in the response: the HTML or CSV as text, every cell of a workbook."""
    kind = response.headers.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(response.get_data()))
        out = []
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python():
                for value in row:
                    if isinstance(value, datetime):
                        out.append(value.strftime("%Y-%m-%d %H:%M"))
                    elif value is not None:
                        out.append(str(value))
        return out
    # <time datetime="…+00:00"> is for machines, its offset stated; what a person reads is the element's text
    return [re.sub(r'\sdatetime="[^"]*"', "", response.get_data(as_text=True))]


def _paths(role: str) -> list[str]:
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.emergency.models import EmergencyList
    from registry.enterprises.models import Enterprise
    from registry.extensions import db
    from registry.grades.models import GradeApplication
    from registry.schedules.models import ScheduleEntry, ScheduleVersion

    versions = list(db.session.scalars(select(ScheduleVersion).order_by(ScheduleVersion.id)))
    published = [v.id for v in versions if v.status == "published"]
    own = db.session.scalar(select(User.enterprise_id).where(User.username == "qiye"))
    lf = [e for e in db.session.scalars(select(Enterprise.id).where(Enterprise.region_code.startswith("1310"),
                                                                   Enterprise.submitted_at.is_not(None)))]
    apps = list(db.session.scalars(select(GradeApplication.id)))
    lists = list(db.session.scalars(select(EmergencyList.id)))
    public = ["/public/grades", "/public/grades.xlsx", "/public/schedules/"]
    public += [p for v in published for p in (f"/public/schedules/{v}", f"/public/schedules/{v}/export.xlsx")]
    if role == "":
        return public
    if role == "qiye":
        noticed = [v.id for v in versions if db.session.scalar(
            select(ScheduleEntry.id).where(ScheduleEntry.version_id == v.id, ScheduleEntry.enterprise_id == own).limit(1))]
        return [f"/enterprises/{own}", f"/enterprises/{own}/history", "/grades/", "/schedules/", "/account", "/account/tokens",
                "/exchange/export/all"] + [f"/schedules/versions/{v}/notice/{own}" for v in noticed]
    if role == "langfang":
        out = ["/enterprises/", "/audit/", "/audit/export.csv", "/grades/", "/grades/export/applications.xlsx",
               "/grades/export/decisions.xlsx", "/grades/export/objections.xlsx", "/schedules/", "/emergency/",
               "/supervision/", "/supervision/export.xlsx", "/supervision/export.csv", "/exchange/export/all", "/account/tokens"]
        out += [p for e in lf[:4] for p in (f"/enterprises/{e}", f"/enterprises/{e}/history")]
        out += [f"/grades/{a}" for a in apps]
        out += [p for v in versions for p in (f"/schedules/versions/{v.id}/export.xlsx", f"/schedules/{v.schedule_id}")]
        out += [p for ls in lists for p in (f"/emergency/lists/{ls}", f"/emergency/lists/{ls}/export.xlsx",
                                             f"/emergency/lists/{ls}/orders", f"/emergency/lists/{ls}/orders.xlsx")]
        return out
    if role == "admin":
        return ["/admin/users"] + [f"/admin/users/{u}/edit" for u in db.session.scalars(select(User.id).limit(5))]
    if role == "anquan":
        return ["/security/"] + [f"/security/users/{u}" for u in db.session.scalars(select(User.id).limit(5))]
    if role == "shenji":
        return ["/audit/", "/audit/export.csv", "/audit/verify"]
    return []


@pytest.mark.parametrize("role", ["", "qiye", "langfang", "admin", "anquan", "shenji"])
def test_no_page_export_or_notice_shows_a_utc_stamp(demo_city, client, role):
    from registry.demo import DEMO_PASSWORD
    from tests.builders import login

    utc = _utc_stamps()
    assert utc, "the demo stores instants"
    if role:
        assert login(client, role, DEMO_PASSWORD).status_code == 302
    client.get("/lang/zh")
    shown_utc, visited = [], 0
    for path in _paths(role):
        response = client.get(path)
        if response.status_code != 200:
            continue
        visited += 1
        for text in _texts(response):
            for day, minute in STAMP.findall(text):
                if f"{day} {minute}" in utc:
                    shown_utc.append((path, f"{day} {minute}"))
    assert visited
    assert not shown_utc, sorted(set(shown_utc))[:20]


def test_an_instant_exported_as_a_day_is_its_day_in_beijing():
    """The grade exports write submission and decision instants as days: 23:30 UTC is the next day in Beijing."""
    from datetime import date

    from registry.grades.export import _beijing_day

    assert _beijing_day(datetime(2026, 12, 5, 23, 30, tzinfo=timezone.utc)) == date(2026, 12, 6)
    assert _beijing_day(date(2026, 12, 5)) == date(2026, 12, 5)
