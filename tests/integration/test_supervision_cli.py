"""R-V-05 (000:71): `flask supervision-listing` lists, within the official's scope, the counties whose enterprises'
automatic monitoring is below 90 % or where several enterprises exceed (issue 14 point 7)."""
from __future__ import annotations

import json

from registry.enterprises import operations as ops
from registry.extensions import db
from tests.builders import ANCI, line_payload


def test_county_with_low_transmission_is_listed_and_readings_cited(app, make_enterprise, make_user):
    official = make_user("city", "131000")
    ent, owner = make_enterprise(ANCI)
    ops.add_line(owner, ent.id, line_payload("B1", kind="boiler", fuel="coal", has_cems=True, cems_transmission_rate="85"))
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["supervision-listing", "--pack", "langfang-2017-18", "--user", official.username])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    row = next(r for r in rows if r["county"] == ANCI)
    assert row["listed"] and row["low_transmission"]
    assert any("county_rate_reading" in r["note"] for r in row["reasons"])


def test_enterprise_users_and_packs_without_the_clause_exit_2(app, make_user):
    member = make_user("enterprise")
    r = app.test_cli_runner().invoke(args=["supervision-listing", "--pack", "langfang-2017-18", "--user", member.username])
    assert r.exit_code == 2
    official = make_user("city", "131000")
    r = app.test_cli_runner().invoke(args=["supervision-listing", "--pack", "jjj-2019-20", "--user", official.username])
    assert r.exit_code == 2
