"""Issue 16 — what enterprises see: the schedule in force (the latest published version), not the draft nor a
printable notice of the draft, unless the draft was *sent* to them — it carries the decision on their own
application (schedules/auth.py draft_sent_to); and their city's filed emergency measures for their own lines
and their alert-day orders ("我的应急减排措施"), which were 404. Scoped: own enterprise only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.schedules import operations as ops
from tests.builders import login


def _schedule(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017,
                                              "title": "廊坊市错峰生产清单"})
    published = ops.generate(official, schedule.id)
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局"})
    draft = ops.new_version(official, schedule.id)
    db.session.commit()
    return official, ent, owner, schedule, published, draft


def test_an_enterprise_lands_on_the_published_version_and_cannot_open_the_draft(client, make_user, make_enterprise):
    _o, ent, owner, schedule, published, draft = _schedule(make_user, make_enterprise)
    login(client, owner.username)
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert f'data-number="{published.number}"' in page and 'data-status="published"' in page
    assert f"version={draft.id}" not in page  # the draft is not even listed
    assert f"/schedules/versions/{published.id}/notice/{ent.id}" in page
    listing = client.get("/schedules/").get_data(as_text=True)
    assert f"v{published.number}" in listing and f"v{draft.number}" not in listing
    for url in (f"/schedules/{schedule.id}?version={draft.id}", f"/schedules/versions/{draft.id}/notice/{ent.id}",
                f"/schedules/versions/{draft.id}/export.xlsx", f"/schedules/versions/{draft.id}/calendar"):
        assert client.get(url).status_code == 404, url
    api = client.get(f"/api/v1/schedules/{schedule.id}").get_json()
    assert api["latest"]["id"] == published.id
    assert client.get(f"/api/v1/schedule-versions/{draft.id}/entries").status_code == 404


def test_a_draft_carrying_the_decision_on_the_enterprises_application_is_sent_to_it(client, make_user, make_enterprise):
    official, ent, owner, schedule, published, draft = _schedule(make_user, make_enterprise)
    app = ops.apply(owner, schedule.id, ent.id, {"line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "供热合同",
                                                  "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    ops.decide_application(official, app.id, {"version": app.row_version, "approve": True, "reason": "符合条件"})
    ops.generate(official, schedule.id)  # the draft now applies the approval
    db.session.commit()
    login(client, owner.username)
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'data-status="published"' in page and f"version={draft.id}" in page  # offered, not opened
    sent = client.get(f"/schedules/{schedule.id}?version={draft.id}")
    assert sent.status_code == 200
    body = sent.get_data(as_text=True)
    assert 'id="draft-notice"' in body and 'id="notice-link"' not in body
    assert client.get(f"/schedules/versions/{draft.id}/notice/{ent.id}").status_code == 404  # never a draft's notice
    # another enterprise of the city was sent nothing
    _other, stranger = make_enterprise(approved_by=make_user("county", "131002"))
    db.session.commit()
    login(client, stranger.username)
    assert client.get(f"/schedules/{schedule.id}?version={draft.id}").status_code == 404


def test_officials_still_land_on_the_draft(client, make_user, make_enterprise):
    _o, _ent, _owner, schedule, _published, draft = _schedule(make_user, make_enterprise)
    login(client, "lf.city")
    assert 'data-status="draft"' in client.get(f"/schedules/{schedule.id}").get_data(as_text=True)


@pytest.mark.demo_city(per_city=6)
def test_my_emergency_measures_and_my_alert_day_order(demo_city, client):
    """A Jiyuan enterprise reads its lines' measures per level in the filed list and its own alert-day order;
    a draft list, the list page, other enterprises' orders and other enterprises stay closed to it."""
    from registry.accounts.models import User
    from registry.demo import DEMO_PASSWORD
    from registry.emergency import operations as eops
    from registry.emergency import queries
    from registry.policy.packs import get_pack

    official = db.session.scalar(select(User).where(User.username == "jiyuan"))
    pack = get_pack("jiyuan-2018-19")
    covered = queries.covered_enterprises("419001")
    ent, other = covered[0], covered[1]
    owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
    outsider = db.session.scalar(select(User).where(User.enterprise_id == other.id))
    plan = eops.save_plan(owner, ent.id, {"pack_id": pack.id, "entries": eops.prefill(owner, ent.id, pack.id)})
    eops.file_plan(owner, plan.id)
    lst = eops.compile_list(official, {"region_code": "419001", "pack_id": pack.id})
    db.session.commit()
    on = max(pack.period_start, pack.heating_season_window(pack.period_start).start).isoformat()

    login(client, owner.username, DEMO_PASSWORD)
    assert client.get(f"/emergency/lists/{lst.id}/orders?date={on}&level=red").status_code == 404  # a draft list
    assert 'id="no-filed-list"' in client.get("/emergency/mine").get_data(as_text=True)

    eops.file_list(official, lst.id)
    db.session.commit()
    mine = client.get("/emergency/mine")
    assert mine.status_code == 200
    html = mine.get_data(as_text=True)
    assert f'id="list-{lst.id}"' in html and ent.lines[0].code in html and other.name not in html
    order = client.get(f"/emergency/lists/{lst.id}/orders?date={on}&level=red")
    assert order.status_code == 200
    body = order.get_data(as_text=True)
    assert f'id="notice-{ent.id}"' in body and f'id="notice-{other.id}"' not in body and other.name not in body
    # another enterprise's notice by its id: not found, like anything it may not see (auth.can_view_own_notice)
    assert client.get(f"/emergency/lists/{lst.id}/orders?date={on}&level=red&enterprise_id={other.id}").status_code == 404
    assert client.get(f"/emergency/lists/{lst.id}").status_code == 404  # the list itself stays the officials'
    assert client.get(f"/emergency/lists/{lst.id}/export.xlsx").status_code == 404
    assert client.get(f"/emergency/lists/{lst.id}/orders.xlsx?date={on}&level=red").status_code == 404

    client.post("/logout")
    login(client, outsider.username, DEMO_PASSWORD)
    if not any(e.enterprise_id == other.id for e in lst.entries):  # an enterprise the list does not name
        assert client.get(f"/emergency/lists/{lst.id}/orders?date={on}&level=red").status_code == 404
    else:
        assert f'id="notice-{ent.id}"' not in client.get(f"/emergency/lists/{lst.id}/orders?date={on}&level=red").get_data(as_text=True)
