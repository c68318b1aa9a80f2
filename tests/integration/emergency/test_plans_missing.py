"""Issue 17: plan completeness and pre-filled plans.

- A new plan starts from the pack's minimum PER LEVEL for the enterprise's grade (read before the heating season,
  so the staggering measure is not repeated at every level): Langfang's electric foundry has nothing at blue and
  stops at yellow and above (000:131); under the 2019-20 pack an A line has nothing, a C line is curtailed (003:51).
- The season's filing deadline is a pack setting, cited (000:143, 001:93, 002:582; local settings in 003/004).
- `plans_missing` lists covered enterprises whose plan is missing, only drafted, or incomplete (a line without an
  entry at a level the pack names, R-A-03 003:50) — through the query, the page, the API (in the OpenAPI) and the CLI.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.demo import DEMO_PASSWORD
from registry.emergency import operations as ops
from registry.emergency import queries
from registry.emergency.completeness import filing_deadline, plans_missing
from registry.emergency.minimum import floors
from registry.enterprises import operations as eops
from registry.extensions import db
from registry.grades.current import EmergencyStanding
from registry.policy.packs import get_pack
from tests.api.world import bearer_headers
from tests.builders.http import login

pytestmark = pytest.mark.demo_city(per_city=12)
PACK = "langfang-2017-18"


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _owner(enterprise_id: int) -> User:
    return db.session.scalar(select(User).where(User.enterprise_id == enterprise_id))


def _file(ent, pack_id: str = PACK):
    entries = ops.prefill(_owner(ent.id), ent.id, pack_id)
    plan = ops.save_plan(_owner(ent.id), ent.id, {"pack_id": pack_id, "entries": entries})
    return ops.file_plan(_owner(ent.id), plan.id)


def test_prefill_is_the_alert_minimum_per_level_not_the_heating_season_measure(demo_city):
    """000:131: an electric foundry's plan starts with no measure at blue and a stop from yellow; Langfang steel is not
    pre-filled with the heating-season 50 % (000:129) at every level — that stays the order's floor on a
    heating-season day (R-O-03), not the plan's."""
    ents = queries.covered_enterprises("131000")
    foundry = next(e for e in ents if e.sector == "foundry" and e.lines[0].fuel in ("electricity", "natural_gas"))
    rows = {r["level"]: r["measure"] for r in ops.prefill(_owner(foundry.id), foundry.id, PACK)}
    assert rows == {"blue": "none", "yellow": "stop", "orange": "stop", "red": "stop"}
    steel = next((e for e in ents if e.sector == "steel"), None)
    if steel is not None:
        by_line: dict[int, set] = {}
        for r in ops.prefill(_owner(steel.id), steel.id, PACK):
            by_line.setdefault(r["line_id"], set()).add((r["measure"], r["percent"]))
        assert all(v != {("curtail", 50.0)} for v in by_line.values()), by_line


@pytest.mark.parametrize("grade,expected", [("A", "none"), ("B", "curtail"), ("C", "curtail")])
def test_the_2019_20_floor_per_level_follows_the_grade(demo_city, grade, expected):
    """003:51 (R-G-03/04/05): the plan's floor at each level for the line's grade — A nothing in principle, B and C
    the emergency-list measures (a C plan can never file 'no measure')."""
    pack = get_pack("jjj-2019-20")
    ent = next(e for e in queries.covered_enterprises("131000") if e.sector == "foundry")
    levels = ["yellow", "orange", "red"]
    got = floors(ent, pack, levels, EmergencyStanding({"foundry": grade}))
    assert {got[(ln.id, lv)].measure for ln in ent.lines for lv in levels} == {expected}
    if grade == "C":
        assert all("R-G-05 (003:51)" in got[(ln.id, lv)].clauses for ln in ent.lines for lv in levels)


def test_filing_deadlines_are_pack_settings_citing_their_clause():
    """F-15 / D-03, D-07, D-10: a deadline where the source states one, a local setting with its reason otherwise."""
    assert filing_deadline(get_pack("langfang-2017-18"), 2017)["date"] == date(2017, 9, 30)
    assert filing_deadline(get_pack("langfang-2017-18"), 2017)["source"] == "000:143"
    assert filing_deadline(get_pack("jizhou-2018-19"), 2018)["source"] == "001:93"
    assert filing_deadline(get_pack("jiyuan-2018-19"), 2018)["source"] == "002:582"
    for pack_id, year in (("jjj-2019-20", 2019), ("shijiazhuang-2018-20", 2019)):
        d = filing_deadline(get_pack(pack_id), year)
        assert d["local_setting"] and d["date"] == date(year, 10, 1) and "NOT FROM THE SOURCES" in d["note"]


