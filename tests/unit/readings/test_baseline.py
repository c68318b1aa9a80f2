"""Baselines (issue 19 "A baseline per meter from normal days before the window (method declared and shown: median of
the same hours over the previous N working days)"), computed by DuckDB over a few small files."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa

from registry.readings.baseline import METHOD, baseline, baseline_days, compare
from registry.readings.store import ReadingsStore


def _day(meter: int, day: date, per_quarter: float) -> dict:
    ts = [datetime.combine(day, datetime.min.time()) + timedelta(minutes=15 * i) for i in range(96)]
    return {"city_code": ["131000"] * 96, "enterprise_id": [1] * 96, "meter_id": [meter] * 96, "ts": ts,
            "kwh": [per_quarter] * 96}


def _load(store: ReadingsStore, meter: int, days: dict[date, float]) -> None:
    cols: dict[str, list] = {}
    for d, v in days.items():
        for k, vals in _day(meter, d, v).items():
            cols.setdefault(k, []).extend(vals)
    store.append("electricity", pa.table(cols))


def test_working_days_skip_weekends_and_excluded():
    # 2026-12-07 is a Monday
    assert baseline_days(date(2026, 12, 7), 3) == [date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)]
    assert baseline_days(date(2026, 12, 7), 3, excluded=[date(2026, 12, 3)]) == [
        date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 4)]


def test_median_of_the_same_hour_over_working_days(tmp_path):
    store = ReadingsStore(tmp_path)
    # Mon 30 Nov – Fri 4 Dec normal at 1, 2, 3, 2, 100 (an outlier day: the median ignores it); weekend 50
    _load(store, 11, {date(2026, 11, 30): 1, date(2026, 12, 1): 2, date(2026, 12, 2): 3, date(2026, 12, 3): 2,
                      date(2026, 12, 4): 100, date(2026, 12, 5): 50, date(2026, 12, 6): 50})
    out = baseline(store, date(2026, 12, 7), days=5).to_pylist()
    assert len(out) == 24
    assert out[0] == {"meter_id": 11, "hour": 0, "baseline_kwh": 8.0, "method": METHOD, "days_used": 5}
    # excluding the outlier day takes one more working day back (none stored): 4 days used
    out = baseline(store, date(2026, 12, 7), days=5, excluded_days=[date(2026, 12, 4)]).to_pylist()
    assert out[5]["days_used"] == 4 and out[5]["baseline_kwh"] == 8.0


def test_compare_window_to_baseline(tmp_path):
    """A stopped line: the window's use falls to 10 % of its baseline; a meter without history has no ratio."""
    store = ReadingsStore(tmp_path)
    normal = {date(2026, 11, 30) + timedelta(days=i): 1.0 for i in range(5)}
    _load(store, 11, {**normal, date(2026, 12, 7): 0.1, date(2026, 12, 8): 0.1})
    _load(store, 12, {date(2026, 12, 7): 1.0})
    w = pa.table({"key": [1, 2], "meter_id": [11, 12], "start": [datetime(2026, 12, 7, 6)] * 2,
                  "end": [datetime(2026, 12, 8, 6)] * 2})
    rows = {r["meter_id"]: r for r in compare(store, w, days=5).to_pylist()}
    assert rows[11]["hours"] == 24 and rows[11]["readings"] == 96
    assert abs(rows[11]["actual_kwh"] - 9.6) < 1e-9 and rows[11]["baseline_kwh"] == 96.0
    assert abs(rows[11]["ratio"] - 0.1) < 1e-9 and rows[11]["days_used"] == 5
    assert rows[12]["baseline_kwh"] is None and rows[12]["ratio"] is None and rows[12]["actual_kwh"] == 72.0
