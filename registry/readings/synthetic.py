"""Synthetic readings with a known truth (issue 19 item 1): normal days, an episode, and a known set of violators of
each kind, so the checks can be asserted to find exactly those — in tests on a few enterprises, in the demo, and in
the bench at province scale (60,000 enterprises × 2 meters × 96 readings a day).

Pure and deterministic (numpy, a seed): no database. A `Plan` lists enterprises with plain ids (the demo maps them to
its rows, the bench invents them); `generate(plan)` yields canonical Arrow tables per kind and (city, day), and
`plan.truth` is the list of planted violations.

What "normal" and "violation" look like (the thresholds the checks use are theirs; these are chosen well clear of
any sensible threshold so the truth is unambiguous):

- production meter: a steady load (50–500 kWh per quarter hour) with a ±8 % daily shape and ±3 % noise; every
  working day alike, weekends at 90 %.
- control meter (pollution-control facility): 15 % of its production meter, following it.
- order "stop" during the window: production falls to 3 % of normal (standby), control may stop too.
  Violation `stopped_drawing_power`: production stays at 70 % of normal.
- order "curtail" by p %: production falls to (1 − p − 5 %) of normal. Violation `curtailment_short`: it falls by
  only a third of p.
- Violation `control_off`: an enterprise running (curtailed or without a measure) whose control meter drops to 1 %
  of its normal for 8 consecutive hours inside the window while production runs.
- CEMS (one stack per enterprise with `stack`): hourly values, status N while running, F while stopped (the stack
  keeps transmitting during a shutdown, 001:107 / 002:424 / 003:55). Violation `cems_missing_during_shutdown`: a
  stopped enterprise whose stack sends nothing in the window. Violation `cems_below_rate`: a running enterprise whose
  stack sends only 60 % of the window's hours.
- Gate: 6 trucks in and out per working day (国5/国6 diesel, natural gas, electric). During a transport ban
  (`transport_ban`, 001:103 / 004:394 / 000:139) compliant enterprises move only 国6, natural gas or electric
  vehicles, or none at all where the ban has no exception standard (`ban_all_vehicles`, 000:139). Violation `banned_truck`: one 国4 diesel truck enters (and leaves) during the window.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import pyarrow as pa

from registry.readings.store import SCHEMAS

VIOLATIONS = ("stopped_drawing_power", "curtailment_short", "control_off", "cems_missing_during_shutdown",
              "cems_below_rate", "banned_truck")
BANNED_STANDARD = "国4"
CONTROL_OFF_HOURS = 8


@dataclass
class EnterprisePlan:
    enterprise_id: int
    city_code: str
    production_meter: int                 # meter ids (Meter.id in the demo)
    control_meter: int | None = None
    stack: int | None = None              # Stack.id
    measure: str = "none"                 # none | stop | curtail (the order in force during the window)
    curtail_pct: float = 0.0              # 0–100, for "curtail"
    transport_ban: bool = False
    ban_all_vehicles: bool = False        # the ban has no exception standard (000:139): compliant means no truck
    plate_prefix: str = "冀R"
    violations: tuple[str, ...] = ()      # planted, from VIOLATIONS


@dataclass
class Violation:
    kind: str
    enterprise_id: int
    meter_id: int | None = None
    stack_id: int | None = None
    plate: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass
class Plan:
    enterprises: list[EnterprisePlan]
    first_day: date                       # first normal day
    normal_days: int                      # calendar days before the episode's first day
    window_start: datetime                # the episode's orders (Beijing time, half-open)
    window_end: datetime
    after_days: int = 0                   # calendar days after the window's last day
    seed: int = 19
    truth: list[Violation] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        last = (self.window_end - timedelta(microseconds=1)).date() + timedelta(days=self.after_days)
        return [self.first_day + timedelta(days=i) for i in range((last - self.first_day).days + 1)]

    @property
    def cities(self) -> list[str]:
        return sorted({e.city_code for e in self.enterprises})

    def windows(self) -> pa.Table:
        """(key, meter_id, start, end) for every production and control meter: the orders' windows to compare."""
        keys, meters = [], []
        for e in self.enterprises:
            for m in (e.production_meter, e.control_meter):
                if m is not None:
                    keys.append(e.enterprise_id)
                    meters.append(m)
        n = len(keys)
        return pa.table({"key": pa.array(keys, pa.int64()), "meter_id": pa.array(meters, pa.int64()),
                         "start": pa.array([self.window_start] * n, pa.timestamp("us")),
                         "end": pa.array([self.window_end] * n, pa.timestamp("us"))})

    def expected(self) -> set[tuple[str, int]]:
        """The truth as (kind, enterprise_id) pairs, for set comparisons."""
        return {(v.kind, v.enterprise_id) for v in self.truth}