def test_missing_draft_and_incomplete_plans_are_listed(demo_city):
    """R-A-03 (003:50): a filed plan covering every line at every level leaves the list; a draft is 'draft'; a line
    approved after the plan was filed makes it 'incomplete', naming the line and the levels."""
    ents = [e for e in queries.covered_enterprises("131000") if e.lines]
    before = {r["enterprise_id"]: r for r in plans_missing("131000")}
    assert set(before) == {e.id for e in ents} and {r["status"] for r in before.values()} == {"missing"}
    assert all(r["deadline"] == date(2017, 9, 30) and r["overdue"] for r in before.values())
    from registry.enterprises.models import Enterprise

    approved = [e for e in ents if db.session.get(Enterprise, e.id).status == "approved"]  # not amending now
    done, drafted = approved[0], next(e for e in ents if e.id != approved[0].id)
    plan = _file(done)
    ops.save_plan(_owner(drafted.id), drafted.id, {"pack_id": PACK, "entries": ops.prefill(_owner(drafted.id), drafted.id, PACK)})
    db.session.commit()
    after = {r["enterprise_id"]: r for r in plans_missing("131000")}
    assert done.id not in after and after[drafted.id]["status"] == "draft"
    # a new line, approved after the plan was filed
    owner = _owner(done.id)
    live = db.session.get(Enterprise, done.id)
    eops.reopen_registration(owner, done.id, {"version": live.version})
    line = eops.add_line(owner, done.id, {"code": "NEW1", "name": "新增生产线", "sector": live.sector, "kind": "boiler",
                                          "fuel": "natural_gas", "capacity": "1", "capacity_unit": "t/h"})
    eops.submit_registration(owner, done.id, {"version": live.version})
    official = _user("anci") if live.region_code == "131002" else _user("langfang")
    eops.approve_registration(official, done.id, {"version": live.version})
    db.session.commit()
    row = {r["enterprise_id"]: r for r in plans_missing("131000")}[done.id]
    assert row["status"] == "incomplete" and row["plan_id"] == plan.id
    assert row["missing"] == [{"line_id": line.id, "code": "NEW1", "name": "新增生产线",
                               "levels": ["blue", "yellow", "orange", "red"]}]
    assert not row["filed_late"] or row["filed_at"].year > 2017


def test_page_api_and_cli(demo_city, client, db_app):
    """The page for county and city officials, the API (in the OpenAPI) and `flask emergency plans-missing`."""
    n = len(plans_missing("131000"))
    login(client, "langfang", DEMO_PASSWORD)
    page = client.get("/emergency/plans-missing?region=131000")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="plans-missing"' in html and "2017-09-30" in html and html.count('data-status="missing"') == n
    assert 'id="plans-missing-link"' in client.get("/emergency/").get_data(as_text=True)
    client.get("/logout")
    ent = queries.covered_enterprises("131000")[0]
    login(client, _owner(ent.id).username, DEMO_PASSWORD)
    assert client.get("/emergency/plans-missing?region=131000").status_code == 403
    r = client.get("/api/v1/emergency-plans/missing?region=131000", headers=bearer_headers(_user("langfang")))
    assert r.status_code == 200 and r.json["pack"] == PACK and r.json["deadline"]["source"] == "000:143"
    assert len(r.json["items"]) == n and r.json["items"][0]["status"] == "missing"
    assert client.get("/api/v1/emergency-plans/missing?region=131000",
                      headers=bearer_headers(_user("shijiazhuang"))).status_code == 404
    assert client.get("/api/v1/emergency-plans/missing?region=131000&season=1999",
                      headers=bearer_headers(_user("langfang"))).status_code == 422
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/emergency-plans/missing" in spec["paths"] or "/emergency-plans/missing" in json.dumps(spec["paths"])
    out = db_app.test_cli_runner().invoke(args=["emergency", "plans-missing", "131000", "--as-user", "langfang"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{") and '"enterprise_id"' in x]
    assert len(rows) == n
    out = db_app.test_cli_runner().invoke(args=["emergency", "plans-missing", "131000", "--season", "2017"])
    assert out.exit_code == 0 and len([x for x in out.stdout.splitlines() if '"enterprise_id"' in x]) == n
    out = db_app.test_cli_runner().invoke(args=["emergency", "plans-missing", "131000", "--as-user", "shijiazhuang"])
    assert out.exit_code == 2 and "not_found" in out.output
