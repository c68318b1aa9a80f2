"""The checks over the readings (issue 19): what to check (every alert-day order and schedule window of a period),
the numbers DuckDB aggregates from the store for it, and the pure rules applied to them (registry/policy/compliance).

`windows(...)` reads the relational side (orders, schedule entries) into plain `Window`s; `evaluate(store, windows,
meters, stacks)` needs no database at all — the store, the windows and the meters/stacks as plain data — so the
synthetic generator's violators can be checked on files in a temporary directory (tests/unit/compliance). The
persistence (anomalies, idempotence) is `operations.run_checks`.

Times: orders are stored in UTC; readings are Beijing wall-clock times without a zone (registry/readings/store.py).
A window here is [start, end) in Beijing wall-clock time; a reading belongs to the hour of its `ts` (as the baseline
of registry/readings/baseline.py counts it).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from registry.core.timeutil import BEIJING
from registry.policy import compliance as policy
from registry.readings import baseline as readings_baseline

BASELINE_DAYS = readings_baseline.DEFAULT_DAYS  # N working days of the baseline (READINGS_BASELINE_DAYS)
CONTEXT_HOURS = 6  # hours before the window drawn on the evidence chart (the window itself is shaded)


@dataclass(frozen=True)
class LineOrder:
    line_id: Optional[int]
    name: str
    measure: str  # stop | curtail | none | …
    percentage: Optional[float] = None


@dataclass(frozen=True)
class Window:
    """One order (or schedule entry) of one enterprise over [start, end) in Beijing wall-clock time."""

    source_kind: str  # order | schedule | monitoring (no order: only the always-on duties are checked)
    source_id: int
    enterprise_id: int
    region_code: str
    pack_id: str
    start: datetime
    end: datetime
    lines: tuple[LineOrder, ...] = ()
    level: str = ""  # the alert level (orders)
    transport_ban: bool = False
    episode_id: Optional[int] = None


@dataclass(frozen=True)
class MeterInfo:
    id: int
    enterprise_id: int
    line_id: Optional[int]
    role: str  # production | control
    name: str = ""


@dataclass(frozen=True)
class StackInfo:
    id: int
    enterprise_id: int
    line_id: Optional[int]
    name: str = ""


@dataclass
class Result:
    """One check's result for one subject of one window (anomaly or not: the run key is checked either way)."""

    window: Window
    check: str
    subject: str
    run_key: str
    outcome: dict[str, Any]
    line_id: Optional[int] = None
    meter_id: Optional[int] = None
    stack_id: Optional[int] = None
    series: list[dict[str, Any]] = field(default_factory=list)
    measure: str = ""
    percentage: Optional[float] = None

    @property
    def anomaly(self) -> bool:
        return bool(self.outcome.get("anomaly"))


def to_beijing(at: datetime) -> datetime:
    """An aware (UTC) datetime → Beijing wall-clock time without a zone."""
    if at.tzinfo is None:
        return at
    return at.astimezone(BEIJING).replace(tzinfo=None)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())


def run_key(check: str, w: Window, subject: str) -> str:
    """Check, source, subject and window start: not the end, which moves while an order is in force (a window is
    clipped to now), so a later run replaces the open anomaly of the same window instead of adding one."""
    return f"{check}:{w.source_kind}:{w.source_id}:{subject}:{w.start:%Y%m%d%H%M}"


def _hours(start: datetime, end: datetime) -> list[datetime]:
    out, h = [], start.replace(minute=0, second=0, microsecond=0)
    while h < end:
        out.append(h)
        h += timedelta(hours=1)
    return out


# ---------------------------------------------------------------- DuckDB aggregation

def _select(store, kind: str, key: str, ids: Iterable[int], start: datetime, end: datetime, select: str,
            tail: str = ""):
    """`SELECT <select> FROM <kind> WHERE ts in [start, end) AND <key> among ids <tail>` as an Arrow table: the
    partitions of those days only (as store.scan), the ids an Arrow table joined in (not a literal IN list of
    thousands of numbers, which DuckDB would tokenise and bind for every span)."""
    source = store.source(kind, None, start.date(), (end - timedelta(microseconds=1)).date())
    wanted = pa.table({"id": pa.array(sorted({int(i) for i in ids}), pa.int64())})
    sql = (f"SELECT {select} FROM {source} WHERE ts >= ? AND ts < ? "  # noqa: S608  # nosec B608  # our own SQL text, quoted paths
           f"AND {key} IN (SELECT id FROM wanted_ids) {tail}")
    return store.sql(sql, [start, end], tables={"wanted_ids": wanted})


