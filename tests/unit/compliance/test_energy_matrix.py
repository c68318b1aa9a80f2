"""Issue 19 speed: the checks' energy matrices (registry/compliance/checks.energy: one grouped DuckDB query per span,
meters joined in as an Arrow table, numpy row sums) hold exactly the numbers the rules R-CK-01..03 read before the
change — the readings summed per meter and hour of [start, end) (a reading's `ts` starts its interval), and the
readings domain's baseline per hour of day (registry/readings/baseline.py) — computed here independently in Python
from the store's rows."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from registry.compliance.checks import CONTEXT_HOURS, energy
from registry.readings import baseline as readings_baseline
from registry.readings import synthetic
from registry.readings.store import ReadingsStore


def test_energy_matrix_matches_a_python_sum_of_the_rows(tmp_path):
    plan = synthetic.plan_province(12, ["130100"], first_day=date(2026, 11, 2), normal_days=8, episode_days=1,
                                   violators_per_kind=1, seed=5, with_stacks=0.5)
    store = ReadingsStore(tmp_path / "readings")
    for kind, _city, _day, table in synthetic.generate(plan):
        store.append(kind, table)
    meters = [m for e in plan.enterprises for m in (e.production_meter, e.control_meter) if m is not None]
    assert len(meters) > 12
    start = plan.window_start + timedelta(minutes=20)  # not on the hour: the first context hour is partial
    lo, end = start - timedelta(hours=CONTEXT_HOURS), plan.window_end
    en = energy(store, meters[::-1], lo, end, start)  # any order of meters

    expected: dict[tuple[int, object], float] = defaultdict(float)
    rows = store.scan("electricity", None, lo, end, columns=["meter_id", "ts", "kwh"]).to_arrow_table().to_pylist()
    for r in rows:
        if r["meter_id"] in set(meters):
            expected[(r["meter_id"], r["ts"].replace(minute=0, second=0, microsecond=0))] += r["kwh"] or 0.0
    assert en.hours[0] == lo.replace(minute=0) and en.hours[-1] < end
    base = readings_baseline.baseline(store, start, meter_ids=meters).to_pylist()
    by_hour = {(b["meter_id"], b["hour"]): b["baseline_kwh"] or 0.0 for b in base}
    for m in meters:
        actual, baseline = en.sums([m])
        assert actual == pytest.approx([expected.get((m, h), 0.0) for h in en.hours], rel=1e-12, abs=1e-9)
        assert baseline == [by_hour.get((m, h.hour), 0.0) for h in en.hours]
    assert sum(sum(en.sums([m])[0]) for m in meters) > 0

    pair = meters[:2]
    actual, baseline = en.sums(pair)  # summed meter by meter, as the Python sum the checks used
    assert actual == [sum(en.sums([m])[0][i] for m in pair) for i in range(len(en.hours))]
    assert baseline == [sum(en.sums([m])[1][i] for m in pair) for i in range(len(en.hours))]


def test_gate_entry_times_read_as_before(tmp_path):
    """The gate entries R-CK-05 reads (and shows as evidence) carry the time as `datetime.isoformat(sep=" ")` wrote
    it before the change — with and without a fraction of a second — in time order, only the enterprises asked."""
    from datetime import datetime

    import pyarrow as pa

    from registry.compliance.checks import gate_entries

    times = [datetime(2026, 11, 20, 8, 5, 3), datetime(2026, 11, 20, 8, 5, 3, 120), datetime(2026, 11, 20, 9, 0, 0, 500000)]
    store = ReadingsStore(tmp_path / "readings")
    store.append("gate", pa.table({"city_code": ["130100"] * 4, "day": [date(2026, 11, 20)] * 4,
                                   "enterprise_id": [7, 7, 7, 8], "ts": [times[2], times[0], times[1], times[0]],
                                   "plate": ["冀A1", "冀A2", "冀A3", "冀A4"], "emission_standard": ["国四"] * 4,
                                   "fuel": ["diesel"] * 4, "cargo": [""] * 4, "direction": ["in"] * 4}))
    got = gate_entries(store, [7], datetime(2026, 11, 20), datetime(2026, 11, 21))
    assert list(got) == [7]
    assert [e["ts"] for e in got[7]] == [t.isoformat(sep=" ") for t in times]
    assert [e["plate"] for e in got[7]] == ["冀A2", "冀A3", "冀A1"]
