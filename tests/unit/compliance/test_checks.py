"""The checks over a small store (issue 19; registry/compliance/checks.py): DuckDB aggregates the readings of a
window and its baseline days, the cited rules (R-CK-01..05) decide. No database: the store is files in tmp_path."""
from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from registry.compliance.checks import LineOrder, MeterInfo, StackInfo, Window, evaluate
from registry.readings.store import ReadingsStore

START = datetime(2026, 12, 8, 0, 0)
END = START + timedelta(days=1)


def _electricity(store, meter_id: int, ent: int, first: datetime, days: int, kw: float, factor_on_last=None):
    rows = {"city_code": [], "enterprise_id": [], "meter_id": [], "ts": [], "kwh": []}
    t = first
    stop = first + timedelta(days=days)
    while t < stop:  # a reading's ts starts its quarter hour (registry/readings/baseline.py)
        f = factor_on_last if (factor_on_last is not None and t >= stop - timedelta(days=1)) else 1.0
        rows["city_code"].append("131000")
        rows["enterprise_id"].append(ent)
        rows["meter_id"].append(meter_id)
        rows["ts"].append(t)
        rows["kwh"].append(kw / 4 * f)
        t += timedelta(minutes=15)
    store.append("electricity", pa.table(rows))


def _window(measure="stop", pct=None, ban=False, level="orange", pack="langfang-2017-18"):
    return Window("order", 1, 7, "131002", pack, START, END, (LineOrder(11, "1号线", measure, pct),), level, ban)


def test_stopped_line_drawing_power_is_found(tmp_path):
    """R-CK-01 (000:129): a stopped line at 60 % of its 7-day baseline is an anomaly; at 5 % it is not."""
    store = ReadingsStore(tmp_path)
    _electricity(store, 1, 7, START - timedelta(days=7), 8, 100.0, factor_on_last=0.6)
    _electricity(store, 2, 8, START - timedelta(days=7), 8, 100.0, factor_on_last=0.05)
    meters = [MeterInfo(1, 7, 11, "production", "1号线"), MeterInfo(2, 8, 21, "production", "2号线")]
    w2 = Window("order", 2, 8, "131002", "langfang-2017-18", START, END, (LineOrder(21, "2号线", "stop"),), "orange")
    results = {r.window.enterprise_id: r for r in evaluate(store, [_window(), w2], meters, [])}
    bad, good = results[7], results[8]
    assert bad.check == "stopped_line_power" and bad.anomaly and bad.outcome["params"]["share"] == 60.0
    assert not good.anomaly and good.outcome["params"]["share"] == 5.0
    assert len(bad.series) == 30 and sum(p["w"] for p in bad.series) == 24 and bad.series[0]["baseline"] == 100.0


def test_curtailment_and_control_meter(tmp_path):
    """R-CK-02 (000:129) and R-CK-03 (004:335): a 50 % curtailment drawing 80 %, its control facility off."""
    store = ReadingsStore(tmp_path)
    _electricity(store, 1, 7, START - timedelta(days=7), 8, 100.0, factor_on_last=0.8)
    _electricity(store, 3, 7, START - timedelta(days=7), 8, 30.0, factor_on_last=0.0)
    meters = [MeterInfo(1, 7, 11, "production", "1号线"), MeterInfo(3, 7, 11, "control", "除尘")]
    results = {r.check: r for r in evaluate(store, [_window("curtail", 50)], meters, [])}
    assert results["curtailment_shortfall"].anomaly and results["curtailment_shortfall"].outcome["params"]["reduction"] == 20.0
    assert results["control_off"].anomaly and results["control_off"].outcome["params"]["off_hours"] == 24


def test_cems_and_gate(tmp_path):
    """R-CK-04 (001:107): a stack silent during a stop; R-CK-05 (000:139): a truck entering during the alert."""
    store = ReadingsStore(tmp_path)
    hours = [START + timedelta(hours=i) for i in range(24)]
    store.append("cems", pa.table({"city_code": ["131000"] * 10, "enterprise_id": [8] * 10, "stack_id": [5] * 10,
                                   "ts": hours[:10], "so2": [1.0] * 10, "nox": [1.0] * 10, "pm": [1.0] * 10,
                                   "o2": [8.0] * 10, "flow": [1.0] * 10, "status": ["F"] * 10}))
    store.append("gate", pa.table({"city_code": ["131000"], "enterprise_id": [7], "ts": [START + timedelta(hours=3)],
                                   "plate": ["冀R12345"], "emission_standard": ["国四"], "fuel": ["柴油"],
                                   "cargo": ["煤"], "direction": ["in"]}))
    stacks = [StackInfo(4, 7, 11, "1号排口"), StackInfo(5, 8, None, "2号排口")]
    w2 = Window("order", 2, 8, "131002", "langfang-2017-18", START, END, (LineOrder(21, "2号线", "stop"),), "orange")
    results = {(r.check, r.window.enterprise_id): r for r in evaluate(store, [_window(ban=True), w2], [], stacks)}
    silent = results[("cems_transmission", 7)]
    assert silent.anomaly and silent.outcome["severity"] == "high" and silent.outcome["params"]["missing_during_order"]
    partial = results[("cems_transmission", 8)]
    assert partial.anomaly and partial.outcome["params"]["rate"] == round(10 / 24 * 100, 1)
    gate = results[("banned_vehicle", 7)]
    assert gate.anomaly and gate.outcome["params"]["plates"] == ["冀R12345"]


def test_run_key_does_not_move_with_the_window_end():
    """Idempotence while an order is in force: the window end moves with the clock, the run key does not."""
    from registry.compliance.checks import run_key

    a = _window()
    b = Window(a.source_kind, a.source_id, a.enterprise_id, a.region_code, a.pack_id, a.start, a.end + timedelta(hours=5),
               a.lines, a.level, a.transport_ban)
    assert run_key("stopped_line_power", a, "line:11") == run_key("stopped_line_power", b, "line:11")
