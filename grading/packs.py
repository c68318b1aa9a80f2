"""Load and validate policy packs (政策包): one YAML file per jurisdiction and season.

Loading refuses, naming file and key: unknown keys, duplicate keys, missing citations (`source`
file:line + `rule` id) on any number, date, list or switch, bad dates, overlapping windows, and
percentages outside 0-100. Values marked `local_setting: true` are not from the sources and must
say `why` instead of a source (e.g. the heating season, R-T-05).
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from grading.catalogue import TRIGGER_CONSEQUENCES, TRIGGER_PREDICATES
from grading.decisions import Reason, Window
from grading.errors import PackError
from grading.vocab import AlertLevel, Measure

PACK_DIR = Path(__file__).parent / "packs"

# NNN:line — a shipped source; D<id>:line — a policy document uploaded with an official's pack (issue 20)
SOURCE_RE = re.compile(r"^(\d{3}|D\d+):\d+([–-]\d+)?( / annex \d+)?$")
RULE_RE = re.compile(r"^(R-[A-Z]+-\d+|X-\d{2}|F-\d{2}b?|D-\d{2})$")
MONTH_DAY_RE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")

CITE = {"source", "rule", "note", "value", "options", "why", "local_setting"}
MATCH = {"sectors", "sub_types", "kinds", "fuels"}
FREE = object()  # a mapping whose keys are data (e.g. ratios per level)

# Allowed keys per path; list items are `[]`, any mapping key is `*`.
SPEC: dict[str, Any] = {
    "": {"id", "title", "title_en", "jurisdiction", "province", "source_file", "period", "alert_levels",
         "heating_season", "settings", "sector_measures", "alert_measures", "emergency_exemptions",
         "livelihood_projects", "livelihood", "triggers", "emergency", "transport", "thresholds", "exemptions",
         "replacement_windows", "emergency_list", "eligibility", "benchmark", "staggering_list",
         "emergency_grading", "tiers", "voc_health_check", "emergency_measures", "grade_workflow", "monitoring_duty",
         "county_supervision"},
    "period": CITE | {"start", "end"},
    "alert_levels": CITE,
    "heating_season": CITE | {"start_month_day", "end_month_day"},
    "settings": FREE,
    "settings.*": CITE,
    "settings.*.value": FREE,
    "sector_measures[]": CITE | MATCH | {"id", "measure", "percentage_min", "percentage_max", "basis", "basis_setting",
                                         "verification", "setting", "excluded", "approval_exception", "flag",
                                         "flag_when", "coking_time_hours", "condition_note"},
    "sector_measures[].verification": CITE | {"method"},
    "sector_measures[].excluded[]": CITE | MATCH | {"requires_compliant", "requires_enclosed", "requires_no_firing"},
    "sector_measures[].approval_exception": CITE | {"approval"},
    "sector_measures[].flag": CITE | {"code", "message", "default"},
    "sector_measures[].flag_when[]": CITE | MATCH | {"code", "message", "default", "default_setting"},
    "alert_measures[]": CITE | MATCH | {"id", "levels", "levels_setting", "measure"},
    "emergency_exemptions[]": CITE | MATCH | {"id", "min_status", "max_percent_of_limit", "force", "open_list", "applies_to"},
    "livelihood_projects": CITE | {"id", "sub_types", "requires_approvals"},
    "livelihood": CITE | MATCH | {"open_list_sectors", "tasks", "outcome", "filing_deadline", "filed_with"},
    "triggers[]": CITE | {"id", "predicate", "consequence", "effective_from", "heating_season_only", "threshold",
                          "stop_days", "stack_height_m", "kinds"},
    "emergency": {"ratios", "resplit_so2_nox", "baseline_days", "target_base"},
    "emergency.ratios": CITE | {"ratio_pollutants_setting", "in_principle"},
    "emergency.ratios.value": FREE,
    "emergency.ratios.value.*": FREE,
    "emergency.resplit_so2_nox": CITE,
    "emergency.baseline_days": CITE,
    "emergency.target_base": CITE,  # industrial | society_wide: what the ratios are shares of (registry totals)
    "emergency.baseline_days.value": FREE,
    "transport": {"key_vehicle_user", "heating_season_min_standard", "alert_ban", "vehicle_restriction_reporting", "rail_share"},
    "transport.key_vehicle_user": CITE | {"designated", "sectors", "min_heavy_diesel_vehicles"},
    "transport.heating_season_min_standard": CITE,
    "transport.alert_ban": CITE | {"levels", "levels_setting", "vehicles", "exceptions", "exception_min_standard",
                                   "exception_standard_setting", "force", "city_logistics"},
    "transport.vehicle_restriction_reporting": CITE | {"days", "setting"},
    "transport.rail_share": CITE,
    "thresholds[]": CITE | MATCH | {"id", "status", "pm", "so2", "nox", "reference_o2", "max_percent_of_limit", "effective_from"},
    "exemptions[]": CITE | {"id", "measure_ids", "min_status", "deadline", "deadline_rule", "windows", "window_rule",
                            "window_setting", "effect", "percentage_min", "percentage_max", "force", "residual",
                            "also_rule", "also_source", "applies_to"},
    "exemptions[].windows[]": {"start", "end"},
    "exemptions[].residual": CITE | {"obligation"},
    "replacement_windows": FREE,
    "replacement_windows.*": CITE | {"windows"},
    "replacement_windows.*.windows[]": {"start", "end"},
    "emergency_list": CITE | {"id", "special_limit_sectors", "special_limit_sectors_source", "ultra_low_sectors", "conflict"},
    "emergency_list.conflict": CITE,
    "eligibility": {"requires", "outcome", "gate_without_outcome", "restricted_category", "scope"},
    "eligibility.scope": CITE,
    "eligibility.requires": CITE,
    "eligibility.outcome": CITE,
    "eligibility.gate_without_outcome": CITE,
    "eligibility.restricted_category": CITE | {"default"},
    "benchmark": {"foundry", "building_materials"},
    "benchmark.foundry": CITE | {"id", "sectors", "pm_max", "so2_max", "cupola_requires_cems", "force", "applies_to"},
    "benchmark.building_materials": CITE | {"id", "sectors", "sub_types_listed", "open_list_sectors", "fuels",
                                            "open_list_fuels", "requires_compliant", "force", "applies_to"},
    "staggering_list": {"filing", "change_control"},
    "staggering_list.filing": CITE | {"approval", "deadline"},
    "staggering_list.change_control": CITE,
    "emergency_grading": {"industries", "dynamic", "grade_a", "grade_b", "grade_c", "other_key_industries", "non_key",
                          "fraud_downgrade", "ultra_low_incentive", "utilisation_raise"},
    "emergency_grading.*": CITE | {"measure", "force", "basis", "trigger", "sectors", "utilisation_above"},
    "tiers": {"sectors", "none", "middle", "low", "adjustable"},
    "tiers.sectors": CITE,
    "tiers.*": CITE | {"percentage_min", "percentage_max", "requires"},
    "tiers.*.requires": FREE,
    # What the emergency-list optimizer may add per line (grading/rules/measures.py): a default, the
    # overlay for lines that cannot be interrupted, and per-industry/process rules (first match wins).
    "emergency_measures": {"default", "uninterruptible", "livelihood", "lines"},
    "emergency_measures.default": CITE | {"curtail", "stop"},
    "emergency_measures.uninterruptible": CITE | {"stop"},
    "emergency_measures.livelihood": CITE | {"curtail", "stop"},
    "emergency_measures.lines[]": CITE | MATCH | {"id", "curtail", "stop", "label", "coking_time_hours", "setting",
                                                  "cycle_setting"},
    "monitoring_duty": CITE | {"obligation", "consequence", "consequence_rule", "consequence_source", "measures"},
    "county_supervision": CITE | {"min_rate", "rate_setting", "several_setting"},
    "voc_health_check": {"deadlines"},
    "voc_health_check.deadlines": CITE,
    "voc_health_check.deadlines.value": FREE,
    "grade_workflow": {"review", "approve", "publish", "objections", "regrade", "separation"},
    "grade_workflow.*": CITE,
    "grade_workflow.approve.value": FREE,
}

# Who acts in the grading procedure (绩效分级 workflow): official levels, lowest first. The registry's
# roles carry the same names; the engine knows only the words.
OFFICIAL_LEVELS = ("county", "city", "province")
WORKFLOW_STEPS = ("review", "approve", "publish", "objections", "regrade")
# Four eyes (issue 13 L11): "successive" — the code's minimum, always enforced — no one performs two successive
# steps of one application (reviewer ≠ approver, approver ≠ the one making it effective); "all" — stricter:
# reviewer, approver and publisher are three different people. A pack can only choose the stricter one.
SEPARATIONS = ("successive", "all")
GRADES = ("A", "B", "C")

DATE_KEYS = {"start", "end", "deadline", "effective_from", "filing_deadline"}
PERCENT_KEYS = {"percentage_min", "percentage_max", "max_percent_of_limit", "threshold"}
REQUIRED_TOP = {"id", "title", "jurisdiction", "source_file", "period", "alert_levels", "heating_season"}


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (YAML would silently keep the last).

    With `report` set (a _Report collecting every problem), a duplicate is reported and loading goes on."""

    report: Optional["_Report"] = None