class Energy:
    """The energy of a group of meters over `hours` (hour-aligned Beijing times), as two matrices (meter × hour):
    `actual` the readings summed per hour in DuckDB, `base` the baseline of each hour's hour of day. One grouped
    query per span for every meter of the span's windows; the per-line/per-meter sums are numpy row sums (issue 19
    speed: no Python dict lookup per meter and hour)."""

    def __init__(self, meter_ids: list[int], hours: list[datetime]):
        self.row = {int(m): i for i, m in enumerate(dict.fromkeys(meter_ids))}
        self.hours = hours
        self.actual = np.zeros((len(self.row), len(hours)))
        self.base = np.zeros((len(self.row), len(hours)))

    def rows(self, ids: Iterable[int]) -> np.ndarray:
        return np.fromiter((self.row[int(m)] for m in ids), dtype=np.int64)

    def sums(self, meter_ids: list[int]) -> tuple[list[float], list[float]]:
        """Per hour: the meters' actual and baseline energy, summed meter by meter in the order given (the same
        floats as a Python sum over the meters)."""
        if len(meter_ids) == 1:
            r = self.row[int(meter_ids[0])]
            return self.actual[r].tolist(), self.base[r].tolist()
        rows = self.rows(meter_ids)
        return self.actual[rows].sum(axis=0).tolist(), self.base[rows].sum(axis=0).tolist()


