"""Issue 17: every covered enterprise gets an order at every level its pack names — its filed 一厂一策 entry where one
is at least the pack's minimum, otherwise the pack's minimum (R-O-01/02/03, 003:50-51) — through the engine's batch
path, which must answer what the per-enterprise path answers."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.emergency import operations as ops
from registry.emergency import queries
from registry.emergency.orders import alert_orders, area_orders
from registry.extensions import db
from registry.grades.current import emergency_standing
from registry.policy.engine import evaluate_enterprise
from registry.policy.facts import enterprise_facts
from registry.policy.packs import get_pack

pytestmark = pytest.mark.demo_city(per_city=16)

CITIES = {"langfang-2017-18": ("131000", date(2018, 1, 10)), "shijiazhuang-2018-20": ("130100", date(2019, 1, 10)),
          "jiyuan-2018-19": ("419001", date(2019, 1, 10)), "jizhou-2018-19": ("120119", date(2019, 1, 10))}


def _levels(pack_id: str) -> list[str]:
    return [lv.value for lv in get_pack(pack_id).alert_levels if lv.value != "none"]


def _owner(enterprise_id: int) -> User:
    return db.session.scalar(select(User).where(User.enterprise_id == enterprise_id))


@pytest.mark.parametrize("pack_id", sorted(CITIES))
def test_every_covered_enterprise_gets_an_order_equal_to_the_per_enterprise_decision(demo_city, pack_id):
    """R-A-03 (003:50, 减排措施全覆盖): no plan is filed, yet every approved enterprise with lines gets an order at
    every level, each line the engine's decision for it (batch == one by one), source 'pack', cited R-O-02."""
    region, on = CITIES[pack_id]
    covered = [e for e in queries.covered_enterprises(region) if e.lines]
    assert covered
    standing = emergency_standing([e.id for e in covered])
    for level in _levels(pack_id):
        orders = area_orders(pack_id, on, level, [region])
        assert [o["enterprise_id"] for o in sorted(orders, key=lambda o: o["enterprise_id"])] == [e.id for e in covered]
        by_id = {o["enterprise_id"]: o for o in orders}
        for ent in covered:
            extra = standing[ent.id].facts() if ent.id in standing else None
            one = evaluate_enterprise(enterprise_facts(ent, on=on, extra=extra), pack_id, on, level)
            order = by_id[ent.id]
            assert len(order["lines"]) == len(one["lines"]) == len(ent.lines)
            for item, line in zip(order["lines"], one["lines"]):
                assert item["source"] == "pack" and item["reasons"][0]["rule"] == "R-O-02"
                assert (item["measure"], item["percent"], item["percent_max"], item["basis"]) == (
                    line["measure"], line["percentage_min"], line["percentage_max"], line["basis"]), (ent.name, level)
                assert [r["rule"] for r in item["reasons"][1:]] == [r["rule"] for r in line["reasons"]]
            assert order["transport"] == one["summary"]["transport"]


def test_langfang_electric_and_gas_foundries_and_grinding_stations_stop_without_a_plan(demo_city):
    """000:131 (R-LF-02): electric and natural-gas foundry furnaces stop at yellow and above; 000:133 (R-LF-03):
    cement grinding lines stop during alerts — with no plan filed, the order says stop and cites the clause."""
    seen = set()
    for level in ("yellow", "orange", "red"):
        for o in area_orders("langfang-2017-18", date(2018, 1, 10), level, ["131000"]):
            for item in o["lines"]:
                if item["sector"] == "foundry" and item["name"] == "熔炼生产线":
                    ent_lines = {ln.id: ln for ln in queries.covered_enterprises(ids=[o["enterprise_id"]])[0].lines}
                    if ent_lines[item["line_id"]].fuel in ("electricity", "natural_gas"):
                        assert item["measure"] == "stop" and "R-LF-02" in {r["rule"] for r in item["reasons"]}, item
                        seen.add(("foundry", level))
                if item["code"] == "FM1" and item["sector"] == "cement":
                    assert item["measure"] == "stop" and "R-LF-03" in {r["rule"] for r in item["reasons"]}, item
                    seen.add(("cement", level))
    assert {s for s, _ in seen} >= {"foundry"}, seen
    if any(e.sector == "cement" for e in queries.covered_enterprises("131000")):  # approved in this demo draw
        assert {s for s, _ in seen} == {"foundry", "cement"}, seen


