"""The readings store (issue 19 "Storage and scale"): Parquet partitioned by city and day, idempotent appends on the
natural key, scans pruned to the partitions asked for, DuckDB SQL over the files in place."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from registry.readings.store import KEYS, ReadingsStore, StoreError


def _electricity(city: str, meters: list[int], start: datetime, n: int, kwh: float = 10.0) -> pa.Table:
    rows = [(m, start + timedelta(minutes=15 * i)) for m in meters for i in range(n)]
    return pa.table({"city_code": [city] * len(rows), "enterprise_id": [m // 10 for m, _ in rows],
                     "meter_id": [m for m, _ in rows], "ts": [t for _, t in rows], "kwh": [kwh] * len(rows)})


def test_append_partitions_by_city_and_day(tmp_path):
    store = ReadingsStore(tmp_path)
    t = _electricity("131000", [11, 12], datetime(2026, 12, 1, 23, 0), 8)  # crosses midnight
    res = store.append("electricity", t)
    assert (res.accepted, res.duplicates) == (16, 0)
    assert res.partitions == [("131000", date(2026, 12, 1)), ("131000", date(2026, 12, 2))]
    dirs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("electricity/*/*"))
    assert dirs == ["electricity/city=131000/day=2026-12-01", "electricity/city=131000/day=2026-12-02"]
    assert store.count("electricity") == 16


def test_append_is_idempotent(tmp_path):
    """Issue 19: re-loading the same readings changes nothing."""
    store = ReadingsStore(tmp_path)
    t = _electricity("131000", [11], datetime(2026, 12, 1), 96)
    assert store.append("electricity", t).accepted == 96
    files = store.files("electricity")
    again = store.append("electricity", t)
    assert (again.accepted, again.duplicates) == (0, 96)
    assert store.files("electricity") == files  # no new file written
    # overlapping load: half old, half new
    more = _electricity("131000", [11], datetime(2026, 12, 1, 12), 96)
    res = store.append("electricity", more)
    assert (res.accepted, res.duplicates) == (48, 48)
    assert store.count("electricity") == 144


def test_duplicates_within_one_table_are_written_once(tmp_path):
    store = ReadingsStore(tmp_path)
    t = _electricity("131000", [11], datetime(2026, 12, 1), 4)
    res = store.append("electricity", pa.concat_tables([t, t]))
    assert (res.accepted, res.duplicates) == (4, 4)


def test_scan_prunes_by_city_and_window(tmp_path):
    store = ReadingsStore(tmp_path)
    store.append("electricity", _electricity("131000", [11], datetime(2026, 12, 1), 96 * 3))
    store.append("electricity", _electricity("130100", [21], datetime(2026, 12, 1), 96 * 3))
    one_day = store.scan("electricity", ["131000"], date(2026, 12, 2), date(2026, 12, 2)).to_arrow_table()
    assert one_day.num_rows == 96
    assert set(one_day.column("city_code").to_pylist()) == {"131000"}
    half_open = store.scan("electricity", None, datetime(2026, 12, 1, 6), datetime(2026, 12, 1, 7)).fetchall()
    assert len(half_open) == 8  # 4 per meter, two cities
    assert store.scan("electricity", ["139900"]).fetchall() == []
    assert store.scan("cems").fetchall() == []  # nothing stored yet: empty, typed


def test_sql_over_the_views(tmp_path):
    store = ReadingsStore(tmp_path)
    store.append("electricity", _electricity("131000", [11, 12], datetime(2026, 12, 1), 4, kwh=2.5))
    out = store.sql("SELECT meter_id, sum(kwh) AS total FROM electricity WHERE city_code = ? GROUP BY 1 ORDER BY 1",
                    ["131000"]).to_pylist()
    assert out == [{"meter_id": 11, "total": 10.0}, {"meter_id": 12, "total": 10.0}]
    # files appended after the first query are seen by the next one
    store.append("electricity", _electricity("131000", [13], datetime(2026, 12, 1), 4))
    assert store.sql("SELECT count(DISTINCT meter_id) AS n FROM electricity").to_pylist() == [{"n": 3}]


def test_gate_and_cems_keys(tmp_path):
    store = ReadingsStore(tmp_path)
    ts = datetime(2026, 12, 1, 8, 0)
    gate = pa.table({"city_code": ["131000"] * 3, "enterprise_id": [1, 1, 1], "ts": [ts] * 3,
                     "plate": ["冀R12345", "冀R12345", "冀R12345"], "emission_standard": ["国5"] * 3,
                     "fuel": ["柴油"] * 3, "cargo": ["钢材"] * 3, "direction": ["in", "out", "in"]})
    assert store.append("gate", gate).accepted == 2
    assert KEYS["gate"] == ("enterprise_id", "ts", "plate", "direction")
    cems = pa.table({"city_code": ["131000"], "enterprise_id": [1], "stack_id": [5], "ts": [ts], "so2": [12.0],
                     "nox": [None], "pm": [3.1], "o2": [9.5], "flow": [120000.0], "status": ["N"]})
    assert store.append("cems", cems).accepted == 1
    assert store.scan("cems", columns=["stack_id", "nox", "status"]).fetchall() == [(5, None, "N")]


def test_refuses_bad_tables(tmp_path):
    store = ReadingsStore(tmp_path)
    with pytest.raises(StoreError):
        store.append("electricity", pa.table({"meter_id": [1]}))
    with pytest.raises(StoreError):
        store.append("water", pa.table({"x": [1]}))
    bad_city = _electricity("13100", [11], datetime(2026, 12, 1), 1)
    with pytest.raises(StoreError):
        store.append("electricity", bad_city)
    with pytest.raises(StoreError):
        store.scan("electricity", columns=["kwh; DROP"])
    assert store.count("electricity") == 0


def test_compact_keeps_rows(tmp_path):
    store = ReadingsStore(tmp_path)
    for h in range(10):
        store.append("electricity", _electricity("131000", [11], datetime(2026, 12, 1, h), 4))
    assert len(store.files("electricity")) == 10
    assert store.compact("electricity", min_files=8) == 1
    assert len(store.files("electricity")) == 1
    assert store.count("electricity") == 40
    assert store.append("electricity", _electricity("131000", [11], datetime(2026, 12, 1, 3), 4)).duplicates == 4


def test_keys_unique_proof_in_and_out_of_order(tmp_path):
    """The fast path (no DISTINCT ON) is taken only when numpy proves no key repeats, in order or not."""
    from registry.readings.store import _keys_unique, conform

    t = conform("electricity", _electricity("131000", [12, 11], datetime(2026, 12, 1), 4))
    assert _keys_unique("electricity", t)
    shuffled = t.take([5, 0, 7, 2, 1, 6, 3, 4])
    assert _keys_unique("electricity", shuffled)
    assert not _keys_unique("electricity", pa.concat_tables([t, t.slice(3, 1)]))
    store = ReadingsStore(tmp_path)
    assert store.append("electricity", pa.concat_tables([shuffled, t.slice(3, 1)])).duplicates == 1
