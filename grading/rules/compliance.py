"""Verification of orders (issue 19): was a stop, a curtailment, a transport ban obeyed? Pure checks on aggregated numbers.

Each check is a cited rule whose thresholds are settings: a pack may declare them under `settings` (same form as the
other settings: value + source/rule, or local_setting + why); otherwise the default below applies, with its own
citation or "local setting" reason. Every result carries the settings it read (`settings`), so a page shows the
threshold beside the anomaly.

- R-CK-01 (000:129 采用企业实际用电量核实; 001:93, 004:382 电量核查; 003:73 电力部门电量数据): a line ordered to
  stop whose production electricity over the window stays above a share of its baseline.
- R-CK-02 (same clauses): a curtailment whose reduction of production electricity falls short of its percentage by
  more than a tolerance.
- R-CK-03 (004:335 分表计电: 对企业污染处理设施运行情况进行精准管理): a pollution-control facility off (its meter
  below a share of its own baseline) in hours when production runs.
- R-CK-04 (001:107, 003:55 数据传输有效率达到90%; 002:424 一个月内传输有效率达不到90%…按不正常运行监控设施查处;
  R-V-07: also during 限产、停产、检修): CEMS effective transmission below the required rate in the window,
  or nothing at all received while the line is stopped or curtailed.
- R-CK-05 (000:139, 001:103, 004:394; R-TR-02 门禁系统数据): a vehicle of a banned class entering during an alert at
  which the pack's transport ban applies.

Inputs are plain numbers (the registry aggregates the readings with DuckDB); output is a `Check` with `anomaly`
True/False, the evidence numbers (`params`), a severity and the reasons. No registry imports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional, Sequence

from grading.decisions import Reason
from grading.packs import Pack

CHECKS = ("stopped_line_power", "curtailment_shortfall", "control_off", "cems_transmission", "banned_vehicle")
SEVERITIES = ("low", "medium", "high")

# The rule of each check, its clause(s) (the first is the citation), and the R-V/R-TR rules of DOMAIN.md it applies.
RULES: dict[str, dict[str, Any]] = {
    "stopped_line_power": {"rule": "R-CK-01", "source": "000:129", "also": ("001:93", "004:382", "003:73"),
                           "applies": ("R-V-01", "R-V-02", "R-V-03")},
    "curtailment_shortfall": {"rule": "R-CK-02", "source": "000:129", "also": ("001:93", "004:382", "003:73"),
                              "applies": ("R-V-01", "R-V-02")},
    "control_off": {"rule": "R-CK-03", "source": "004:335", "also": ("003:73",), "applies": ("R-V-04",)},
    "cems_transmission": {"rule": "R-CK-04", "source": "001:107", "also": ("003:55", "002:424"),
                          "applies": ("R-V-06", "R-V-07", "R-V-08")},
    "banned_vehicle": {"rule": "R-CK-05", "source": "000:139", "also": ("001:103", "004:394"),
                       "applies": ("R-TR-02", "R-TR-03")},
}

# Default settings, in the packs' settings form. A pack overrides one by declaring the same name under `settings`.
DEFAULTS: dict[str, dict[str, Any]] = {
    "compliance_stop_max_share": {
        "value": 25, "local_setting": True, "rule": "R-CK-01",
        "why": "LOCAL SETTING: 000:129 verifies by actual electricity but states no share. A stopped line keeps only "
               "standby load; studies of industrial electricity in a control period found fully stopped enterprises "
               "fell by more than 75 %, so above 25 % of the baseline the stop is doubted."},
    "compliance_curtail_tolerance": {
        "value": 10, "local_setting": True, "rule": "R-CK-02",
        "why": "LOCAL SETTING: electricity falls roughly in proportion to the curtailment but not exactly (standby "
               "and auxiliary loads); a reduction short of the ordered percentage by more than 10 points is doubted."},
    "compliance_min_baseline_kwh": {
        "value": 1.0, "local_setting": True, "rule": "R-CK-01",
        "why": "LOCAL SETTING: a baseline below 1 kWh over the window cannot tell production from standby; no check."},
    "compliance_production_running_share": {
        "value": 25, "local_setting": True, "rule": "R-CK-03",
        "why": "LOCAL SETTING: an hour counts as producing when the production meters draw more than a stopped line "
               "may (25 % of their baseline for that hour, compliance_stop_max_share): a curtailed line still runs."},
    "compliance_control_off_share": {
        "value": 20, "local_setting": True, "rule": "R-CK-03",
        "why": "LOCAL SETTING: a pollution-control facility counts as off in an hour when its separate meter "
               "(分表计电, 004:335) draws less than 20 % of its baseline for that hour."},
    "compliance_control_off_min_hours": {
        "value": 2, "local_setting": True, "rule": "R-CK-03",
        "why": "LOCAL SETTING: one hour off may be a meter gap or a short stop; two or more producing hours with the "
               "control facility off make an anomaly."},
    "compliance_cems_min_rate": {
        "value": 90, "source": "001:107", "rule": "R-CK-04",
        "why": "数据传输有效率达到90% (001:107, 003:55; 002:424 over a month): the required effective transmission rate."},
    "compliance_cems_valid_flags": {
        "value": ["N", "F", "M", "S", "T", "C"], "local_setting": True, "rule": "R-CK-04",
        "why": "LOCAL SETTING: HJ 212-2017 data flags that count as effective transmission: N normal, F stopped "
               "(a stopped line still transmits, 001:107), M maintenance, S manual set value, T over-range, "
               "C calibration; D fault and B communication failure do not count."},
    "compliance_gate_high_count": {
        "value": 3, "local_setting": True, "rule": "R-CK-05",
        "why": "LOCAL SETTING: three or more banned entries in one alert window are a high-severity anomaly; fewer "
               "may be a permitted exception (safe production, livelihood goods) the enterprise can explain."},
}

_STANDARDS = {"china_0": 0, "china_1": 1, "china_2": 2, "china_3": 3, "china_4": 4, "china_5": 5, "china_6": 6,
              "electric": 9}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIESEL = {"diesel", "柴油"}
_ELECTRIC = {"electric", "electricity", "电", "电动", "纯电"}


@dataclass(frozen=True)
class SettingUsed:
    """A threshold the check read, as shown beside the result: name, value, source or 'local setting', why."""

    name: str
    value: Any
    source: str
    rule: str
    why: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "source": self.source, "rule": self.rule, "why": self.why}


@dataclass(frozen=True)
class Check:
    """One check's result for one subject (line, meter, stack or gate) and window."""

    check: str
    anomaly: bool
    severity: Optional[str] = None
    params: Mapping[str, Any] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    settings: tuple[SettingUsed, ...] = ()
    applicable: bool = True

    @property
    def rule(self) -> str:
        return RULES[self.check]["rule"]

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "rule": self.rule, "anomaly": self.anomaly, "severity": self.severity,
                "applicable": self.applicable, "params": dict(self.params),
                "reasons": [r.as_dict() for r in self.reasons], "settings": [s.as_dict() for s in self.settings]}


