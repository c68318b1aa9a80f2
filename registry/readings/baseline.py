"""Per-meter electricity baselines from normal days, and a window's use against its baseline (issue 19).

Method (declared on every row, shown beside every result): `median_same_hour_working_days` — for each meter and each
hour of the day, the median of that hour's kWh over the previous N working days (Monday–Friday) before the window,
leaving out the days the caller knows were not normal (alert episodes, curtailment windows, holidays). N is the
setting READINGS_BASELINE_DAYS (default 10). `days_used` says how many of those days the meter actually had
readings for that hour: a baseline from fewer days than asked is shown as such, and the checks may refuse it.

Everything is computed by DuckDB over the store's files in place; only the partitions of the baseline days (and of the
window's days) are opened. The readings domain knows nothing of alerts or schedules: the caller passes the days to
leave out.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from registry.readings.store import ReadingsStore

METHOD = "median_same_hour_working_days"
DEFAULT_DAYS = 10
MAX_LOOKBACK_DAYS = 120  # never look further back for working days than this


def baseline_days(before: date, days: int = DEFAULT_DAYS, excluded: Iterable[date] = ()) -> list[date]:
    """The N working days (Mon–Fri) before `before`, newest first counted, oldest first returned, skipping `excluded`."""
    skip = set(excluded)
    out: list[date] = []
    d = before - timedelta(days=1)
    while len(out) < days and (before - d).days <= MAX_LOOKBACK_DAYS:
        if d.weekday() < 5 and d not in skip:
            out.append(d)
        d -= timedelta(days=1)
    return sorted(out)


def describe(days: int = DEFAULT_DAYS) -> dict:
    """The method as data: code and parameters (for codes.label("readings.baseline", code, **params))."""
    return {"method": METHOD, "params": {"days": days}}


def _day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def baseline(store: ReadingsStore, window_start: date | datetime, *, days: int = DEFAULT_DAYS,
             city_codes: Iterable[str] | None = None, meter_ids: Iterable[int] | None = None,
             excluded_days: Iterable[date] = ()) -> pa.Table:
    """(meter_id, hour, baseline_kwh, method, days_used): one row per meter and hour of day (0–23) it has data for."""
    used = baseline_days(_day_of(window_start), days, excluded_days)
    source = store.source("electricity", city_codes, days=used)
    tables = {}
    meter_filter = ""
    if meter_ids is not None:
        tables["wanted_meters"] = pa.table({"meter_id": pa.array(sorted(set(meter_ids)), pa.int64())})
        meter_filter = "WHERE meter_id IN (SELECT meter_id FROM wanted_meters)"
    query = f"""
        WITH hourly AS (
            SELECT meter_id, epoch_us(ts) // 3600000000 AS hb, sum(kwh) AS kwh
            FROM {source} {meter_filter}
            GROUP BY meter_id, epoch_us(ts) // 3600000000)
        SELECT meter_id, CAST(hb % 24 AS INTEGER) AS hour, median(kwh) AS baseline_kwh, ? AS method,
               CAST(count(*) AS INTEGER) AS days_used
        FROM hourly GROUP BY meter_id, hb % 24 ORDER BY meter_id, hour"""  # noqa: S608  # nosec B608  # store.source(): quoted paths
    return store.sql(query, [METHOD], tables=tables)


def compare(store: ReadingsStore, windows: pa.Table, *, days: int = DEFAULT_DAYS,
            city_codes: Iterable[str] | None = None, excluded_days: Iterable[date] = ()) -> pa.Table:
    """Each window's actual use against its baseline.

    `windows`: (key INT64, meter_id INT64, start TIMESTAMP, end TIMESTAMP) — Beijing time, half-open; `key` is the
    caller's (an order, a schedule entry). The baseline is taken before the earliest window start, for the meters
    named. Returns (key, meter_id, actual_kwh, readings, baseline_kwh, hours, ratio, method, days_used): `hours`
    counts the whole hours of the window that have a baseline; `ratio` = actual ÷ baseline (NULL without one).
    """
    if windows.num_rows == 0:
        return pa.table({"key": pa.array([], pa.int64()), "meter_id": pa.array([], pa.int64()),
                         "actual_kwh": pa.array([], pa.float64()), "readings": pa.array([], pa.int64()),
                         "baseline_kwh": pa.array([], pa.float64()), "hours": pa.array([], pa.int64()),
                         "ratio": pa.array([], pa.float64()), "method": pa.array([], pa.string()),
                         "days_used": pa.array([], pa.int32())})
    windows = windows.select(["key", "meter_id", "start", "end"]).cast(pa.schema(
        [("key", pa.int64()), ("meter_id", pa.int64()), ("start", pa.timestamp("us")), ("end", pa.timestamp("us"))]))
    starts = windows.column("start").to_pylist()
    ends = windows.column("end").to_pylist()
    first, last = min(starts), max(ends)
    base_days = baseline_days(first.date(), days, excluded_days)
    window_days = [first.date() + timedelta(days=i) for i in range(((last - timedelta(microseconds=1)).date() - first.date()).days + 1)]
    base_src = store.source("electricity", city_codes, days=base_days)
    # a few meters: filter the readings first; many (a city or a province): aggregate everything read, the joins
    # with the windows keep the meters asked for (a semi-join per reading costs more than the extra groups)
    few = len(pc.unique(windows.column("meter_id"))) <= 5000
    meter_filter = "WHERE meter_id IN (SELECT meter_id FROM w)" if few else ""
    win_src = store.source("electricity", city_codes, days=window_days)
    query = f"""
        WITH w AS (SELECT * FROM windows),
        base AS (  -- hour buckets as integers (hours since the epoch of the wall clock): bucket % 24 is the hour
            SELECT meter_id, CAST(hb % 24 AS INTEGER) AS hour, median(kwh) AS baseline_kwh, count(*) AS days_used
            FROM (SELECT meter_id, epoch_us(ts) // 3600000000 AS hb, sum(kwh) AS kwh FROM {base_src}
                  {meter_filter} GROUP BY meter_id, epoch_us(ts) // 3600000000)
            GROUP BY meter_id, hb % 24),
        actual AS (
            SELECT w.key, w.meter_id, sum(e.kwh) AS actual_kwh, count(*) AS readings
            FROM w JOIN {win_src} e ON e.meter_id = w.meter_id AND e.ts >= w.start AND e.ts < w."end"
            GROUP BY w.key, w.meter_id),
        spans AS (SELECT DISTINCT start, "end" FROM w),
        span_hours AS (  -- per distinct window: how many times each hour of the day occurs in it (windows share spans)
            SELECT start, "end", hour(h) AS hour, count(*) AS n FROM (
                SELECT start, "end", unnest(range(date_trunc('hour', start), "end", INTERVAL 1 HOUR)) AS h FROM spans)
            GROUP BY start, "end", hour(h)),
        expected AS (
            SELECT w.key, w.meter_id, sum(base.baseline_kwh * sh.n) AS baseline_kwh, sum(sh.n) AS hours,
                   CAST(min(base.days_used) AS INTEGER) AS days_used
            FROM w JOIN span_hours sh ON sh.start = w.start AND sh."end" = w."end"
            JOIN base ON base.meter_id = w.meter_id AND base.hour = sh.hour
            GROUP BY w.key, w.meter_id)
        SELECT w.key, w.meter_id, coalesce(actual.actual_kwh, 0.0) AS actual_kwh,
               coalesce(actual.readings, 0) AS readings, expected.baseline_kwh, coalesce(expected.hours, 0) AS hours,
               CASE WHEN expected.baseline_kwh > 0 THEN coalesce(actual.actual_kwh, 0.0) / expected.baseline_kwh END
                   AS ratio,
               ? AS method, expected.days_used
        FROM w LEFT JOIN actual USING (key, meter_id) LEFT JOIN expected USING (key, meter_id)
        ORDER BY w.key, w.meter_id"""  # noqa: S608  # nosec B608  # store.source(): quoted paths
    return store.sql(query, [METHOD], tables={"windows": windows})


def window(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """A window from dates (whole days) or datetimes, half-open."""
    lo = start if isinstance(start, datetime) else datetime.combine(start, time())
    hi = end if isinstance(end, datetime) else datetime.combine(end + timedelta(days=1), time())
    return lo, hi