def plan_province(enterprises: int, cities: list[str], *, first_day: date, normal_days: int = 14,
                  episode_days: int = 5, violators_per_kind: int | None = None, seed: int = 19,
                  stop_share: float = 0.3, curtail_share: float = 0.4, with_stacks: float = 0.3) -> Plan:
    """A plan with invented ids: enterprise i has meters 2i+1 (production), 2i+2 (control), stack i+1 (for a share);
    30 % stop, 40 % curtail (30 or 50 %), the rest have no measure; every enterprise under the transport ban.
    `violators_per_kind` (default 1 per 1,000 enterprises, at least 1) of each kind, on disjoint enterprises."""
    rng = np.random.default_rng(seed)
    window_start = datetime.combine(first_day + timedelta(days=normal_days), time(0))
    plan = Plan([], first_day, normal_days, window_start, window_start + timedelta(days=episode_days), seed=seed)
    draw = rng.random(enterprises)
    stacked = rng.random(enterprises) < with_stacks
    for i in range(enterprises):
        measure = "stop" if draw[i] < stop_share else "curtail" if draw[i] < stop_share + curtail_share else "none"
        plan.enterprises.append(EnterprisePlan(
            enterprise_id=i + 1, city_code=cities[i % len(cities)], production_meter=2 * i + 1, control_meter=2 * i + 2,
            stack=i + 1 if stacked[i] else None, measure=measure,
            curtail_pct=(30.0 if i % 2 else 50.0) if measure == "curtail" else 0.0, transport_ban=True))
    per_kind = violators_per_kind if violators_per_kind is not None else max(1, enterprises // 1000)
    plant(plan, per_kind, rng)
    return plan


def plant(plan: Plan, per_kind: int, rng: np.random.Generator | None = None) -> None:
    """Choose `per_kind` enterprises for each violation (disjoint), among those it can apply to, and write the truth."""
    rng = rng or np.random.default_rng(plan.seed)
    taken: set[int] = set()
    eligible = {
        "stopped_drawing_power": lambda e: e.measure == "stop",
        "curtailment_short": lambda e: e.measure == "curtail" and e.curtail_pct >= 20,
        "control_off": lambda e: e.measure != "stop" and e.control_meter is not None,
        "cems_missing_during_shutdown": lambda e: e.measure == "stop" and e.stack is not None,
        "cems_below_rate": lambda e: e.measure != "stop" and e.stack is not None,
        "banned_truck": lambda e: e.transport_ban,
    }
    for kind in VIOLATIONS:
        pool = [i for i, e in enumerate(plan.enterprises) if i not in taken and eligible[kind](e)]
        if not pool:
            continue
        chosen = rng.choice(len(pool), size=min(per_kind, len(pool)), replace=False)
        for j in sorted(int(c) for c in chosen):
            i = pool[j]
            taken.add(i)
            e = plan.enterprises[i]
            e.violations = (*e.violations, kind)
    plan.truth = truth_of(plan)


def truth_of(plan: Plan) -> list[Violation]:
    out = []
    for e in plan.enterprises:
        for kind in e.violations:
            v = Violation(kind, e.enterprise_id, start=plan.window_start, end=plan.window_end)
            if kind in ("stopped_drawing_power", "curtailment_short"):
                v.meter_id = e.production_meter
            elif kind == "control_off":
                v.meter_id = e.control_meter
                v.start = plan.window_start + timedelta(hours=_control_off_start(plan))
                v.end = v.start + timedelta(hours=CONTROL_OFF_HOURS)
            elif kind.startswith("cems"):
                v.stack_id = e.stack
            elif kind == "banned_truck":
                v.plate = _banned_plate(e)
            out.append(v)
    return out


def _control_off_start(plan: Plan) -> int:
    """Hours after the window start when the planted control-off spell begins (inside the window)."""
    span = int((plan.window_end - plan.window_start).total_seconds() // 3600)
    return max(0, min(10, span - CONTROL_OFF_HOURS))


def _banned_plate(e: EnterprisePlan) -> str:
    return f"{e.plate_prefix}X{e.enterprise_id % 100000:05d}"


# ---------------------------------------------------------------------------------------------------- generation
class _Arrays:
    """Per-enterprise parameters as numpy arrays, built once per plan."""

    def __init__(self, plan: Plan):
        rng = np.random.default_rng(plan.seed + 1)
        es = plan.enterprises
        self.n = len(es)
        self.eid = np.array([e.enterprise_id for e in es], np.int64)
        self.city = np.array([e.city_code for e in es])
        self.prod = np.array([e.production_meter for e in es], np.int64)
        self.ctrl = np.array([e.control_meter if e.control_meter is not None else -1 for e in es], np.int64)
        self.stack = np.array([e.stack if e.stack is not None else -1 for e in es], np.int64)
        self.level = rng.uniform(50, 500, self.n)
        self.phase = rng.uniform(0, 2 * np.pi, self.n)
        measure = np.array([e.measure for e in es])
        pct = np.array([e.curtail_pct for e in es]) / 100.0
        viol = [set(e.violations) for e in es]
        self.has = {k: np.array([k in v for v in viol], bool) for k in VIOLATIONS}
        # production factor during the window
        f = np.ones(self.n)
        f[measure == "stop"] = 0.03
        cur = measure == "curtail"
        f[cur] = 1.0 - pct[cur] - 0.05
        f[self.has["stopped_drawing_power"]] = 0.70
        short = self.has["curtailment_short"]
        f[short] = 1.0 - pct[short] / 3.0
        self.window_factor = f
        self.stopped = measure == "stop"
        self.ban = np.array([e.transport_ban for e in es], bool)
        self.ban_all = np.array([e.ban_all_vehicles for e in es], bool)
        self.plate_prefix = [e.plate_prefix for e in es]


def generate(plan: Plan, kinds: tuple[str, ...] = ("electricity", "cems", "gate"),
             cities: list[str] | None = None) -> Iterator[tuple[str, str, date, pa.Table]]:
    """(kind, city_code, day, table) for every city and day of the plan; tables are canonical (store.SCHEMAS)."""
    arrays = _Arrays(plan)
    for day in plan.days:
        for city in cities or plan.cities:
            idx = np.nonzero(arrays.city == city)[0]
            if not len(idx):
                continue
            if "electricity" in kinds:
                yield "electricity", city, day, _electricity(plan, arrays, idx, city, day)
            if "cems" in kinds:
                table = _cems(plan, arrays, idx, city, day)
                if table.num_rows:
                    yield "cems", city, day, table
            if "gate" in kinds:
                table = _gate(plan, arrays, idx, city, day)
                if table.num_rows:
                    yield "gate", city, day, table


def _in_window(plan: Plan, ts: np.ndarray) -> np.ndarray:
    return (ts >= np.datetime64(plan.window_start, "us")) & (ts < np.datetime64(plan.window_end, "us"))


def _electricity(plan: Plan, a: _Arrays, idx: np.ndarray, city: str, day: date) -> pa.Table:
    quarters = 96
    base = np.datetime64(datetime.combine(day, time()), "us")
    ts_day = base + np.arange(quarters) * np.timedelta64(15, "m")
    hours = np.arange(quarters) / 4.0
    rng = np.random.default_rng(plan.seed * 1_000_003 + day.toordinal() * 101 + int(city))
    n = len(idx)
    shape = 1.0 + 0.08 * np.sin(2 * np.pi * hours[None, :] / 24.0 + a.phase[idx, None])
    noise = 1.0 + 0.03 * rng.standard_normal((n, quarters))
    weekend = 0.9 if day.weekday() >= 5 else 1.0
    prod = a.level[idx, None] * shape * noise * weekend
    inwin = _in_window(plan, ts_day)
    factor = np.where(inwin[None, :], a.window_factor[idx, None], 1.0)
    prod = prod * factor
    ctrl = prod * 0.15 * (1.0 + 0.02 * rng.standard_normal((n, quarters)))
    off = a.has["control_off"][idx]
    if off.any():
        lo = np.datetime64(plan.window_start + timedelta(hours=_control_off_start(plan)), "us")
        hi = lo + np.timedelta64(CONTROL_OFF_HOURS, "h")
        spell = (ts_day >= lo) & (ts_day < hi)
        ctrl[np.ix_(off, spell)] *= 0.01  # 1 % of its normal
    has_ctrl = a.ctrl[idx] >= 0
    meters = np.concatenate([a.prod[idx], a.ctrl[idx][has_ctrl]])
    eids = np.concatenate([a.eid[idx], a.eid[idx][has_ctrl]])
    kwh = np.concatenate([prod, ctrl[has_ctrl]])
    m = len(meters)
    return pa.table({
        "city_code": pa.array(np.full(m * quarters, city)),
        "day": pa.array(np.full(m * quarters, np.datetime64(day, "D"))),
        "enterprise_id": pa.array(np.repeat(eids, quarters)),
        "meter_id": pa.array(np.repeat(meters, quarters)),
        "ts": pa.array(np.tile(ts_day, m)),
        "kwh": pa.array(np.round(kwh.ravel(), 3)),
    }, schema=SCHEMAS["electricity"])


def _cems(plan: Plan, a: _Arrays, idx: np.ndarray, city: str, day: date) -> pa.Table:
    idx = idx[a.stack[idx] >= 0]
    if not len(idx):
        return SCHEMAS["cems"].empty_table()
    base = np.datetime64(datetime.combine(day, time()), "us")
    ts_day = base + np.arange(24) * np.timedelta64(1, "h")
    inwin = _in_window(plan, ts_day)
    rng = np.random.default_rng(plan.seed * 7919 + day.toordinal() * 13 + int(city))
    n = len(idx)
    keep = np.ones((n, 24), bool)
    missing = a.has["cems_missing_during_shutdown"][idx]
    keep[np.ix_(missing, inwin)] = False
    low = a.has["cems_below_rate"][idx]
    if low.any():
        # drop 40 % of the window's hours, the same hours each day: hour-of-day % 5 in (1, 3)
        drop = inwin & np.isin(np.arange(24) % 5, (1, 3))
        keep[np.ix_(low, drop)] = False
    stopped_now = a.stopped[idx, None] & inwin[None, :]
    load = np.where(stopped_now, 0.02, 1.0)
    so2 = np.round(rng.uniform(5, 30, (n, 24)) * load, 2)
    nox = np.round(rng.uniform(20, 80, (n, 24)) * load, 2)
    pm = np.round(rng.uniform(1, 8, (n, 24)) * load, 2)
    o2 = np.round(np.where(stopped_now, 20.6, rng.uniform(8, 12, (n, 24))), 2)
    flow = np.round(rng.uniform(8e4, 2e5, (n, 24)) * load, 0)
    status = np.where(stopped_now, "F", "N")
    k = keep.ravel()
    return pa.table({
        "city_code": pa.array(np.full(int(k.sum()), city)),
        "day": pa.array(np.full(int(k.sum()), np.datetime64(day, "D"))),
        "enterprise_id": pa.array(np.repeat(a.eid[idx], 24)[k]),
        "stack_id": pa.array(np.repeat(a.stack[idx], 24)[k]),
        "ts": pa.array(np.tile(ts_day, n)[k]),
        "so2": pa.array(so2.ravel()[k]), "nox": pa.array(nox.ravel()[k]), "pm": pa.array(pm.ravel()[k]),
        "o2": pa.array(o2.ravel()[k]), "flow": pa.array(flow.ravel()[k]), "status": pa.array(status.ravel()[k]),
    }, schema=SCHEMAS["cems"])


_NORMAL_FLEET = (("国5", "柴油"), ("国6", "柴油"), ("国6", "天然气"), ("电动", "电"), ("国6", "柴油"), ("国5", "柴油"))
BAN_FLEET = (("国6", "柴油"), ("国6", "天然气"), ("电动", "电"))


def _gate(plan: Plan, a: _Arrays, idx: np.ndarray, city: str, day: date) -> pa.Table:
    """Six trucks a working day per enterprise (fewer rows than meters: built in Python, per enterprise)."""
    if day.weekday() >= 5:
        return SCHEMAS["gate"].empty_table()
    cols: dict[str, list] = {k: [] for k in ("enterprise_id", "ts", "plate", "emission_standard", "fuel", "cargo",
                                             "direction")}
    day0 = datetime.combine(day, time())

    def truck(eid, plate, standard, fuel, at_in, at_out, cargo="钢材"):
        for at, direction in ((at_in, "in"), (at_out, "out")):
            cols["enterprise_id"].append(eid)
            cols["ts"].append(at)
            cols["plate"].append(plate)
            cols["emission_standard"].append(standard)
            cols["fuel"].append(fuel)
            cols["cargo"].append(cargo)
            cols["direction"].append(direction)

    for i in idx:
        eid = int(a.eid[i])
        for k in range(6):
            at_in = day0 + timedelta(hours=7 + 2 * k, minutes=(eid * 7 + k * 11) % 50)
            at_out = at_in + timedelta(minutes=45)
            banned_now = bool(a.ban[i]) and plan.window_start <= at_in < plan.window_end
            if banned_now and a.ban_all[i]:
                continue  # every vehicle banned (000:139): a compliant enterprise moves none
            fleet = BAN_FLEET if banned_now else _NORMAL_FLEET
            standard, fuel = fleet[(eid + k) % len(fleet)]
            truck(eid, f"{a.plate_prefix[i]}{chr((75 if banned_now else 65) + k)}{eid % 100000:05d}", standard, fuel,
                  at_in, at_out)
        if a.has["banned_truck"][i]:
            at_in = max(plan.window_start, day0) + timedelta(hours=9, minutes=17)
            if plan.window_start <= at_in < plan.window_end and at_in.date() == day:
                truck(eid, _banned_plate(plan.enterprises[i]), BANNED_STANDARD, "柴油", at_in,
                      at_in + timedelta(minutes=40), cargo="煤炭")
    n = len(cols["ts"])
    return pa.table({"city_code": [city] * n, "day": [day] * n, **cols}, schema=SCHEMAS["gate"])