def setting(pack: Optional[Pack], name: str) -> SettingUsed:
    """The pack's setting `name` if it declares one, else the default; with its citation."""
    node = None
    if pack is not None:
        node = (pack.section("settings") or {}).get(name)
    if node is None:
        node = DEFAULTS[name]
    src = "local setting" if node.get("local_setting") or "source" not in node else str(node["source"])
    return SettingUsed(name, node.get("value"), src, str(node.get("rule", RULES_BY_SETTING.get(name, ""))),
                       str(node.get("why", node.get("note", ""))))


RULES_BY_SETTING = {k: v["rule"] for k, v in DEFAULTS.items()}


def _reasons(check: str, *extra: Reason) -> tuple[Reason, ...]:
    r = RULES[check]
    out = [Reason(r["rule"], r["source"], f"verification ({check})")]
    for src in r["also"]:
        out.append(Reason(r["rule"], src, ""))
    return tuple(out) + extra


def _none(check: str, params: Mapping[str, Any], settings: Iterable[SettingUsed], applicable: bool = True) -> Check:
    return Check(check, False, None, dict(params), _reasons(check), tuple(settings), applicable)


def _pct(x: float) -> float:
    return round(x * 100.0, 1)


def stopped_line_power(pack: Optional[Pack], baseline_kwh: float, actual_kwh: float) -> Check:
    """R-CK-01: a line under a stop order; production electricity over the window vs its baseline for that window."""
    share_s, min_s = setting(pack, "compliance_stop_max_share"), setting(pack, "compliance_min_baseline_kwh")
    params = {"baseline_kwh": round(float(baseline_kwh), 3), "actual_kwh": round(float(actual_kwh), 3),
              "max_share": share_s.value}
    if baseline_kwh < float(min_s.value):
        return _none("stopped_line_power", {**params, "share": None}, (share_s, min_s), applicable=False)
    share = actual_kwh / baseline_kwh
    params["share"] = _pct(share)
    if share * 100.0 <= float(share_s.value):
        return _none("stopped_line_power", params, (share_s, min_s))
    severity = "high" if share * 100.0 >= 2 * float(share_s.value) else "medium"
    return Check("stopped_line_power", True, severity, params, _reasons("stopped_line_power"), (share_s, min_s))


