"""`flask seed` gives every source jurisdiction's demo city an emergency-list journey: its official compiles
the list with the city's pack (and the regional 2019-20 pack where the city is one of the 2+26), sees totals
against the pack's targets, closes a shortfall with the optimizer, accepts, gets the next version, the alert-day
orders and the Excel file; enterprises with approved registrations can file a plan at the pack floor."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import select

from grading.packs import get_pack
from registry.accounts.models import User
from registry.emergency import operations as ops
from registry.emergency import queries
from registry.emergency.export import to_xlsx
from registry.emergency.orders import alert_orders
from registry.extensions import db
from registry.policy.emergency import emergency_levels

JOURNEYS = [("langfang", "131000", "langfang-2017-18"), ("langfang", "131000", "jjj-2019-20"),
            ("shijiazhuang", "130100", "shijiazhuang-2018-20"), ("shijiazhuang", "130100", "jjj-2019-20"),
            ("jiyuan", "419001", "jiyuan-2018-19"), ("jizhou", "120119", "jizhou-2018-19"),
            ("jizhou", "120119", "jjj-2019-20")]


pytestmark = pytest.mark.demo_city(per_city=14)


@pytest.mark.parametrize(("username", "region", "pack_id"), JOURNEYS, ids=[f"{u}-{p}" for u, _r, p in JOURNEYS])
def test_demo_city_journey(demo_city, username, region, pack_id):
    official = db.session.scalar(select(User).where(User.username == username))
    pack = get_pack(pack_id)
    covered = queries.covered_enterprises(region)
    assert covered, f"no approved demo registration in {region}"
    ent = covered[0]
    owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
    plan = ops.save_plan(owner, ent.id, {"pack_id": pack.id, "entries": ops.prefill(owner, ent.id, pack.id)})
    ops.file_plan(owner, plan.id)
    lst = ops.compile_list(official, {"region_code": region, "pack_id": pack.id})
    db.session.commit()
    assert lst.entries and {e.level for e in lst.entries} == set(emergency_levels(pack))
    if not (pack.section("emergency") or {}).get("ratios"):
        # Jiyuan: 002 names no reduction ratios (they sit in the city's emergency plan, 002:575, not a source):
        # the list still carries baselines (R-A-02, 330/120/365 days), orders and the file; nothing to optimize.
        assert all(p.target_percent is None for p in queries.totals(lst, pack, "red").pollutants)
        assert queries.totals(lst, pack, "red").days.annualised
        on = max(pack.period_start, pack.heating_season_window(pack.period_start).start)
        assert alert_orders(lst, on, "red")
        ops.file_list(official, lst.id)
        db.session.commit()
        return
    short = [lvl for lvl in emergency_levels(pack) if not queries.totals(lst, pack, lvl).met]
    assert short, "the demo city reaches every target before any proposal: nothing to optimize"
    report = ops.propose(official, lst.id, short[-1], time_limit=10)
    assert report.reaches_targets, (pack_id, report.status, report.shortfall)
    for p in queries.proposals_of(lst.id):
        ops.decide_proposal(official, p.id, {"decision": "accept"})
    new = ops.apply_proposals(official, lst.id)
    db.session.commit()
    assert queries.totals(new, pack, short[-1]).met
    on = max(pack.period_start, pack.heating_season_window(pack.period_start).start)
    orders = alert_orders(new, on, short[-1])
    assert orders and any(o["lines"] for o in orders)
    sheets = pd.read_excel(io.BytesIO(to_xlsx(new, pack)), sheet_name=None, engine="calamine")
    assert len(sheets) == 1 + len(emergency_levels(pack))
    ops.file_list(official, new.id)
    db.session.commit()


@pytest.mark.parametrize(("region", "pack_id"), [("131000", "langfang-2017-18"), ("130100", "shijiazhuang-2018-20"),
                                                 ("419001", "jiyuan-2018-19"), ("120119", "jizhou-2018-19")])
def test_plan_page_starts_on_the_regions_pack_and_its_prefill_saves(demo_city, client, region, pack_id):
    """Before any list exists, an enterprise's plan form opens on its own city's pack, pre-filled at the floor
    (a curtailment without a pack percentage gets the line's first allowed step), and saves as it is."""
    from tests.builders import csrf_from, login

    ent = queries.covered_enterprises(region)[0]
    owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
    from registry.demo import DEMO_PASSWORD

    login(client, owner.username, DEMO_PASSWORD)
    page = client.get(f"/emergency/enterprises/{ent.id}/plan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'name="pack_id" value="{pack_id}"' in html
    entries = ops.prefill(owner, ent.id, pack_id)
    assert all(e["measure"] != "curtail" or e["percent"] > 0 for e in entries)
    ops.save_plan(owner, ent.id, {"pack_id": pack_id, "entries": entries})
    assert csrf_from(html)
