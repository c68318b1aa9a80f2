"""Schedule pages as an official and an enterprise see them: calendar, summary charts, print notice, Excel."""
from __future__ import annotations

from registry.extensions import db
from registry.schedules import operations as ops
from tests.builders import login


def _published(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
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


def test_codes_are_shown_as_labels_and_publishing_asks_for_a_recent_password(client, make_user, make_enterprise):
    """Application kind/status, basis and flag choices through labels; publishing and deciding need a fresh login."""
    official = make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    ops.generate(official, schedule.id)
    app = ops.apply(owner, schedule.id, ent.id, {"line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "供热合同",
                                                  "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    db.session.commit()
    login(client, "lf.city")
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    row = page[page.index('<tr data-status="submitted">'):]
    row = row[:row.index("</tr>")]
    assert "<td>exemption" not in row and "<td>submitted</td>" not in row
    from registry.schedules.labels import application_kind, application_status

    assert application_kind("exemption") in row and application_status("submitted") in row
    # the password was checked more than REAUTH_MAX_AGE ago: publish and decide go to /reauth first, nothing happens
    with client.session_transaction() as sess:
        sess["_auth_at"] -= 11 * 60
    from tests.builders import csrf_from

    token = csrf_from(page)
    back = f"/schedules/{schedule.id}#publish"
    response = client.post(f"/schedules/{schedule.id}/publish", data={"csrf_token": token, "filed_on": "2017-11-01",
                                                                      "recipients": "市工信局", "back": back})
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    response = client.post(f"/schedules/applications/{app.id}/decide", data={"csrf_token": token, "approve": "1",
                                                                             "reason": "同意", "version": app.row_version})
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    db.session.expire_all()
    assert not ops.latest_version(schedule).published and app.status == "submitted"
    from tests.builders import PASSWORD

    reauth = client.get(response.headers["Location"])
    done = client.post("/reauth", data={"csrf_token": csrf_from(reauth.get_data(as_text=True)), "password": PASSWORD,
                                        "next": back})
    assert done.status_code == 302 and done.headers["Location"].endswith(back)
    response = client.post(f"/schedules/{schedule.id}/publish", data={"csrf_token": token, "filed_on": "2017-11-01",
                                                                      "recipients": "市工信局", "confirmed": "1"})
    assert response.status_code == 302 and "/reauth" not in response.headers["Location"]
    db.session.expire_all()
    assert ops.latest_version(schedule).published


def test_the_generate_form_starts_on_the_officials_own_pack_and_its_season(client, make_user):
    """A Langfang official starts on Langfang's pack, a Shijiazhuang one on Shijiazhuang's — not on the
    alphabetically first city's pack."""
    for username, region, pack in [("lf.form", "131000", "langfang-2017-18"),
                                   ("sjz.form", "130100", "shijiazhuang-2018-20")]:
        make_user("city", region, username=username)
        login(client, username)
        html = client.get("/schedules/?lang=en").get_data(as_text=True)
        assert f'<option value="{pack}" selected>' in html
        assert html.count(" selected>") == 1
        assert 'name="season_year" type="number" required min="2000" max="2100" value="20' in html
        client.post("/logout")
