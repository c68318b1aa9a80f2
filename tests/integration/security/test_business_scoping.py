"""Issue 13 L6 and L7: scoping of exemption applications; decisions on emergency proposals of a filed or older list.

Real HTTP through the app (Flask test client), on SQLite and PostgreSQL (TEST_DATABASE_URL).
"""
from __future__ import annotations

from registry.extensions import db
from tests.support import ANCI, GUANGYANG, login


def bearer(user) -> dict[str, str]:
    from registry.accounts.operations import create_token

    _token, secret = create_token(user, {"name": "t"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _apply(owner, schedule_id: int, enterprise_id: int, clause: str):
    from registry.schedules import operations as ops

    app = ops.apply(owner, schedule_id, enterprise_id, {
        "line_ref": "L1", "kind": "exemption", "clause": clause, "evidence": "民生保障证明",
        "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    db.session.commit()
    return app


def test_a_county_official_sees_only_its_countys_exemption_applications_on_the_citys_schedule(client, make_user, make_enterprise):
    """L6: on the city's (131000) schedule page, the 安次区 official saw 广阳区's applications too; now only its own,
    and another county's application answers 404 on its decision route."""
    from registry.schedules import operations as ops

    city = make_user("city", "131000")
    anci = make_user("county", ANCI)
    make_user("county", GUANGYANG)
    ent_a, owner_a = make_enterprise(ANCI, submitted=True)
    ent_g, owner_g = make_enterprise(GUANGYANG, submitted=True)
    schedule = ops.create_schedule(city, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    db.session.commit()
    _apply(owner_a, schedule.id, ent_a.id, "X-AAA-04")
    other = _apply(owner_g, schedule.id, ent_g.id, "X-GGG-04")

    login(client, anci.username)
    html = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert "X-AAA-04" in html
    assert "X-GGG-04" not in html
    r = client.post(f"/api/v1/schedule-applications/{other.id}/decision", json={"approve": False, "reason": "x", "version": 1},
                    headers=bearer(anci))
    assert r.status_code == 404

    client.post("/logout")
    login(client, city.username)
    html = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert "X-AAA-04" in html and "X-GGG-04" in html  # the city sees both
