"""The synthetic generator (issue 19 item 1): normal days, an episode and a known set of violators of each kind; a
plain reference detector over the store (baseline.compare and SQL) finds exactly the planted truth — so the
compliance checks, whatever their thresholds, have an unambiguous truth to be asserted against."""
from __future__ import annotations

from datetime import date

import pyarrow as pa

from registry.readings import baseline
from registry.readings.store import ReadingsStore
from registry.readings.synthetic import VIOLATIONS, plan_province
from registry.readings.synthetic import generate as generate_readings


def _loaded(tmp_path, n=60, per_kind=2):
    plan = plan_province(n, ["131000", "130100"], first_day=date(2026, 11, 23), normal_days=14, episode_days=3,
                         violators_per_kind=per_kind, seed=7)
    store = ReadingsStore(tmp_path)
    tables: dict[str, list] = {}
    for kind, _city, _day, table in generate_readings(plan):
        tables.setdefault(kind, []).append(table)
    for kind, parts in tables.items():
        store.append(kind, pa.concat_tables(parts))
    return plan, store


def test_every_kind_is_planted_on_distinct_enterprises(tmp_path):
    plan = plan_province(200, ["131000"], first_day=date(2026, 11, 23), violators_per_kind=3)
    kinds = [v.kind for v in plan.truth]
    assert sorted(set(kinds)) == sorted(VIOLATIONS) and all(kinds.count(k) == 3 for k in VIOLATIONS)
    assert len({v.enterprise_id for v in plan.truth}) == len(plan.truth)
    again = plan_province(200, ["131000"], first_day=date(2026, 11, 23), violators_per_kind=3)
    assert [v.as_dict() for v in again.truth] == [v.as_dict() for v in plan.truth]  # deterministic


def test_reference_detector_finds_exactly_the_truth(tmp_path):
    plan, store = _loaded(tmp_path)
    found: set[tuple[str, int]] = set()
    by_id = {e.enterprise_id: e for e in plan.enterprises}
    cmp = {(r["key"], r["meter_id"]): r for r in baseline.compare(store, plan.windows(), days=10).to_pylist()}
    for e in plan.enterprises:
        ratio = cmp[(e.enterprise_id, e.production_meter)]["ratio"]
        if e.measure == "stop" and ratio > 0.2:
            found.add(("stopped_drawing_power", e.enterprise_id))
        if e.measure == "curtail" and (1 - ratio) < e.curtail_pct / 100 - 0.05:
            found.add(("curtailment_short", e.enterprise_id))
    # control off while production runs: an hour where control < 10 % of its baseline hour and production > 20 %
    hourly = store.sql("""
        SELECT enterprise_id, meter_id, date_trunc('hour', ts) AS h, sum(kwh) AS kwh FROM electricity
        WHERE ts >= ? AND ts < ? GROUP BY ALL""", [plan.window_start, plan.window_end]).to_pylist()
    base = {(r["meter_id"], r["hour"]): r["baseline_kwh"] for r in baseline.baseline(store, plan.window_start).to_pylist()}
    per_hour: dict[tuple[int, object], dict[int, float]] = {}
    for r in hourly:
        per_hour.setdefault((r["enterprise_id"], r["h"]), {})[r["meter_id"]] = r["kwh"] / base[(r["meter_id"], r["h"].hour)]
    for (eid, _h), shares in per_hour.items():
        e = by_id[eid]
        if shares.get(e.production_meter, 0) > 0.2 and shares.get(e.control_meter, 1) < 0.1:
            found.add(("control_off", eid))
    # CEMS: hours transmitted in the window per stack
    hours = (plan.window_end - plan.window_start).total_seconds() / 3600
    sent = {r["stack_id"]: r["n"] for r in store.sql(
        "SELECT stack_id, count(*) AS n FROM cems WHERE ts >= ? AND ts < ? GROUP BY 1",
        [plan.window_start, plan.window_end]).to_pylist()}
    for e in plan.enterprises:
        if e.stack is None:
            continue
        rate = sent.get(e.stack, 0) / hours
        if e.measure == "stop" and rate == 0:
            found.add(("cems_missing_during_shutdown", e.enterprise_id))
        elif rate < 0.9:
            found.add(("cems_below_rate", e.enterprise_id))
    # gate: a 国4 (or older) diesel vehicle entering during the ban
    for r in store.sql("SELECT DISTINCT enterprise_id FROM gate WHERE direction = 'in' AND ts >= ? AND ts < ? "
                       "AND fuel = '柴油' AND emission_standard IN ('国0', '国1', '国2', '国3', '国4')",
                       [plan.window_start, plan.window_end]).to_pylist():
        found.add(("banned_truck", r["enterprise_id"]))
    assert found == plan.expected()
    assert len(found) == 2 * len(VIOLATIONS)