def _construct_mapping(loader, node, deep=False):
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            err = PackError(loader.name, str(key), f"duplicate key (line {key_node.start_mark.line + 1})",
                            "duplicate_key", {"line": key_node.start_mark.line + 1})
            if loader.report is None:
                raise err
            loader.report.add(err)
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings while loading, so a bad date is reported with its key instead of a YAML traceback.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# Every problem the loader reports, as a code (PackError.code); registry/policy/pack_labels.py words each one.
PROBLEM_CODES = (
    "yaml_syntax", "not_a_mapping", "required_missing", "unknown_key", "duplicate_key", "missing_citation",
    "bad_citation", "bad_rule_id", "unknown_rule", "local_setting_without_why", "bad_date", "percent_out_of_range",
    "bad_month_day", "bad_windows", "empty_window", "window_outside_period", "overlapping_windows",
    "deadline_after_period", "period_reversed", "bad_alert_levels", "unknown_alert_level", "not_among_options",
    "bad_official_levels", "unknown_official_level", "official_level_twice", "grades_abc", "separation_weaker",
    "unknown_setting", "unknown_setting_name", "unknown_option", "unknown_predicate", "unknown_consequence", "unknown_measure", "id_mismatch",
)


class _Report:
    """Where the checks send a problem: raised at once (parse_pack, the shipped packs' behaviour), or collected
    with every other one (check_pack, the authoring pages list them all)."""

    def __init__(self, file: str, collect: bool = False):
        self.file = file
        self.errors: Optional[list[PackError]] = [] if collect else None

    def __call__(self, key: str, problem: str, code: str, **params: Any) -> None:
        if code not in PROBLEM_CODES:
            raise ValueError(f"unregistered pack problem code {code!r}")
        self.add(PackError(self.file, key, problem, code, params))

    def add(self, err: PackError) -> None:
        if self.errors is None:
            raise err
        if not any((e.key, e.code) == (err.key, err.code) for e in self.errors):
            self.errors.append(err)