def test_a_filed_plan_is_the_order_and_a_weaker_entry_gives_way_to_the_pack(demo_city):
    """R-O-01 (003:50): the filed plan's entry at the level is the order; R-O-03 (003:51): an entry weaker than the
    pack's minimum (here: written into the list as 'none' by hand) gives way to the minimum."""
    pack_id, (region, on) = "langfang-2017-18", CITIES["langfang-2017-18"]
    ent = next(e for e in queries.covered_enterprises(region) if e.sector == "foundry"
               and any(ln.fuel in ("electricity", "natural_gas") for ln in e.lines))
    entries = ops.prefill(_owner(ent.id), ent.id, pack_id)
    for e in entries:  # stricter than the pack at red: stop everything
        if e["level"] == "red":
            e["measure"], e["percent"], e["key_indicators"] = "stop", 100, "全部停产"
    plan = ops.save_plan(_owner(ent.id), ent.id, {"pack_id": pack_id, "entries": entries})
    ops.file_plan(_owner(ent.id), plan.id)
    (order,) = area_orders(pack_id, on, "red", enterprise_ids=[ent.id])
    assert all(i["source"] == "plan" and i["measure"] == "stop" and i["key_indicators"] == "全部停产"
               for i in order["lines"])
    assert order["lines"][0]["reasons"][0]["rule"] == "R-O-01"
    lst = ops.compile_list(db.session.scalar(select(User).where(User.username == "langfang")),
                           {"region_code": region, "pack_id": pack_id})
    orders = {o["enterprise_id"]: o for o in alert_orders(lst, on, "red")}
    assert len(orders) == len({e.enterprise_id for e in lst.entries})
    assert all(i["source"] == "plan" for i in orders[ent.id]["lines"])
    others = [o for eid, o in orders.items() if eid != ent.id]
    assert others and all(i["source"] == "pack" for o in others for i in o["lines"])
    for e in lst.entries:  # a draft list edited below the pack's minimum (000:131 stops the furnace at red)
        if e.enterprise_id == ent.id and e.level == "red":
            e.measure, e.percent = "none", 0
    db.session.flush()
    weaker = {o["enterprise_id"]: o for o in alert_orders(lst, on, "red")}[ent.id]
    assert all(i["source"] == "pack" and i["measure"] == "stop" and i["reasons"][0]["rule"] == "R-O-03"
               and "R-LF-02" in {r["rule"] for r in i["reasons"]} for i in weaker["lines"]), weaker


@pytest.mark.parametrize("grade", ["A", "B", "C"])
def test_2019_20_pack_grade_orders_at_every_level(demo_city, grade):
    """003:51 (R-G-03/04/05) under the 2019-20 pack: A takes no measure in principle; B and C are curtailed per the
    emergency list at yellow, orange and red — never 'no measure' for C (the notice's 该级别下无生产线措施)."""
    ents = [e for e in queries.covered_enterprises("131000") if e.sector == "foundry"][:2]
    assert ents
    # every standing grade replaced by `grade` for this pack's question (a list's frozen grades do the same)
    from registry.emergency.models import EmergencyList, ListEntry

    lst = EmergencyList(region_code="131000", pack_id="jjj-2019-20", pack_sha256="x", engine_version="t")
    lst.entries = [ListEntry(enterprise_id=e.id, line_id=ln.id, level=lv, measure="none", origin="none", grade=grade)
                   for e in ents for ln in e.lines for lv in _levels("jjj-2019-20")]
    for level in _levels("jjj-2019-20"):
        for o in alert_orders(lst, date(2019, 12, 10), level):
            assert o["grade"] == grade
            for item in o["lines"]:
                rules = {r["rule"] for r in item["reasons"]}
                if grade == "A":
                    assert item["measure"] == "none" and "R-G-03" in rules, item
                else:
                    assert item["measure"] != "none" and {"R-G-04" if grade == "B" else "R-G-05"} <= rules, item
