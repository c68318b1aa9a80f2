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

def hourly_kwh(store, meter_ids: list[int], start: datetime, end: datetime) -> dict[tuple[int, datetime], float]:
    """Energy per meter per hour in [start, end) (a reading's `ts` starts its interval, as in baseline.py)."""
    if not meter_ids:
        return {}
    rel = store.scan("electricity", None, start, end, columns=["meter_id", "ts", "kwh"])
    ids = ", ".join(str(int(m)) for m in meter_ids)  # integers only
    sql = ("SELECT meter_id, date_trunc('hour', ts) AS h, sum(kwh) AS kwh FROM r "  # noqa: S608  # nosec B608
           f"WHERE meter_id IN ({ids}) GROUP BY ALL")
    return {(int(m), h): float(k or 0.0) for m, h, k in rel.query("r", sql).fetchall()}


def baseline_by_hour(store, meter_ids: list[int], before: datetime, days: int = BASELINE_DAYS,
                     excluded_days: Iterable[date] = ()) -> dict[tuple[int, int], float]:
    """Per meter and hour of day: the readings domain's baseline (registry/readings/baseline.py: the median of that
    hour over the previous `days` working days before the window), the method declared on every anomaly."""
    if not meter_ids:
        return {}
    table = readings_baseline.baseline(store, before, days=days, meter_ids=meter_ids, excluded_days=excluded_days)
    return {(int(m), int(h)): float(k or 0.0) for m, h, k in zip(
        table.column("meter_id").to_pylist(), table.column("hour").to_pylist(),
        table.column("baseline_kwh").to_pylist())}


def baseline_method(days: int = BASELINE_DAYS) -> dict[str, Any]:
    d = readings_baseline.describe(days)
    return {"method": d["method"], "days": days}


def cems_flags(store, stack_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Per stack: hourly values received in [start, end) by HJ 212 flag (one value per stack and hour counted)."""
    if not stack_ids:
        return {}
    rel = store.scan("cems", None, start, end, columns=["stack_id", "ts", "status"])
    ids = ", ".join(str(int(s)) for s in stack_ids)
    sql = ("SELECT stack_id, coalesce(status, 'N') AS flag, count(DISTINCT date_trunc('hour', ts)) AS n FROM r "  # noqa: S608  # nosec B608
           f"WHERE stack_id IN ({ids}) GROUP BY ALL")
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for sid, flag, n in rel.query("r", sql).fetchall():
        out[int(sid)][str(flag)] = int(n)
    return out


def gate_entries(store, enterprise_ids: list[int], start: datetime, end: datetime) -> dict[int, list[dict[str, Any]]]:
    if not enterprise_ids:
        return {}
    rel = store.scan("gate", None, start, end,
                     columns=["enterprise_id", "ts", "plate", "emission_standard", "fuel", "direction"])
    ids = ", ".join(str(int(e)) for e in enterprise_ids)
    sql = f"SELECT enterprise_id, ts, plate, emission_standard, fuel, direction FROM r WHERE enterprise_id IN ({ids}) ORDER BY ts"  # noqa: S608  # nosec B608
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for eid, ts, plate, std, fuel, direction in rel.query("r", sql).fetchall():
        out[int(eid)].append({"ts": ts.isoformat(sep=" ") if ts else "", "plate": plate, "emission_standard": std,
                              "fuel": fuel, "direction": direction})
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
        actual = hourly_kwh(store, meter_ids, start - timedelta(hours=CONTEXT_HOURS), end)
        base = baseline_by_hour(store, meter_ids, start, baseline_days, excluded)
        stack_ids = [s.id for e in ents for s in stacks_by_ent.get(e, [])]
        flags = cems_flags(store, stack_ids, start, end)
        gate_ents = [w.enterprise_id for w in group if w.transport_ban]
        gates = gate_entries(store, gate_ents, start, end)
        hours = _hours(start - timedelta(hours=CONTEXT_HOURS), end)
        expected = len(_hours(start, end))
        for w in group:
            ms, ss = meters_by_ent.get(w.enterprise_id, []), stacks_by_ent.get(w.enterprise_id, [])
            if w.source_kind != "monitoring":
                out.extend(_power_checks(w, ms, actual, base, hours, baseline_days))
            out.extend(_control_check(w, ms, actual, base, hours, baseline_days))
            out.extend(_cems_checks(w, ss, flags, expected))
            if w.transport_ban:
                out.extend(_gate_check(w, gates.get(w.enterprise_id, [])))
    return out


def _sums(meter_ids: list[int], actual, base, hours) -> tuple[list[float], list[float]]:
    """Per hour of `hours`: the meters' actual and baseline energy (plain floats: the series is drawn only for
    anomalies, `_series`)."""
    if len(meter_ids) == 1:
        m = meter_ids[0]
        return [actual.get((m, h), 0.0) for h in hours], [base.get((m, h.hour), 0.0) for h in hours]
    return ([sum(actual.get((m, h), 0.0) for m in meter_ids) for h in hours],
            [sum(base.get((m, h.hour), 0.0) for m in meter_ids) for h in hours])


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


def _power_checks(w: Window, meters: list[MeterInfo], actual, base, hours, days: int) -> list[Result]:
    out = []
    first = next((i for i, h in enumerate(hours) if h >= w.start), len(hours))
    for line in w.lines:
        if line.measure not in ("stop", "curtail") or line.line_id is None:
            continue
        ids = [m.id for m in meters if m.role == "production" and m.line_id == line.line_id]
        if not ids:
            continue
        act, bas = _sums(ids, actual, base, hours)
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


def _control_check(w: Window, meters: list[MeterInfo], actual, base, hours, days: int) -> list[Result]:
    prod = [m.id for m in meters if m.role == "production"]
    out = []
    first = next((i for i, h in enumerate(hours) if h >= w.start), len(hours))
    for ctl in (m for m in meters if m.role == "control"):
        # a control meter of a line is compared with that line's production; one of the site with all production
        ids = [m.id for m in meters if m.role == "production" and (ctl.line_id is None or m.line_id == ctl.line_id)] or prod
        if not ids:
            continue
        p, pb = _sums(ids, actual, base, hours)
        c, cb = _sums([ctl.id], actual, base, hours)
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
