"""Schedule pages as an official and an enterprise see them: calendar, summary charts, print notice, Excel."""
from __future__ import annotations

from registry.extensions import db
from registry.schedules import operations as ops
from tests.support import login


def _published(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(submitted=True)
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017,
                                              "title": "廊坊市错峰生产清单"})
    version = ops.generate(official, schedule.id)
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局、市环保局"})
    db.session.commit()
    return official, ent, owner, schedule, version


def test_official_sees_gantt_per_sector_and_summary_charts(client, make_user, make_enterprise):
    _o, ent, _owner, _s, version = _published(make_user, make_enterprise)
    login(client, "lf.city")
    html = client.get(f"/schedules/versions/{version.id}/calendar").get_data(as_text=True)
    assert 'class="gantt-sector" data-sector="steel"' in html
    assert html.count('class="bar"') == len(version.entries)
    assert 'class="bar-chart"' in html


def test_enterprise_prints_its_notice_and_downloads_its_lines(client, make_user, make_enterprise):
    _o, ent, owner, schedule, version = _published(make_user, make_enterprise)
    login(client, owner.username)
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert f"/schedules/versions/{version.id}/notice/{ent.id}" in page
    notice = client.get(f"/schedules/versions/{version.id}/notice/{ent.id}")
    assert notice.status_code == 200 and ent.uscc in notice.get_data(as_text=True)
    assert "市工信局、市环保局" in notice.get_data(as_text=True)
    xlsx = client.get(f"/schedules/versions/{version.id}/export.xlsx")
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(BytesIO(xlsx.data)).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[2:]] == [ent.uscc] * len(version.entries)