def curtailment_shortfall(pack: Optional[Pack], baseline_kwh: float, actual_kwh: float, percentage: float) -> Check:
    """R-CK-02: a curtailment of `percentage` %; the reduction of production electricity vs the baseline."""
    tol_s, min_s = setting(pack, "compliance_curtail_tolerance"), setting(pack, "compliance_min_baseline_kwh")
    params = {"baseline_kwh": round(float(baseline_kwh), 3), "actual_kwh": round(float(actual_kwh), 3),
              "percentage": float(percentage), "tolerance": tol_s.value}
    if baseline_kwh < float(min_s.value):
        return _none("curtailment_shortfall", {**params, "reduction": None}, (tol_s, min_s), applicable=False)
    reduction = (1.0 - actual_kwh / baseline_kwh) * 100.0
    params["reduction"] = round(reduction, 1)
    shortfall = float(percentage) - reduction
    params["shortfall"] = round(shortfall, 1)
    if shortfall <= float(tol_s.value):
        return _none("curtailment_shortfall", params, (tol_s, min_s))
    severity = "high" if reduction <= 0 or shortfall >= 2 * float(tol_s.value) else "medium"
    return Check("curtailment_shortfall", True, severity, params, _reasons("curtailment_shortfall"), (tol_s, min_s))


def control_off(pack: Optional[Pack], hours: Sequence[Sequence[float]]) -> Check:
    """R-CK-03: `hours` are (production_kwh, production_baseline_kwh, control_kwh, control_baseline_kwh) per hour
    of the window; an hour counts when production runs and the control facility's meter is below its share."""
    run_s = setting(pack, "compliance_production_running_share")
    off_s = setting(pack, "compliance_control_off_share")
    min_s = setting(pack, "compliance_control_off_min_hours")
    used = (run_s, off_s, min_s)
    running = off = 0
    for prod, prod_base, ctl, ctl_base in hours:
        if prod_base <= 0 or prod < prod_base * float(run_s.value) / 100.0:
            continue
        running += 1
        if ctl_base > 0 and ctl < ctl_base * float(off_s.value) / 100.0:
            off += 1
    params = {"running_hours": running, "off_hours": off, "min_hours": min_s.value, "hours": len(hours)}
    if running == 0:
        return _none("control_off", params, used, applicable=False)
    if off < int(min_s.value):
        return _none("control_off", params, used)
    severity = "high" if off * 2 >= running else "medium"
    return Check("control_off", True, severity, params, _reasons("control_off"), used)


def cems_transmission(pack: Optional[Pack], expected: int, flags: Mapping[str, int], measure: str = "none") -> Check:
    """R-CK-04: `expected` hourly values in the window, `flags` the count of received values per HJ 212 flag;
    `measure` the line's order in the window (stop/curtail: 001:107 限产、停产 … 均应保证 … 联网传输数据)."""
    rate_s, valid_s = setting(pack, "compliance_cems_min_rate"), setting(pack, "compliance_cems_valid_flags")
    valid = sum(int(n) for f, n in flags.items() if f in set(valid_s.value))
    received = sum(int(n) for n in flags.values())
    params: dict[str, Any] = {"expected": int(expected), "received": received, "valid": valid,
                              "min_rate": rate_s.value, "measure": measure}
    if expected <= 0:
        return _none("cems_transmission", {**params, "rate": None}, (rate_s, valid_s), applicable=False)
    rate = min(valid, expected) / expected * 100.0
    params["rate"] = round(rate, 1)
    if rate >= float(rate_s.value):
        return _none("cems_transmission", params, (rate_s, valid_s))
    under_order = measure in ("stop", "curtail")
    params["missing_during_order"] = under_order and valid == 0
    severity = "high" if under_order or rate < float(rate_s.value) / 2 else "medium"
    return Check("cems_transmission", True, severity, params, _reasons("cems_transmission"), (rate_s, valid_s))


