"""Issue 18 item 4: the schedule page, calendar and diff read aggregates and one page of entries from the database.

Each aggregate read (queries.summary_of, flagged_of, filed_ratio_lines_of, unfiled_of, gantt_rows, diff_rows,
entry_count, a page of entry_rows) must give exactly what the former Python over every entry gave, for the
official of the schedule's region and for a county official reading a city's schedule (scoped to the county)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from registry.schedules import calendar, diffing, queries
from registry.schedules import operations as ops
from tests.builders import login

CASES = {"131000": ("langfang", "anci", "langfang-2017-18", 2017), "419001": ("jiyuan", None, "jiyuan-2018-19", 2018)}


def _user(username):
    from registry.accounts.models import User

    return db.session.scalar(select(User).where(User.username == username))


def _approx(summary: dict) -> dict:
    return dict(summary, capacity_affected={m: {u: pytest.approx(v) for u, v in units.items()}
                                            for m, units in summary["capacity_affected"].items()})


@pytest.mark.parametrize("region", sorted(CASES))
def test_aggregates_equal_the_python_over_every_entry(demo_city, region):
    """summary/flags/filed ratios/unfiled/count/page/gantt/diff by SQL = the Python over all entries (issue 18 item 4)."""
    city_name, county_name, pack, season = CASES[region]
    city = _user(city_name)
    schedule = ops.create_schedule(city, {"region_code": region, "pack_id": pack, "season_year": season})
    version = ops.generate(city, schedule.id)
    db.session.commit()
    readers = [city] + ([_user(county_name)] if county_name else [])
    for actor in readers:
        rows = queries.entry_dicts(queries.entries(actor, version))
        assert rows, "the demo city has lines"
        assert queries.summary_of(actor, version) == _approx(queries.summary(rows))
        assert queries.flagged_of(actor, version) == queries.flagged(rows)
        everyone_flagged = queries.flagged(rows)
        for size in (1, 2, 25):  # the decision list's pages joined = every (entry, flag) row
            pages = [queries.flagged_page_of(actor, version, n, size) for n in range(1, len(everyone_flagged) // size + 3)]
            assert [r for items, _total in pages for r in items] == everyone_flagged
            assert {total for _items, total in pages} == {len(everyone_flagged)}
        assert queries.filed_ratio_lines_of(actor, version) == queries.filed_ratio_lines(rows)
        assert queries.unfiled_of(actor, version) == queries.unfiled_for_rows(rows)
        assert queries.entry_count(actor, version) == len(rows)
        assert queries.entry_rows(actor, version, offset=2, limit=3) == rows[2:5]
        for limit in (1, 3, calendar.GANTT_LINES):
            assert (calendar.gantt(queries.gantt_rows(actor, version, limit), version.season_start, version.season_end, limit)
                    == calendar.gantt(rows, version.season_start, version.season_end, limit))
        assert (diffing.diff([], queries.diff_rows(actor, version)) == diffing.diff([], rows)
                and diffing.diff(queries.diff_rows(actor, version), []) == diffing.diff(rows, []))
    if county_name:  # the county reads its own part of the city's schedule
        assert queries.entry_count(readers[1], version) < queries.entry_count(city, version)


def test_schedule_page_shows_the_count_and_the_second_page(client, demo_city):
    """The page's total and summary come from the database; ?page=2 shows the entries after the first 50."""
    from registry.schedules.views import ENTRY_PAGE

    city = _user("langfang")
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(city, schedule.id)
    db.session.commit()
    rows = queries.entry_rows(city, version)
    login(client, "langfang", DEMO_PASSWORD)
    html = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert f'data-lines="{queries.summary(rows)["lines"]}"' in html and f"({len(rows)})" in html
    if len(rows) > ENTRY_PAGE:
        second = client.get(f"/schedules/{schedule.id}?page=2").get_data(as_text=True)
        assert rows[ENTRY_PAGE]["line_ref"] in second
    calendar_page = client.get(f"/schedules/versions/{version.id}/calendar")
    assert calendar_page.status_code == 200


def test_the_public_page_reads_one_page_of_a_published_list(client, demo_city):
    """The public page of a published version: the count from the database, the page's rows (issue 18 item 4)."""
    city = _user("langfang")
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(city, schedule.id)
    ops.publish(city, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局"})
    db.session.commit()
    rows = queries.entry_rows(None, version)
    html = client.get(f"/public/schedules/{version.id}").get_data(as_text=True)
    assert rows and all(r["uscc"] in html for r in rows[:50]) and html.count("<tr") == min(len(rows), 50) + 1
