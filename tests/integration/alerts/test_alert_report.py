"""Issue 17 "after each episode": the report's numbers for a small built episode (duration and levels, orders
issued / delivered / read / acknowledged, capacity stopped and curtailed, reductions vs targets from the filed
list), scoping (a city never sees another city's episodes; the province sees all of its own), and the monthly
report's due date (D-20, 001:121)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.alerts import operations as ops
from registry.alerts import report
from registry.alerts.models import AlertOrder
from registry.core.errors import NotFound
from registry.core.timeutil import utcnow
from registry.emergency import operations as eops
from registry.emergency import queries as equeries
from registry.enterprises.models import ProductionLine
from registry.extensions import db
from registry.policy.packs import get_pack, pack_for_region

pytestmark = pytest.mark.demo_city(per_city=8)


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def build_episode(region="131000", official="langfang", first="orange", then="red", ack=2, with_list=True):
    """Issued at t0 (first level), changed at t0+4 h, lifted at t0+10 h; `ack` receipts on the second step."""
    me = _user(official)
    if with_list:
        lst = eops.compile_list(me, {"region_code": region, "pack_id": pack_for_region(region)})
        eops.file_list(me, lst.id)
        db.session.commit()
    t0 = (utcnow() - timedelta(days=2)).replace(microsecond=0)
    ep0 = ops.issue(me, {"scope": "city", "region_code": region, "level": first, "starts_at": t0,
                         "expected_end_at": t0 + timedelta(hours=48), "doc_number": "测〔2026〕1号"})
    ops.change_level(me, ep0.id, {"level": then, "at": t0 + timedelta(hours=4)})
    db.session.commit()
    orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep0.id, AlertOrder.window_end.is_(None))
                                .order_by(AlertOrder.id)).all()
    for order in orders[:ack]:
        owner = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id).order_by(User.id))
        ops.open_order(owner, order.id)
        ops.acknowledge(owner, order.id, {"note": "收到"})
    ops.lift(me, ep0.id, {"at": t0 + timedelta(hours=10), "clear_hours": 48})
    db.session.commit()
    return ep0, t0


def test_episode_report_numbers(demo_city):
    """Duration and levels from the level history; orders counted per step; capacity = the orders' stop/curtail
    lines × the line's capacity by sector; reductions = the filed list's totals at each level in force."""
    ep, t0 = build_episode()
    r = report.episode_report(ep)
    assert r["hours_per_level"]["orange"] == pytest.approx(4.0) and r["hours_per_level"]["red"] == pytest.approx(6.0)
    assert r["duration_hours"] == pytest.approx(10.0) and r["peak_level"] == "red" and r["levels"] == ["orange", "red"]
    orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).all()
    enterprises = {o.enterprise_id for o in orders}
    assert r["enterprises"] == len(enterprises) > 0
    total = r["orders"]["total"]
    assert total["issued"] == len(orders) == 2 * len(enterprises)  # one order per enterprise per level step
    assert total["delivered"] == len(orders)  # the in-app inbox delivers every order
    assert total["read"] == 2 and total["acknowledged"] == 2
    assert total["ack_rate"] == pytest.approx(round(100 * 2 / len(orders), 1))
    assert sum(c["issued"] for c in r["orders"]["counties"]) == len(orders)
    assert {c["region_code"] for c in r["orders"]["counties"]} == {o.region_code for o in orders}

    # capacity, recomputed from the ORM objects, step by step
    for step in r["capacity"]:
        expect: dict[tuple[str, str], list[float]] = {}
        for o in orders:
            if o.level != step["level"]:
                continue
            for ln in o.content["lines"]:
                if ln["measure"] not in ("stop", "curtail"):
                    continue
                line = db.session.get(ProductionLine, ln["line_id"])
                e = expect.setdefault((ln["sector"], line.capacity_unit), [0.0, 0.0, 0.0])
                cap = float(line.capacity or 0)
                e[0 if ln["measure"] == "stop" else 1] += cap
                e[2] += cap if ln["measure"] == "stop" else cap * float(ln["percent"] or 0) / 100
        got = {(s["sector"], s["unit"]): [s["stopped_capacity"], s["curtailed_capacity"], s["withheld_capacity"]]
               for s in step["sectors"]}
        assert got.keys() == expect.keys()
        for k, v in expect.items():
            assert got[k] == pytest.approx(v, abs=1e-2)
    assert any(step["sectors"] for step in r["capacity"]), "no stop or curtail at orange/red in the demo city"

    # reductions: the filed list's own totals at each level
    (city,) = r["reductions"]
    lst = report.filed_list("131000", ep.pack_id)
    assert city["list_id"] == lst.id and [lv["level"] for lv in city["levels"]] == ["orange", "red"]
    for lv in city["levels"]:
        t = equeries.totals(lst, get_pack(ep.pack_id), lv["level"])
        want = {p.pollutant: (round(p.percent, 2), p.target_percent, p.met) for p in t.pollutants}
        assert {p["pollutant"]: (p["percent"], p["target_percent"], p["met"]) for p in lv["pollutants"]} == want


def test_report_without_a_filed_list_says_so(demo_city):
    ep, _ = build_episode(with_list=False)
    (city,) = report.episode_report(ep)["reductions"]
    assert city["list_id"] is None and city["levels"] == []


def test_scoping_city_and_province(demo_city, client):
    """A city never sees another city's episode report; the province sees all of its cities' episodes."""
    lf, _ = build_episode("131000", "langfang", with_list=False)
    sjz, _ = build_episode("130100", "shijiazhuang", first="yellow", then="orange", with_list=False)
    with pytest.raises(NotFound):
        ops.get_episode(_user("shijiazhuang"), lf.id)
    assert {e.id for e in report.visible_episodes(_user("langfang"))} == {lf.id}
    province = report.summary(_user("hebei"))
    assert {c["region_code"] for c in province["cities"]} == {"131000", "130100"}
    by = {c["region_code"]: c for c in province["cities"]}
    assert by["131000"]["days"]["red"] == pytest.approx(0.25) and by["130100"]["days"]["orange"] == pytest.approx(0.25)
    assert {c["region_code"] for c in report.summary(_user("langfang"))["cities"]} == {"131000"}
    assert sjz.id not in {e["episode"].id for e in report.summary(_user("langfang"))["episodes"]}


def test_monthly_due_date_and_clipping(demo_city):
    """D-20 (001:121): the month's report is due on the 25th (of the following month, when the month is complete);
    days per level are clipped to the calendar month in Beijing time."""
    assert report.due_date(2026, 11) == date(2026, 12, 25)
    assert report.due_date(2026, 12) == date(2027, 1, 25)
    ep, t0 = build_episode(with_list=False)
    bj = t0.astimezone(report.BEIJING)
    m = report.monthly(_user("langfang"), bj.year, bj.month)
    assert m["due"] == report.due_date(bj.year, bj.month) and m["totals"]["episodes"] == 1
    start, end = report.month_bounds(bj.year, bj.month)
    inside = min(t0 + timedelta(hours=10), end) - max(t0, start)
    days = sum(m["totals"]["days"].values())
    assert days == pytest.approx(inside.total_seconds() / 86400, abs=0.01)  # days rounded to 2 places
    other = report.monthly(_user("langfang"), 2020, 1)
    assert other["totals"]["episodes"] == 0 and other["cities"] == []
    with pytest.raises(ValueError):
        report.parse_month("2026-13")
    assert report.month_bounds(2026, 2)[1] == datetime(2026, 3, 1, tzinfo=report.BEIJING).astimezone(timezone.utc)


def test_county_monthly_report_counts_its_own_enterprises(demo_city):
    """A county official's monthly report (D-20: the district reports) shows the city's episode that covered it and
    only the orders of its own enterprises."""
    ep, t0 = build_episode(with_list=False)
    bj = t0.astimezone(report.BEIJING)
    county = _user("anci")
    m = report.monthly(county, bj.year, bj.month)
    orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).all()
    mine = [o for o in orders if o.region_code == county.region_code]
    assert m["region_code"] == county.region_code and m["totals"]["episodes"] == 1
    assert mine and m["totals"]["issued"] == len(mine) < len(orders)