@dataclass(frozen=True)
class GradeWorkflow:
    """Which official levels act at each step of the grading procedure, per pack (`grade_workflow`).

    review: checks the documents of a submitted application; approve: per grade (A/B/C), who approves
    or overrides it (a decision needs every level listed for each grade it records to include the
    actor's); publish: makes the grade effective after publicity; objections: answers objections;
    regrade: records re-grades and grades of other systems. `citations` maps each step to its
    (rule, source or 'local setting', note/why) so pages and docs can show where the level comes from.
    """

    review: tuple[str, ...]
    approve: dict[str, tuple[str, ...]]
    publish: tuple[str, ...]
    objections: tuple[str, ...]
    regrade: tuple[str, ...]
    citations: dict[str, tuple[str, str, str]] = field(default_factory=dict, compare=False, hash=False)
    separation: str = "successive"  # four eyes, see SEPARATIONS: never weaker than "successive"

    def approvers(self, grade: str) -> tuple[str, ...]:
        return self.approve[grade]

    def approver_levels(self) -> frozenset[str]:
        """Every level that approves at least one grade."""
        return frozenset(lv for levels in self.approve.values() for lv in levels)


_MEMOS: dict[int, dict] = {}  # id(pack) → Pack._memo, dropped when the pack is


@dataclass(frozen=True)
class Pack:
    """A validated policy pack. Rules read its sections; the code never branches on its id."""

    id: str
    title: str
    title_en: str
    jurisdiction: str
    province: str
    source_file: str
    period_start: date
    period_end: date  # exclusive
    alert_levels: tuple[AlertLevel, ...]
    data: dict = field(repr=False, compare=False, hash=False)

    @property
    def _memo(self) -> dict:
        """Citations of settings and of the season, memoised per pack INSTANCE (they depend on the pack and the date
        only; thousands of line decisions of one batch run cite the same few, issue 18). Kept outside the instance
        (no field, nothing in __dict__) and keyed by identity: packs compare equal without their data."""
        memo = _MEMOS.get(id(self))
        if memo is None:
            memo = _MEMOS[id(self)] = {}
            weakref.finalize(self, _MEMOS.pop, id(self), None)
        return memo

    def section(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def setting(self, name: str) -> Any:
        node = self.data.get("settings", {}).get(name)
        return None if node is None else node.get("value")

    def setting_reason(self, name: str) -> tuple[str, str, str]:
        """(rule, source, note) citing a pack setting; local settings cite 'local setting'."""
        node = self.data["settings"][name]
        src = node.get("source", "local setting")
        of = f"a reading of {src}" if "source" in node else "not from the sources"
        return node["rule"], src, f"local reading (pack setting {name}={node.get('value')!r}, {of}): {node.get('why', '')}"

    def setting_cite(self, name: str) -> "Reason":
        """The setting_reason as a Reason whose note is a code (`setting.reading`, params setting + value), so pages
        render the local reading in the reader's language (registry/policy/labels.py)."""
        from grading.notes import freeze

        key = ("setting_cite", name)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = Reason(*self.setting_reason(name), "setting.reading",
                                           freeze({"setting": name, "value": self.setting(name)}))
        return hit

    def season_cite(self, on: date) -> "Reason":
        """The season_reason as a Reason coded `season.reading` (params start, end, on, inside)."""
        from grading.notes import freeze

        key = ("season_cite", on)
        hit = self._memo.get(key)
        if hit is None:
            w = self.heating_season_window(on)
            hit = self._memo[key] = Reason(*self.season_reason(on), "season.reading",
                                           freeze({"start": w.start.isoformat(), "end": w.end.isoformat(),
                                                   "on": on.isoformat(), "inside": w.contains(on)}))
        return hit

    def season_reason(self, on: date) -> tuple[str, str, str]:
        """(rule, source, note) citing the heating-season dates, a local setting (R-T-05), as they decide `on`."""
        hs = self.data["heating_season"]
        w = self.heating_season_window(on)
        where = "inside" if w.contains(on) else "outside"
        return ("R-T-05", "local setting",
                f"local reading (pack setting heating_season={hs['start_month_day']}..{hs['end_month_day']}, not from "
                f"the sources): {on.isoformat()} is {where} the heating season {w.start.isoformat()}..{w.end.isoformat()} "
                "(end exclusive); no source gives its dates")

    @property
    def grade_workflow(self) -> Optional[GradeWorkflow]:
        """The pack's grading procedure levels, or None when the pack does not set them."""
        return _grade_workflow(self.data.get("grade_workflow"))

    def heating_season_window(self, on: date) -> Window:
        """The heating-season window containing or nearest after `on` (local setting, R-T-05)."""
        key = ("season_window", on)
        hit = self._memo.get(key)
        if hit is None:
            hs = self.data["heating_season"]
            hit = self._memo[key] = _season_window(hs["start_month_day"], hs["end_month_day"], on)
        return hit

    def in_heating_season(self, on: date) -> bool:
        return self.heating_season_window(on).contains(on)

    def summary(self) -> dict:
        return {
            "id": self.id, "title": self.title, "title_en": self.title_en, "jurisdiction": self.jurisdiction,
            "province": self.province, "source": self.source_file,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "alert_levels": [lv.value for lv in self.alert_levels],
            "heating_season": {"start_month_day": self.data["heating_season"]["start_month_day"],
                               "end_month_day": self.data["heating_season"]["end_month_day"],
                               "local_setting": True, "why": self.data["heating_season"]["why"]},
        }


@lru_cache(maxsize=4096)
def _season_window(start_md: str, end_md: str, on: date) -> Window:
    sm, sd = (int(x) for x in start_md.split("-"))
    em, ed = (int(x) for x in end_md.split("-"))
    start_year = on.year if (on.month, on.day) >= (sm, sd) else on.year - 1
    start = date(start_year, sm, sd)
    end = date(start_year + (1 if (em, ed) <= (sm, sd) else 0), em, ed)
    if on >= end:  # after this season's end: next season
        start, end = date(start_year + 1, sm, sd), date(end.year + 1, em, ed)
    return Window(start, end)


def _norm(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _spec_for(path: str) -> Any:
    p = _norm(path)
    if p in SPEC:
        return SPEC[p]
    parts = p.split(".")
    for i in range(len(parts) - 1, -1, -1):  # try replacing components by *
        cand = ".".join(parts[:i] + ["*"] + parts[i + 1:])
        if cand in SPEC:
            return SPEC[cand]
    return None


def spec_for(path: str) -> Any:
    """The allowed keys at a dotted pack path (SPEC: a set, FREE, or None), `[n]` and data keys matched as `[]`/`*`:
    the loader's one definition of the pack structure, which the authoring forms are generated from."""
    return _spec_for(path)


def _is_cited(node: dict) -> bool:
    return ("source" in node and "rule" in node) or (node.get("local_setting") is True and "why" in node and "rule" in node)


def _check_citation_format(report: "_Report | str", path: str, node: dict) -> None:
    if isinstance(report, str):  # grading/criteria.py passes its file name: raise at the first problem
        report = _Report(report)
    if "source" in node:
        if not isinstance(node["source"], str) or not SOURCE_RE.match(node["source"]):
            report(f"{path}.source".lstrip("."), f"bad citation {node['source']!r} (want NNN:line)", "bad_citation",
                   value=str(node["source"]))
    if "rule" in node:
        for r in str(node["rule"]).split(","):
            if not RULE_RE.match(r.strip()):
                report(f"{path}.rule".lstrip("."), f"bad rule id {node['rule']!r}", "bad_rule_id", value=str(node["rule"]))
            elif r.strip() not in known_rule_ids():
                report(f"{path}.rule".lstrip("."), f"unknown rule {r.strip()!r}: the engine has no such rule",
                       "unknown_rule", value=r.strip())
    if node.get("local_setting") is True and "why" not in node:
        report(path, "local_setting without `why`", "local_setting_without_why")


def _walk(report: _Report, node: Any, path: str, cited: bool, free: bool) -> None:
    if isinstance(node, dict):
        spec = None if free else _spec_for(path)
        if spec is not None and spec is not FREE:
            for k in node:
                if k not in spec:
                    report(f"{path}.{k}".lstrip("."), "unknown key", "unknown_key", name=str(k))
        _check_citation_format(report, path, node)
        here_cited = cited or _is_cited(node)
        for k, v in list(node.items()):
            sub = f"{path}.{k}".lstrip(".")
            if k in DATE_KEYS and v is not None:
                try:
                    v = node[k] = date.fromisoformat(str(v))
                except ValueError:
                    report(sub, f"bad date {v!r} (want YYYY-MM-DD)", "bad_date", value=str(v))
            if k in PERCENT_KEYS and v is not None and not (isinstance(v, (int, float)) and 0 <= v <= 100):
                report(sub, f"percentage {v!r} outside 0-100", "percent_out_of_range", value=str(v))
            if k in {"start_month_day", "end_month_day"} and not MONTH_DAY_RE.match(str(v)):
                report(sub, f"bad month-day {v!r} (want MM-DD)", "bad_month_day", value=str(v))
            _walk(report, v, sub, here_cited, free or spec is FREE)
        return
    if isinstance(node, list):
        if not cited and not all(isinstance(v, dict) for v in node):  # a list of records: each record cites
            report(path, "missing citation (source file:line and rule id) for a list", "missing_citation")
        for i, v in enumerate(node):
            _walk(report, v, f"{path}[{i}]", cited, free)
        return
    if isinstance(node, (bool, int, float, date)) and not cited:
        report(path, "missing citation (source file:line and rule id)", "missing_citation")


def _is_date(v: Any) -> bool:
    return isinstance(v, date)


def _check_windows(report: _Report, key: str, windows: Any, period: tuple[date, date]) -> None:
    if not isinstance(windows, list) or not all(isinstance(w, dict) for w in windows):
        report(key, "want a list of windows {start, end}", "bad_windows")
        return
    ws = sorted((w.get("start"), w.get("end")) for w in windows if _is_date(w.get("start")) and _is_date(w.get("end")))
    for s, e in ws:
        if not s < e:
            report(key, f"window {s}..{e} is empty or reversed", "empty_window", start=s.isoformat(), end=e.isoformat())
        if s < period[0] or e > period[1]:
            report(key, f"window {s}..{e} outside the pack period {period[0]}..{period[1]}", "window_outside_period",
                   start=s.isoformat(), end=e.isoformat(), period_start=period[0].isoformat(), period_end=period[1].isoformat())
    for (s1, e1), (s2, e2) in zip(ws, ws[1:]):
        if s2 < e1:
            report(key, f"overlapping windows {s1}..{e1} and {s2}..{e2}", "overlapping_windows",
                   first=f"{s1.isoformat()}..{e1.isoformat()}", second=f"{s2.isoformat()}..{e2.isoformat()}")


def _check_percent_values(report: _Report, path: str, node: Any) -> None:
    if not isinstance(node, dict):
        return
    for lvl, ratios in node.items():
        for pol, v in (ratios or {}).items() if isinstance(ratios, dict) else ():
            if not isinstance(v, (int, float)) or not 0 <= v <= 100:
                report(f"{path}.{lvl}.{pol}", f"percentage {v!r} outside 0-100", "percent_out_of_range", value=str(v))


def _levels(report: _Report, path: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        report(path, f"want a non-empty list of official levels {list(OFFICIAL_LEVELS)}", "bad_official_levels")
        return ()
    for lv in value:
        if lv not in OFFICIAL_LEVELS:
            report(path, f"unknown official level {lv!r} (want one of {list(OFFICIAL_LEVELS)})", "unknown_official_level",
                   value=str(lv))
    if len(set(map(str, value))) != len(value):
        report(path, "a level is listed twice", "official_level_twice")
    return tuple(value)


def _check_grade_workflow(report: _Report, node: Any) -> None:
    """Every step present, with known levels; `approve` names exactly the grades A, B and C."""
    if node is None:
        return
    for step in WORKFLOW_STEPS:
        if not isinstance(node.get(step), dict):
            report(f"grade_workflow.{step}", "required key missing", "required_missing")
            continue
        value = node[step].get("value")
        if step == "approve":
            if not isinstance(value, dict) or set(value) != set(GRADES):
                report("grade_workflow.approve.value", f"want one entry per grade {list(GRADES)}", "grades_abc")
                continue
            for grade in GRADES:
                _levels(report, f"grade_workflow.approve.value.{grade}", value[grade])
        else:
            _levels(report, f"grade_workflow.{step}.value", value)
    separation = node.get("separation")
    if "separation" in node and (separation.get("value") if isinstance(separation, dict) else None) not in SEPARATIONS:
        report("grade_workflow.separation.value", f"want one of {list(SEPARATIONS)} (four eyes can only be made stricter)",
               "separation_weaker")


@lru_cache(maxsize=1)
def known_rule_ids() -> frozenset[str]:
    """The rule ids the engine has: those its code names (grading/**/*.py) and those the shipped packs and grading
    criteria cite (grading/**/*.yaml). A pack
    citing any other id asks for a rule the engine does not have (a new kind of rule is new code, docs/packs.md)."""
    root = Path(__file__).parent
    ids: set[str] = set()
    for p in sorted([*root.rglob("*.py"), *root.rglob("*.yaml")]):
        ids |= set(_RULE_ID_IN_TEXT.findall(p.read_text(encoding="utf-8")))
    return frozenset(ids)


_RULE_ID_IN_TEXT = re.compile(r"\b(R-[A-Z]+-\d+|X-\d{2}|F-\d{2}b?|D-\d{2})\b")


def _check_engine_rules(report: _Report, data: dict) -> None:
    """What a pack asks the engine's CODE to do must exist (grading/catalogue.py): a trigger's predicate and
    consequence, a measure, an exemption's effect. A pack naming anything else asks for a rule the engine does not have and is refused."""
    measures = {m.value for m in Measure}
    for i, t in enumerate(_records(data.get("triggers"))):
        if not _among(t.get("predicate"), TRIGGER_PREDICATES):
            report(f"triggers[{i}].predicate", f"unknown trigger {t.get('predicate')!r}: the engine has no such rule",
                   "unknown_predicate", value=str(t.get("predicate")))
        if not _among(t.get("consequence"), TRIGGER_CONSEQUENCES):
            report(f"triggers[{i}].consequence", f"unknown consequence {t.get('consequence')!r}: the engine has no such rule",
                   "unknown_consequence", value=str(t.get("consequence")))
    for section in ("sector_measures", "alert_measures"):
        for i, m in enumerate(_records(data.get(section))):
            if not _among(m.get("measure"), measures):
                report(f"{section}[{i}].measure", f"unknown measure {m.get('measure')!r}", "unknown_measure",
                       value=str(m.get("measure")))
    for i, ex in enumerate(_records(data.get("exemptions"))):
        if "effect" in ex and not _among(ex["effect"], measures):
            report(f"exemptions[{i}].effect", f"unknown measure {ex['effect']!r}", "unknown_measure", value=str(ex["effect"]))


@lru_cache(maxsize=1)
def known_settings() -> dict[str, frozenset]:
    """The local settings the engine and the registry read, by name, each with the options their code knows (empty:
    a free value): those the shipped packs set. A pack setting another name is read by nothing; a pack offering
    another option asks the code for a reading it does not have — both need new code (docs/packs.md)."""
    out: dict[str, set] = {}
    for p in sorted(PACK_DIR.glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        for name, node in ((data or {}).get("settings") or {}).items():
            options = out.setdefault(str(name), set())
            if isinstance(node, dict) and isinstance(node.get("options"), list):
                options.update(str(o) for o in node["options"])
    return {name: frozenset(options) for name, options in out.items()}


def _check_settings_known(report: _Report, settings: dict) -> None:
    known = known_settings()
    for name, node in settings.items():
        if str(name) not in known:
            report(f"settings.{name}", f"unknown setting {name!r}: nothing in the engine or the registry reads it",
                   "unknown_setting_name", value=str(name))
            continue
        allowed = known[str(name)]
        options = node.get("options") if isinstance(node, dict) else None
        for option in options if isinstance(options, list) and allowed else ():
            if str(option) not in allowed:
                report(f"settings.{name}.options", f"unknown option {option!r} of setting {name!r}: the engine has no "
                       "such reading", "unknown_option", value=str(option), options="、".join(sorted(allowed)))


def _among(value: Any, known: Any) -> bool:
    """`value in known`, False for a value that cannot be a name (a mapping or list typed where a name belongs)."""
    try:
        return value in known
    except TypeError:
        return False


def _records(node: Any) -> list[dict]:
    return [x for x in node if isinstance(x, dict)] if isinstance(node, list) else []


def _grade_workflow(node: Any) -> Optional[GradeWorkflow]:
    if node is None:
        return None
    cite = {step: (str(node[step]["rule"]), str(node[step].get("source", "local setting")),
                   str(node[step].get("note") or node[step].get("why") or "")) for step in WORKFLOW_STEPS}
    return GradeWorkflow(
        review=tuple(node["review"]["value"]),
        approve={g: tuple(node["approve"]["value"][g]) for g in GRADES},
        publish=tuple(node["publish"]["value"]), objections=tuple(node["objections"]["value"]),
        regrade=tuple(node["regrade"]["value"]), citations=cite,
        separation=str((node.get("separation") or {}).get("value", "successive")))


def _check(text: str, report: _Report) -> Optional[dict]:
    """Every check of a pack's text, each problem sent to `report`; the validated data (dates as dates), or None
    when the text is not a mapping at all."""
    loader = _UniqueKeyLoader(text)
    loader.name = report.file
    loader.report = report
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report("<yaml>", str(exc), "yaml_syntax", line=(mark.line + 1) if mark is not None else 0)
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        report("<root>", "a pack is a mapping", "not_a_mapping")
        return None
    for k in sorted(REQUIRED_TOP - set(data)):
        report(k, "required key missing", "required_missing")
    _walk(report, data, "", False, False)
    for k in ("id", "title", "jurisdiction", "source_file"):
        if k in data and not (isinstance(data[k], str) and data[k].strip()):
            report(k, "required key missing", "required_missing")
    for section, keys in (("period", ("start", "end")), ("heating_season", ("start_month_day", "end_month_day"))):
        if section in data:
            node = data[section] if isinstance(data[section], dict) else {}
            for k in keys:
                if node.get(k) is None:
                    report(f"{section}.{k}", "required key missing", "required_missing")
    period_node = data.get("period") if isinstance(data.get("period"), dict) else {}
    period = (period_node.get("start"), period_node.get("end"))
    if not (_is_date(period[0]) and _is_date(period[1])):
        period = None
    elif not period[0] < period[1]:
        report("period", "start must be before end", "period_reversed")
        period = None
    for i, ex in enumerate(_records(data.get("exemptions"))):
        if period is None:
            break
        if "windows" in ex:
            _check_windows(report, f"exemptions[{i}].windows", ex["windows"], period)
        if _is_date(ex.get("deadline")) and not ex["deadline"] < period[1]:
            report(f"exemptions[{i}].deadline", "deadline after the pack period", "deadline_after_period",
                   value=ex["deadline"].isoformat(), period_end=period[1].isoformat())
    rws = data.get("replacement_windows")
    for name, rw in (rws.items() if isinstance(rws, dict) and period is not None else ()):
        _check_windows(report, f"replacement_windows.{name}.windows", rw.get("windows") if isinstance(rw, dict) else None,
                       period)
    emergency = data.get("emergency") if isinstance(data.get("emergency"), dict) else {}
    _check_percent_values(report, "emergency.ratios.value", (emergency.get("ratios") or {}).get("value"))
    levels = (data.get("alert_levels") or {}).get("value") if isinstance(data.get("alert_levels"), dict) else None
    if "alert_levels" in data:
        if not isinstance(levels, list) or not levels:
            report("alert_levels.value", "want a non-empty list of alert levels", "bad_alert_levels")
        else:
            for lv in levels:
                if lv not in AlertLevel.codes():
                    report("alert_levels.value", f"{lv!r} is not a valid AlertLevel", "unknown_alert_level", value=str(lv))
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    for name, node in settings.items():
        if isinstance(node, dict) and isinstance(node.get("options"), list) and isinstance(node.get("value"), str) \
                and node["value"] not in node["options"]:
            report(f"settings.{name}.value", f"{node['value']!r} not among options {node['options']}", "not_among_options",
                   value=node["value"], options="、".join(map(str, node["options"] or [])))
    gw = data.get("grade_workflow")
    _check_grade_workflow(report, gw if isinstance(gw, dict) or gw is None else {})
    for i, m in enumerate(_records(data.get("sector_measures"))):
        for key in ("setting", "basis_setting"):
            if key in m and not _among(m[key], settings):
                report(f"sector_measures[{i}].{key}", f"unknown setting {m[key]!r}", "unknown_setting", value=str(m[key]))
    _check_settings_known(report, settings)
    _check_engine_rules(report, data)
    return data


def parse_pack(text: str, file: str = "<pack>") -> Pack:
    """Validate pack YAML text and build a Pack; raises PackError (the first problem) naming file and key."""
    data = _check(text, _Report(file))
    assert data is not None  # noqa: S101 - _check raised otherwise
    return Pack(
        id=data["id"], title=data["title"], title_en=data.get("title_en", data["title"]),
        jurisdiction=data["jurisdiction"], province=data.get("province", ""), source_file=data["source_file"],
        period_start=data["period"]["start"], period_end=data["period"]["end"],
        alert_levels=tuple(AlertLevel(x) for x in data["alert_levels"]["value"]), data=data,
    )


def check_pack(text: str, file: str = "<pack>") -> list[PackError]:
    """EVERY problem of a pack's text (the same checks as parse_pack, which stops at the first), in the order
    found; an empty list means parse_pack accepts it."""
    report = _Report(file, collect=True)
    _check(text, report)
    return list(report.errors or [])


def load_pack_file(path: Path) -> Pack:
    pack = parse_pack(Path(path).read_text(encoding="utf-8"), Path(path).name)
    if pack.id != Path(path).stem:
        raise PackError(Path(path).name, "id", f"id {pack.id!r} must equal the file name", "id_mismatch")
    return pack


@lru_cache(maxsize=None)
def load_packs(directory: str = str(PACK_DIR)) -> dict[str, Pack]:
    """All packs of a directory, keyed by id (cached: packs are data shipped with the code)."""
    return {p.stem: load_pack_file(p) for p in sorted(Path(directory).glob("*.yaml"))}


# Packs from outside the shipped directory (issue 20: officials' packs, activated in the registry). A resolver is
# a callable pack id -> Pack | None; the registry adds one through registry/policy/packs.register_pack_source, so
# the engine's own lookups (the batch path, the evaluate contract) find an activated pack like a shipped one.
# The shipped packs always win: a resolver can never replace one.
_RESOLVERS: list = []


def add_pack_resolver(resolver) -> None:
    """Consult `resolver(pack_id) -> Pack | None` for ids that are not shipped packs (idempotent)."""
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def get_pack(pack_id: str) -> Optional[Pack]:
    pack = load_packs().get(pack_id)
    if pack is None and isinstance(pack_id, str):
        for resolver in _RESOLVERS:
            pack = resolver(pack_id)
            if pack is not None:
                break
    return pack