def energy(store, meter_ids: list[int], start: datetime, end: datetime, before: datetime,
           days: int = BASELINE_DAYS, excluded_days: Iterable[date] = ()) -> Energy:
    """Actual energy per meter and hour in [start, end) (a reading's `ts` starts its interval, as in baseline.py;
    the hours are those of `_hours(start, end)`), and the readings domain's baseline before `before`
    (registry/readings/baseline.py: per hour of day, the median over the previous `days` working days)."""
    hours = _hours(start, end)
    out = Energy(meter_ids, hours)
    if not out.row or not hours:
        return out
    t = _select(store, "electricity", "meter_id", out.row, start, end,
                "meter_id, date_trunc('hour', ts) AS h, coalesce(sum(kwh), 0.0) AS kwh", "GROUP BY ALL")
    if t.num_rows:
        order = np.array(list(out.row), dtype=np.int64)
        pos = np.argsort(order)
        m = t.column("meter_id").to_numpy().astype(np.int64)
        r = pos[np.searchsorted(order, m, sorter=pos)]
        h = t.column("h").cast("timestamp[us]").to_numpy()
        c = ((h - np.datetime64(hours[0], "us")) // np.timedelta64(1, "h")).astype(np.int64)
        ok = (c >= 0) & (c < len(hours))
        out.actual[r[ok], c[ok]] = t.column("kwh").to_numpy()[ok]
    b = readings_baseline.baseline(store, before, days=days, meter_ids=list(out.row), excluded_days=excluded_days)
    if b.num_rows:
        per_hour = np.zeros((len(out.row), 24))
        bm = b.column("meter_id").to_numpy().astype(np.int64)
        keep = np.isin(bm, np.array(list(out.row), dtype=np.int64))
        rows = np.fromiter((out.row[int(x)] for x in bm[keep]), dtype=np.int64)
        per_hour[rows, b.column("hour").to_numpy()[keep].astype(np.int64)] = (
            pc.fill_null(b.column("baseline_kwh"), 0.0).to_numpy()[keep])
        out.base = per_hour[:, np.array([x.hour for x in hours], dtype=np.int64)]
    return out


def baseline_method(days: int = BASELINE_DAYS) -> dict[str, Any]:
    d = readings_baseline.describe(days)
    return {"method": d["method"], "days": days}


def cems_flags(store, stack_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Per stack: hourly values received in [start, end) by HJ 212 flag (one value per stack and hour counted)."""
    if not stack_ids:
        return {}
    t = _select(store, "cems", "stack_id", stack_ids, start, end,
                "stack_id, coalesce(status, 'N') AS flag, count(DISTINCT date_trunc('hour', ts)) AS n", "GROUP BY ALL")
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for sid, flag, n in zip(*(t.column(c).to_pylist() for c in ("stack_id", "flag", "n"))):
        out[int(sid)][str(flag)] = int(n)
    return out


def gate_entries(store, enterprise_ids: list[int], start: datetime, end: datetime) -> dict[int, list[dict[str, Any]]]:
    if not enterprise_ids:
        return {}
    # the time as text in DuckDB, exactly as datetime.isoformat(sep=" ") writes it (no Python datetime per entry)
    t = _select(store, "gate", "enterprise_id", enterprise_ids, start, end,
                "enterprise_id, CASE WHEN ts IS NULL THEN '' WHEN microsecond(ts) % 1000000 = 0 "
                "THEN strftime(ts, '%Y-%m-%d %H:%M:%S') ELSE strftime(ts, '%Y-%m-%d %H:%M:%S.%f') END AS ts_text, "
                "plate, emission_standard, fuel, direction", "ORDER BY ts")
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    columns = ("enterprise_id", "ts_text", "plate", "emission_standard", "fuel", "direction")
    for eid, ts, plate, std, fuel, direction in zip(*(t.column(c).to_pylist() for c in columns)):
        out[int(eid)].append({"ts": ts, "plate": plate, "emission_standard": std, "fuel": fuel,
                              "direction": direction})
    return out


# ---------------------------------------------------------------- the checks

def evaluate(store, windows: Iterable[Window], meters: Iterable[MeterInfo], stacks: Iterable[StackInfo],
             baseline_days: int = BASELINE_DAYS, excluded_days: Iterable[date] = ()) -> list[Result]:
    """Every applicable check of every window. Windows of the same span share their DuckDB queries. The baseline
    leaves out `excluded_days` (days of alert episodes: not normal days)."""
    excluded = sorted(set(excluded_days))
    meters_by_ent: dict[int, list[MeterInfo]] = defaultdict(list)
    for m in meters:
        meters_by_ent[m.enterprise_id].append(m)
    stacks_by_ent: dict[int, list[StackInfo]] = defaultdict(list)
    for s in stacks:
        stacks_by_ent[s.enterprise_id].append(s)
    by_span: dict[tuple[datetime, datetime], list[Window]] = defaultdict(list)
    for w in windows:
        if w.end > w.start:
            by_span[(w.start, w.end)].append(w)
    out: list[Result] = []
    for (start, end), group in sorted(by_span.items()):
        ents = sorted({w.enterprise_id for w in group})
        meter_ids = [m.id for e in ents for m in meters_by_ent.get(e, [])]
        en = energy(store, meter_ids, start - timedelta(hours=CONTEXT_HOURS), end, start, baseline_days, excluded)
        stack_ids = [s.id for e in ents for s in stacks_by_ent.get(e, [])]
        flags = cems_flags(store, stack_ids, start, end)
        gate_ents = [w.enterprise_id for w in group if w.transport_ban]
        gates = gate_entries(store, gate_ents, start, end)
        hours = en.hours
        expected = len(_hours(start, end))
        for w in group:
            ms, ss = meters_by_ent.get(w.enterprise_id, []), stacks_by_ent.get(w.enterprise_id, [])
            if w.source_kind != "monitoring":
                out.extend(_power_checks(w, ms, en, hours, baseline_days))
            out.extend(_control_check(w, ms, en, hours, baseline_days))
            out.extend(_cems_checks(w, ss, flags, expected))
            if w.transport_ban:
                out.extend(_gate_check(w, gates.get(w.enterprise_id, [])))
    return out


def _series(hours, start: datetime, **columns: list[float]) -> list[dict[str, Any]]:
    """Per hour: the columns (actual, baseline, …) rounded; `w` marks the hours inside the window (the rest is
    context, drawn unshaded)."""
    out = []
    for i, h in enumerate(hours):
        row: dict[str, Any] = {"h": h.strftime("%Y-%m-%d %H:%M"), "w": h >= start}
        for name, values in columns.items():
            row[name] = round(values[i], 3)
        out.append(row)
    return out


def _power_checks(w: Window, meters: list[MeterInfo], en: Energy, hours, days: int) -> list[Result]:
    out = []
    first = next((i for i, h in enumerate(hours) if h >= w.start), len(hours))
    for line in w.lines:
        if line.measure not in ("stop", "curtail") or line.line_id is None:
            continue
        ids = [m.id for m in meters if m.role == "production" and m.line_id == line.line_id]
        if not ids:
            continue
        act, bas = en.sums(ids)
        b, a = sum(bas[first:]), sum(act[first:])
        if line.measure == "stop":
            check, data = "stopped_line_power", {"baseline_kwh": b, "actual_kwh": a}
        else:
            check, data = "curtailment_shortfall", {"baseline_kwh": b, "actual_kwh": a,
                                                    "percentage": float(line.percentage or 0)}
        subject = f"line:{line.line_id}"
        outcome = policy.run(w.pack_id, check, data)
        outcome["params"]["baseline_method"] = baseline_method(days)
        series = _series(hours, w.start, actual=act, baseline=bas) if outcome["anomaly"] else []
        out.append(Result(w, check, line.name, run_key(check, w, subject), outcome, line_id=line.line_id,
                          meter_id=ids[0] if len(ids) == 1 else None, series=series, measure=line.measure,
                          percentage=line.percentage))
    return out


def _control_check(w: Window, meters: list[MeterInfo], en: Energy, hours, days: int) -> list[Result]:
    prod = [m.id for m in meters if m.role == "production"]
    out = []
    first = next((i for i, h in enumerate(hours) if h >= w.start), len(hours))
    for ctl in (m for m in meters if m.role == "control"):
        # a control meter of a line is compared with that line's production; one of the site with all production
        ids = [m.id for m in meters if m.role == "production" and (ctl.line_id is None or m.line_id == ctl.line_id)] or prod
        if not ids:
            continue
        p, pb = en.sums(ids)
        c, cb = en.sums([ctl.id])
        rows = list(zip(p[first:], pb[first:], c[first:], cb[first:]))
        outcome = policy.run(w.pack_id, "control_off", {"hours": rows})
        outcome["params"]["baseline_method"] = baseline_method(days)
        series = (_series(hours, w.start, actual=c, baseline=cb, production=p, production_baseline=pb)
                  if outcome["anomaly"] else [])
        line = next((ln for ln in w.lines if ln.line_id == ctl.line_id), None)
        out.append(Result(w, "control_off", ctl.name, run_key("control_off", w, f"meter:{ctl.id}"), outcome,
                          line_id=ctl.line_id, meter_id=ctl.id, series=series,
                          measure=line.measure if line else ""))
    return out


def _cems_checks(w: Window, stacks: list[StackInfo], flags, expected: int) -> list[Result]:
    out = []
    measures = {ln.line_id: ln.measure for ln in w.lines}
    for s in stacks:
        measure = measures.get(s.line_id, "none") if s.line_id is not None else (
            "stop" if measures and all(m == "stop" for m in measures.values()) else "none")
        outcome = policy.run(w.pack_id, "cems_transmission",
                             {"expected": expected, "flags": flags.get(s.id, {}), "measure": measure})
        out.append(Result(w, "cems_transmission", s.name, run_key("cems_transmission", w, f"stack:{s.id}"), outcome,
                          line_id=s.line_id, stack_id=s.id, measure=measure))
    return out


def _gate_check(w: Window, entries: list[dict[str, Any]]) -> list[Result]:
    outcome = policy.run(w.pack_id, "banned_vehicle", {"level": w.level, "entries": entries})
    banned = set(outcome["params"].get("plates") or [])
    shown = [e for e in entries if e.get("plate") in banned][:50]
    outcome["params"]["shown_entries"] = shown
    return [Result(w, "banned_vehicle", "", run_key("banned_vehicle", w, "gate"), outcome)]  # the page names the gate