@lru_cache(maxsize=4096)  # pure, on a few distinct strings: memoised (issue 19 speed, a gate logs thousands of entries)
def standard_rank(value: str) -> Optional[int]:
    """国五 / 国5 / china_5 / 电动 → a rank (electric above every China standard); None if unknown."""
    v = (value or "").strip()
    if v.lower() in _STANDARDS:
        return _STANDARDS[v.lower()]
    if v in _ELECTRIC:
        return 9
    if v.startswith("国") and len(v) >= 2:
        d = v[1]
        if d.isdigit():
            return int(d)
        if d in _CN_DIGITS:
            return _CN_DIGITS[d]
    if v.upper().startswith("CHINA") and v[-1:].isdigit():
        return int(v[-1])
    return None


@lru_cache(maxsize=4096)  # pure, per distinct (class, fuel, standard)
def _vehicle_in_class(vehicles: str, fuel: str, standard: str) -> bool:
    """Whether a gate entry is of the class a ban names (the pack's transport.alert_ban.vehicles)."""
    if (fuel or "").strip().lower() in _ELECTRIC or standard_rank(standard) == 9:
        return vehicles == "all_transport_vehicles"
    if vehicles == "diesel_trucks":
        return (fuel or "").strip().lower() in _DIESEL
    return True  # heavy_goods_vehicles, all_transport_vehicles: every truck the gate logs


def ban_levels(pack: Pack) -> Optional[tuple[str, ...]]:
    """The alert levels at which the pack's transport ban applies (None: the pack has no ban)."""
    ban = (pack.section("transport") or {}).get("alert_ban")
    if not ban:
        return None
    levels = pack.setting(ban["levels_setting"]) if "levels_setting" in ban else ban.get("levels", [])
    return tuple(levels or ())


def banned_vehicle(pack: Pack, level: str, entries: Iterable[Mapping[str, Any]]) -> Check:
    """R-CK-05: gate entries (direction 'in' counted; keys plate, fuel, emission_standard) during an alert at
    `level`. An entry is banned when it is of the ban's vehicle class and below the exception standard (where the
    pack has one, 001:103 / 004:394 国五及以上); with no exception standard (000:139) every truck is, but only the
    safe-production exception remains, which the enterprise explains."""
    high_s = setting(pack, "compliance_gate_high_count")
    ban = (pack.section("transport") or {}).get("alert_ban")
    levels = ban_levels(pack)
    rows = [e for e in entries if str(e.get("direction", "in")).lower() == "in"]
    params: dict[str, Any] = {"level": level, "entries": len(rows), "banned": 0, "plates": []}
    if not ban or level not in (levels or ()):
        return Check("banned_vehicle", False, None, params, (), (high_s,), applicable=False)
    minimum = ban.get("exception_min_standard")
    min_rank = standard_rank(minimum) if minimum else None
    params["vehicles"], params["exception_min_standard"] = ban["vehicles"], minimum
    plates = []
    for e in rows:
        if not _vehicle_in_class(ban["vehicles"], str(e.get("fuel", "")), str(e.get("emission_standard", ""))):
            continue
        rank = standard_rank(str(e.get("emission_standard", "")))
        if min_rank is not None and rank is not None and rank >= min_rank:
            continue  # may be an exception (国五及以上 in one of the named categories)
        plates.append(str(e.get("plate", "")))
    params["banned"], params["plates"] = len(plates), sorted(set(plates))
    cite = Reason(str(ban["rule"]), str(ban["source"]), "transport ban of the pack")
    used = (high_s,)
    if not plates:
        return Check("banned_vehicle", False, None, params, _reasons("banned_vehicle", cite), used)
    severity = "high" if len(plates) >= int(high_s.value) or min_rank is not None else "medium"
    return Check("banned_vehicle", True, severity, params, _reasons("banned_vehicle", cite), used)


def run(pack: Optional[Pack], check: str, data: Mapping[str, Any]) -> Check:
    """One check from a document (the scenario library's and the registry's single entry point)."""
    if check == "stopped_line_power":
        return stopped_line_power(pack, float(data["baseline_kwh"]), float(data["actual_kwh"]))
    if check == "curtailment_shortfall":
        return curtailment_shortfall(pack, float(data["baseline_kwh"]), float(data["actual_kwh"]),
                                     float(data["percentage"]))
    if check == "control_off":
        return control_off(pack, [tuple(map(float, h)) for h in data["hours"]])
    if check == "cems_transmission":
        return cems_transmission(pack, int(data["expected"]), dict(data.get("flags", {})),
                                 str(data.get("measure", "none")))
    if check == "banned_vehicle":
        if pack is None:
            raise ValueError("banned_vehicle needs a pack (its transport ban)")
        return banned_vehicle(pack, str(data["level"]), list(data.get("entries", [])))
    raise ValueError(f"unknown check {check!r}")
