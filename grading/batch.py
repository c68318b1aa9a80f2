"""Province-scale evaluation over a pandas DataFrame of lines, reusing the per-enterprise rules.

One row per production line, enterprise fact columns repeated (columns: ENTERPRISE_COLUMNS, then
`line.<fact>`). Lines are grouped by fact profile = (enterprise-level facts, the cross-line
aggregates the rules need, the line's own facts, the official decisions concerning it); `decide_line`
runs ONCE per distinct profile and its decision is broadcast back (DESIGN.md §3). There is no second
implementation of any rule: the enterprise summary also comes from engine.enterprise_part/summarise.
"""
from __future__ import annotations

import json
import math
import multiprocessing as mp
from dataclasses import fields, replace
from datetime import date
from typing import Any, Iterable, Optional

import numpy as np
import pandas as pd

from grading.decisions import EnterpriseDecision, EnterpriseSummary, LineDecision
from grading.engine import (
    compose,
    decide_line,
    decide_line_core,
    emergency_grade_piece,
    emergency_list_piece,
    emergency_piece,
    gate_grades_piece,
    join_grades,
    line_retrofit_done,
    staggering_list_piece,
    transport_piece,
    with_monitoring_duty,
)
from grading.errors import ContractError, FieldError
from grading.facts import (
    IDENTITY_FIELDS,
    EnterpriseFacts,
    LineFacts,
    Query,
    decisions_from_list,
    enterprise_from_dict,
    line_from_dict,
)
from grading.packs import Pack, get_pack, load_packs
from grading.rules.base import Aggregates, Context, Proposal, strictness
from grading.rules.eligibility import failed_conditions, failed_without_outcome
from grading.rules.thresholds import status_check_flags
from grading.rules.tiers import staggering_tier
from grading.rules.transport import key_vehicle_user
from grading.rules.triggers import fired
from grading.vocab import AlertLevel, EmissionStatus, LineKind, Measure, Pollutant, Sector

ENTERPRISE_COLUMNS = [f.name for f in fields(EnterpriseFacts) if f.name != "lines"]
LINE_COLUMNS = ["line." + f.name for f in fields(LineFacts)]
NESTED = {"emergency_grades", "vehicles", "approvals", "location_flags", "normal_daily_emissions",
          "line.concentrations", "line.percent_of_limit"}
DECISION_COLUMNS = ["decisions.enterprise", "decisions.line"]
_ENTERPRISE_SET = frozenset(ENTERPRISE_COLUMNS + ["decisions.enterprise"])
_ENT_FACT_SET = frozenset(ENTERPRISE_COLUMNS)


def _enc(v: Any) -> Any:
    """Nested facts become canonical JSON strings, so they are hashable and group by value."""
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def frame_from_documents(documents: Iterable[dict]) -> pd.DataFrame:
    """Evaluate documents → one row per line (enterprise facts repeated, nested facts as JSON).

    Built column by column: each enterprise's facts are read and encoded ONCE and its column holds integer codes
    repeated over its lines (pandas categoricals), so evaluate_frame reads codes instead of factorizing objects
    (issue 18); line facts are plain columns. Values are those of the row-by-row layout it replaces."""
    ent_cols = ENTERPRISE_COLUMNS + ["decisions.enterprise"]
    ent_vals: dict[str, list] = {c: [] for c in ent_cols}
    line_vals: dict[str, list] = {"decisions.line": []}
    counts: list[int] = []
    line_keys = [c[5:] for c in LINE_COLUMNS]
    line_rows: list[tuple] = []
    empty_nested = {c: "{}" if c == "normal_daily_emissions" else "[]" for c in NESTED}
    for doc in documents:
        ent = doc["enterprise"]
        lines = ent["lines"]
        if not lines:
            continue
        decs = doc.get("official_decisions") or []
        for c in ENTERPRISE_COLUMNS:
            v = ent.get(c)
            if c in NESTED:
                v = empty_nested[c] if v is None else _enc(v)
            ent_vals[c].append(v)
        ent_vals["decisions.enterprise"].append(_enc([d for d in decs if d.get("line") is None]) if decs else "[]")
        counts.append(len(lines))
        line_rows.extend(tuple(map(line.get, line_keys)) for line in lines)
        if decs:
            line_vals["decisions.line"].extend(_enc([dict(d, line=None) for d in decs if d.get("line") == line["line_id"]])
                                               for line in lines)
        else:
            line_vals["decisions.line"].extend(["[]"] * len(lines))
    reps = np.asarray(counts, dtype=np.int64)
    data: dict[str, Any] = {}
    for c in ent_cols:
        codes, uniq = pd.factorize(np.asarray(ent_vals[c] + [None], dtype=object)[:-1], use_na_sentinel=True)
        data[c] = pd.Categorical.from_codes(np.repeat(codes, reps), categories=pd.Index(uniq, dtype=object))
    columns = list(zip(*line_rows)) if line_rows else [()] * len(LINE_COLUMNS)
    for c, vals in zip(LINE_COLUMNS, columns):
        data[c] = [_enc(v) if v else "{}" for v in vals] if c in NESTED else vals
    data["decisions.line"] = line_vals["decisions.line"]
    return pd.DataFrame(data, columns=ENTERPRISE_COLUMNS + LINE_COLUMNS + DECISION_COLUMNS)


def _clean(v: Any) -> Any:
    if v is None or v.__class__ is str or v.__class__ is bool:
        return v
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _row_dict(row: dict, cols: list[str], prefix: str = "") -> dict:
    out = {}
    for c in cols:
        v = _clean(row.get(c))
        if c in NESTED:
            v = json.loads(v) if isinstance(v, str) else v
        if v is not None:
            out[c[len(prefix):]] = v
    return out


def _field_value(c: str, v: Any) -> Any:
    """The typed value of one fact (column c, plain value v, None = missing) exactly as facts.*_from_dict makes it."""
    if c.startswith("line."):
        d: dict = {"line_id": "", "kind": "other"}
        if v is not None:
            d[c[5:]] = json.loads(v) if c in NESTED and isinstance(v, str) else v
        return getattr(line_from_dict(d), c[5:])
    d = {"enterprise_id": "", "sector": "other"}
    if v is not None:
        d[c] = json.loads(v) if c in NESTED and isinstance(v, str) else v
    return getattr(enterprise_from_dict(d), c)


def _enterprise(row: dict, cols: list[str] = ENTERPRISE_COLUMNS) -> EnterpriseFacts:
    """Enterprise facts of a representative row, identity blanked (as engine.enterprise_profile does)."""
    d = _row_dict(row, [c for c in cols if c in ENTERPRISE_COLUMNS and c not in IDENTITY_FIELDS])
    d["enterprise_id"] = ""
    return enterprise_from_dict(d)


def _line(row: dict, cols: list[str] = LINE_COLUMNS) -> LineFacts:
    """Line facts of a representative row, identity blanked (as engine.line_profile does)."""
    d = _row_dict(row, [c for c in cols if c[5:] not in IDENTITY_FIELDS], "line.")
    d["line_id"] = ""
    return line_from_dict(d)


def _check(pack_id: "str | Pack", on: date, level: AlertLevel) -> Pack:
    """The pack (an id, shipped or resolved through grading.packs' resolvers, or a Pack itself: a draft's impact
    preview evaluates an unactivated pack) if `on` and `level` are inside it."""
    pack = pack_id if isinstance(pack_id, Pack) else get_pack(pack_id)
    if pack is None:
        raise ContractError([FieldError("pack", "unknown_pack", pack_id, tuple(sorted(load_packs())))])
    errs = []
    if not pack.period_start <= on < pack.period_end:
        errs.append(FieldError("date", "date_outside_period", on.isoformat(), (), f"{pack.period_start} – {pack.period_end}"))
    if level not in pack.alert_levels:
        errs.append(FieldError("alert_level", "not_allowed", level.value, tuple(l.value for l in pack.alert_levels)))
    if errs:
        raise ContractError(errs)
    return pack


# Which facts each pack section's rules read. A line's profile keeps only these, so lines whose other facts
# differ still share one decide_line call. The hypothesis test (tests/unit/grading/test_batch_property.py)
# fails if a rule reads a fact missing here.
_GATE = ["stably_compliant", "meets_permit_requirements", "permit_status", "autumn_winter_tasks_completed",
         "cems_data_valid", "conforms_to_industrial_policy", "restricted_category"]
_TRIGGER_FACTS = {
    "fugitive_controls_not_done": ["fugitive_controls_done"], "voc_remediation_not_done": ["voc_remediation_done"],
    "coal_project_without_replacement": ["coal_project_without_replacement"],
    "no_permit": ["permit_status"], "not_per_permit": ["permit_status", "meets_permit_requirements"],
    "scattered_rectify": ["scattered_class"], "key_area_exceeder": ["location_flags"],
    "relocation_overdue": ["relocation_overdue"],
}
_TRIGGER_LINE_FACTS = {
    "unlisted_furnace": ["on_furnace_list", "found_unlisted_on"],
    "elevated_source_without_cems": ["stack_height_m", "has_cems", "cems_transmission_rate"],
    "cems_transmission_below": ["has_cems", "cems_transmission_rate"],
}


def line_profile_columns(pack: Pack) -> tuple[list[str], list[str]]:
    """(enterprise columns, line columns) that decide_line can read under this pack."""
    ent = {"sector", "sub_type"}
    line = {"kind", "sector", "sub_type", "emission_status"}
    preds = {t["predicate"] for t in pack.section("triggers", [])}
    if (pack.section("sector_measures") or pack.section("alert_measures") or pack.section("emergency_exemptions")
            or pack.section("benchmark") or "coal_unit_or_boiler_below_required_status" in preds):
        line.add("fuel")  # fuel is read only by entry matching, the benchmark and the coal-unit trigger
    if pack.section("eligibility"):
        ent |= set(_GATE) - ({"restricted_category"} if "restricted_category" not in pack.section("eligibility") else set())
    for t in pack.section("triggers", []):
        ent |= set(_TRIGGER_FACTS.get(t["predicate"], []))
        line |= set(_TRIGGER_LINE_FACTS.get(t["predicate"], []))
    measures = pack.section("sector_measures", [])
    if measures:
        ent.add("stably_compliant")
        line |= {"firing_process", "enclosed"}
        if any("approval_exception" in m for m in measures):
            ent.add("approvals")
    if pack.section("livelihood"):
        line |= {"livelihood_task", "livelihood_max_load", "livelihood_filed_on"}
    if pack.section("livelihood_projects"):
        ent.add("approvals")
    if pack.section("exemptions"):
        line.add("status_reached_on")
    if pack.section("emergency_exemptions"):
        line.add("percent_of_limit")
    if pack.section("benchmark"):
        ent.add("stably_compliant")
        line |= {"concentrations", "has_cems"}
    if pack.section("thresholds"):
        line.add("concentrations")
    if pack.section("monitoring_duty"):
        line.add("has_cems")  # R-V-07: a curtailed or stopped line with CEMS keeps it running
    if pack.section("tiers"):
        ent |= set(_GATE[:-1]) | {"staggering_tier", "ultra_low_retrofit", "technology_level", "transport_structure", "product_level"}
    if pack.section("emergency_grading"):
        ent |= set(_GATE[:-1]) | {"emergency_grades", "ultra_low_evaluation_fraud", "capacity_utilisation_2018"}
    return ([c for c in ENTERPRISE_COLUMNS if c in ent], [c for c in LINE_COLUMNS if c[5:] in line])


def summary_profile_columns(pack: Pack) -> list[str]:
    """Enterprise columns that engine.enterprise_part can read under this pack."""
    cols = {"sector", "emergency_grades", "ultra_low_evaluation_fraud", "staggering_tier", "benchmark_enterprise", "voc_class"}
    if pack.section("eligibility"):
        cols |= set(_GATE[:-1])
    if pack.section("tiers"):
        cols |= {"ultra_low_retrofit", "technology_level", "transport_structure", "product_level"}
    if pack.section("transport"):
        cols |= {"key_vehicle_user", "heavy_diesel_vehicles", "vehicles", "city_logistics"}
    if pack.section("staggering_list"):
        cols |= {"staggering_list_filed", "staggering_list_changed_without_filing"}
    if (pack.section("emergency") or {}).get("baseline_days"):
        cols |= {"normal_daily_emissions", "baseline_class"}
    return [c for c in ENTERPRISE_COLUMNS if c in cols]


class _Cols:
    """The frame's columns as dense integer codes (-1 = missing) and their distinct values, each column coded ONCE
    per evaluation and shared by every grouping of the run (issue 18: no repeated object-column factorize).

    A categorical column (what a caller that already holds codes passes) costs nothing; `sub(rows)` is the same
    view restricted to some rows (e.g. one row per enterprise) sharing the parent's codes."""

    def __init__(self, df: pd.DataFrame, parent: Optional["_Cols"] = None, rows: Optional[np.ndarray] = None):
        self.df, self.parent, self.rows = df, parent, rows
        self.n = len(df) if rows is None else len(rows)
        self._c: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._ent: Optional[tuple[np.ndarray, np.ndarray]] = None
        self._v: dict[str, np.ndarray] = {}

    def per_enterprise(self, ecode: np.ndarray, first_of_ent: np.ndarray) -> None:
        """Enterprise columns repeat the enterprise's facts on each of its lines (the frame's layout): from now on
        they are coded on one row per enterprise and broadcast, a fifth of the work at five lines per enterprise."""
        self._ent = (ecode, first_of_ent)

    def sub(self, rows: np.ndarray) -> "_Cols":
        return _Cols(self.df, self, rows)

    def get(self, c: str) -> tuple[np.ndarray, np.ndarray]:
        hit = self._c.get(c)
        if hit is None:
            if self.parent is not None:
                codes, uniq = self.parent.get(c)
                hit = (codes[self.rows], uniq)
            else:
                s = self.df[c]
                if isinstance(s.dtype, pd.CategoricalDtype):  # renumbered in order of first appearance
                    raw = s.cat.codes.to_numpy().astype(np.int64)
                    codes, order = pd.factorize(raw)
                    if (order < 0).any():  # the missing value keeps -1
                        k = int(np.flatnonzero(order < 0)[0])
                        codes = np.where(codes == k, -1, codes - (codes > k))
                        order = order[order >= 0]
                    uniq = np.asarray(s.cat.categories, dtype=object)[order]
                elif self._ent is not None and c in _ENTERPRISE_SET:
                    ecode, first = self._ent
                    codes, uniq = pd.factorize(s.to_numpy()[first], use_na_sentinel=True)
                    codes = codes[ecode]
                else:
                    codes, uniq = pd.factorize(s.to_numpy(), use_na_sentinel=True)
                vals = np.empty(len(uniq) + 1, dtype=object)  # vals[-1]: a missing value
                vals[:-1] = [_clean(v) for v in np.asarray(uniq, dtype=object)]
                vals[-1] = None
                hit = (codes.astype(np.int64, copy=False), vals)
            self._c[c] = hit
        return hit

    def isin(self, c: str, values) -> np.ndarray:
        """Rows whose value of c is one of `values` (decided once per distinct value)."""
        codes, vals = self.get(c)
        values = set(values)
        return np.fromiter((v in values for v in vals), dtype=bool, count=len(vals))[codes]

    def converted(self, c: str) -> np.ndarray:
        """Each distinct value of fact column c as the engine's typed field value (enum, tuple, date…), converted once
        by facts.enterprise_from_dict / line_from_dict themselves; [-1] is the field's default (a missing fact)."""
        hit = self._v.get(c)
        if hit is None:
            if self.parent is not None:
                hit = self.parent.converted(c)
            else:
                vals = self.get(c)[1]
                hit = np.empty(len(vals), dtype=object)
                hit[:] = [_field_value(c, v) for v in vals]
            self._v[c] = hit
        return hit

    def enterprises(self, names: list[str], at: np.ndarray) -> list[EnterpriseFacts]:
        """Enterprise facts (identity blanked, sector 'other' unless given) from the columns `names` of rows `at`."""
        keep = [c for c in names if c in _ENT_FACT_SET and c not in IDENTITY_FIELDS]
        base = {} if "sector" in keep else {"sector": Sector.OTHER}
        arrays = [self.converted(c)[self.get(c)[0][at]] for c in keep]
        if not arrays:
            return [EnterpriseFacts(enterprise_id="", **base)] * len(at)
        return [EnterpriseFacts(enterprise_id="", **base, **dict(zip(keep, vs))) for vs in zip(*arrays)]

    def lines(self, names: list[str], at: np.ndarray) -> list[LineFacts]:
        """Line facts (identity blanked) from the `line.` columns `names` of rows `at`."""
        keep = [c for c in names if c.startswith("line.") and c[5:] not in IDENTITY_FIELDS]
        fields_ = [c[5:] for c in keep]
        arrays = [self.converted(c)[self.get(c)[0][at]] for c in keep]
        return [LineFacts(line_id="", **dict(zip(fields_, vs))) for vs in zip(*arrays)]

    def rows_of(self, cols: list[str], at: np.ndarray) -> list[dict]:
        """Plain {column: value} of the rows `at` (representatives only, never every row)."""
        if not len(at):
            return []
        got = [self.get(c) for c in cols]
        per_col = [vals[codes[at]] for codes, vals in got]
        return [dict(zip(cols, vs)) for vs in zip(*per_col)]


def _relevance_masks(pack: Pack, cols: _Cols) -> dict[str, np.ndarray]:
    """Per-row masks of facts that matter only for some sectors, declared from the pack's own data.

    A fact outside its mask cannot change a decision (e.g. 入棚入仓 matters only where an exclusion requires it,
    002:602), so it is blanked for grouping; the rules themselves still read the real value of the representative.
    """
    own = cols.get("line.sector")[0] >= 0

    def in_sectors(values) -> np.ndarray:  # the line's own sector, else the enterprise's
        values = list(values)
        return np.where(own, cols.isin("line.sector", values), cols.isin("sector", values))
    measures = pack.section("sector_measures", [])

    def sectors_where(pred) -> set:
        return {sec for m in measures if pred(m) for sec in m.get("sectors", [])}

    masks: dict[str, np.ndarray] = {}
    masks["line.enclosed"] = in_sectors(sectors_where(lambda m: any(x.get("requires_enclosed") for x in m.get("excluded", []))))
    masks["line.firing_process"] = in_sectors(sectors_where(lambda m: any(x.get("requires_no_firing") for x in m.get("excluded", []))))
    exempted = {i for x in pack.section("exemptions", []) for i in x["measure_ids"]}
    masks["line.status_reached_on"] = in_sectors(sectors_where(lambda m: m["id"] in exempted))
    conc = np.zeros(cols.n, dtype=bool)
    bench = (pack.section("benchmark") or {}).get("foundry")
    if bench:
        conc |= in_sectors(bench["sectors"])
    ths = [t for t in pack.section("thresholds", []) if t["status"] == "ultra_low"]
    if ths:
        ul = cols.isin("line.emission_status", ["ultra_low"])
        if any("sectors" not in t for t in ths):
            conc |= ul
        else:
            conc |= ul & in_sectors([sec for t in ths for sec in t["sectors"]])
    masks["line.concentrations"] = conc
    tiers = pack.section("tiers")
    if tiers:
        in_tiers = in_sectors(tiers["sectors"]["value"])
        for c in ("ultra_low_retrofit", "technology_level", "transport_structure", "product_level", "staggering_tier"):
            masks[c] = in_tiers
    return masks


def _dense(results: list, codes: np.ndarray) -> np.ndarray:
    """Per-combination results → a dense integer code per row (equal results, equal code)."""
    small = pd.factorize(np.asarray([repr(r) for r in results], dtype=object))[0] if results else np.zeros(0, np.int64)
    return small.astype(np.int64)[codes]


def _derive(cols: _Cols, names: list[str], rule) -> np.ndarray:
    """rule(enterprise facts built from `names`) evaluated once per distinct combination, broadcast to rows."""
    codes = _group(cols, names)
    first = _first_rows(codes)
    results = [rule(ent) for ent in cols.enterprises(names, first)]
    return _dense(results, codes)


_TIER_ATTRS = ["ultra_low_retrofit", "technology_level", "transport_structure", "product_level"]
_FLEET = ["sector", "key_vehicle_user", "heavy_diesel_vehicles", "vehicles"]


def _derived_keys(pack: Pack, cols: _Cols, names: list[str]) -> tuple[set[str], list[np.ndarray]]:
    """Columns replaced in a grouping key by what the rule itself makes of them.

    The tier attributes of 004:389 reach decisions only through tiers.staggering_tier; the fleet size reaches
    the summary only through transport.key_vehicle_user (plus the vehicle list). Grouping by the rule's result
    keeps one implementation while letting, e.g., 3 and 7 heavy diesel vehicles share a profile.
    """
    replaced: set[str] = set()
    keys: list[np.ndarray] = []
    spec = pack.section("tiers")
    if spec and all(c in names for c in _TIER_ATTRS + ["staggering_tier"]):
        replaced |= set(_TIER_ATTRS) | {"staggering_tier"}
        any_day = pack.period_start  # staggering_tier reads no date, level or aggregate
        keys.append(_derive(cols, _TIER_ATTRS + ["staggering_tier"],
                            lambda ent: staggering_tier(Context(pack, any_day, AlertLevel.NONE, ent, Aggregates(), ()))))
    if all(c in names for c in _FLEET):
        replaced.add("heavy_diesel_vehicles")
        keys.append(_derive(cols, _FLEET, lambda ent: key_vehicle_user(pack, ent)))
    return replaced, keys


_TRIGGER_ONLY_LINE_FACTS = ["line.stack_height_m", "line.cems_transmission_rate", "line.on_furnace_list", "line.found_unlisted_on"]


_STATUS_READERS = ("sector_measures", "exemptions", "emergency_exemptions", "benchmark", "emergency_grading")


def _trigger_keys(pack: Pack, cols: _Cols, on: date, level: AlertLevel, ecols: list[str],
                  lcols: list[str]) -> tuple[set[str], list[np.ndarray]]:
    """Line facts read only by trigger predicates are grouped by which triggers fire (triggers.fired, the rule
    itself, once per distinct combination) instead of by their raw values (stack 60 m vs 70 m, CEMS 95 vs 99 %).
    Where no other rule of the pack reads the line's emission status, it is treated the same way, together with
    the threshold check (thresholds.status_check_flags) that reads it."""
    only = [c for c in _TRIGGER_ONLY_LINE_FACTS if c in lcols]
    status_too = not any(pack.section(sec) for sec in _STATUS_READERS)
    if status_too:
        only.append("line.emission_status")
    if not only:
        return set(), []
    efacts = sorted({f for t in pack.section("triggers", []) for f in _TRIGGER_FACTS.get(t["predicate"], [])})
    lt = [c for c in lcols if c in only or c[5:] in ("kind", "has_cems", "emission_status")
          or (status_too and c[5:] in ("sector", "concentrations"))]
    ecs = efacts + (["sector"] if status_too and "sector" not in efacts else [])
    codes = _group(cols, ecs + lt)
    first = _first_rows(codes)
    results = []
    for ent, line in zip(cols.enterprises(ecs, first), cols.lines(lt, first)):
        ctx = Context(pack, on, level, ent, Aggregates(), ())
        key = tuple(t["id"] for t in fired(ctx, line))
        if status_too:
            key = (key, status_check_flags(pack, line.sector or ent.sector, line))
        results.append(key)
    return set(only), [_dense(results, codes)]


def _gate_keys(pack: Pack, cols: _Cols, on: date, level: AlertLevel, ecols: list[str],
               any_nc: np.ndarray, summary: bool = False) -> tuple[set[str], list[np.ndarray]]:
    """Gate facts (R-E-01/02/03) reach a line only through whether eligibility.failed_conditions is empty and
    through failed_without_outcome (the list of failed conditions is in the summary),
    unless another rule of the pack reads one directly; those are kept raw, the rest grouped by the gate's result."""
    if not pack.section("eligibility"):
        return set(), []
    preds = {t["predicate"] for t in pack.section("triggers", [])}
    keep = set()
    if summary:  # enterprise_part reads the gate only through these functions, and lists the failures
        pass
    elif pack.section("sector_measures") or pack.section("benchmark"):
        keep.add("stably_compliant")
    if preds & {"no_permit", "not_per_permit"} and not summary:
        keep |= {"permit_status", "meets_permit_requirements"}
    gate = [c for c in _GATE if c in ecols and c != "restricted_category"]
    replaced = set(gate) - keep
    if not replaced:
        return set(), []
    codes = _group(cols, gate, [any_nc])
    first = _first_rows(codes)
    results = []
    for i, ent in zip(first, cols.enterprises(gate + ["sector"], first)):
        ctx = Context(pack, on, level, ent, Aggregates(bool(any_nc[i])), ())
        failed = failed_conditions(ctx)
        results.append((failed if summary else bool(failed), failed_without_outcome(ctx)))
    return replaced, [_dense(results, codes)]


def _group(cols: _Cols, names: list[str], extra: Iterable[np.ndarray] = (),
           masks: Optional[dict[str, np.ndarray]] = None) -> np.ndarray:
    """Dense integer code per row (in order of first appearance) for the combination of the columns `names` and the
    `extra` per-row arrays; a missing value counts as a value; where masks[col] is False the column is ignored.
    Column codes are combined arithmetically and re-coded only when the product of cardinalities nears 2^62."""
    masks = masks or {}
    parts: list[tuple[np.ndarray, int]] = []
    for c in names:
        codes, vals = cols.get(c)
        if c in masks:
            codes = np.where(masks[c], codes, -1)
        parts.append((codes + 1, len(vals)))
    for a in extra:
        a = np.asarray(a)
        if a.dtype == bool:
            parts.append((a.astype(np.int64), 2))
        elif a.dtype.kind in "iu" and len(a) and a.min() >= 0 and a.max() < (1 << 20):
            parts.append((a.astype(np.int64, copy=False), int(a.max()) + 1))
        else:
            cs, uniq = pd.factorize(a)
            parts.append((cs.astype(np.int64) + 1, len(uniq) + 1))
    key = np.zeros(cols.n, dtype=np.int64)
    radix = 1
    for codes, card in parts:
        if radix * card >= (1 << 62):
            key = pd.factorize(key)[0].astype(np.int64)
            radix = int(key.max()) + 1 if len(key) else 1
        key = key * card + codes
        radix *= card
    return pd.factorize(key)[0].astype(np.int64)


def group_codes(df: pd.DataFrame, cols: list[str], extra: Iterable[np.ndarray] = (),
                masks: Optional[dict[str, np.ndarray]] = None) -> np.ndarray:
    """Dense integer code per row for the combination of `cols` (+ extra arrays); NaN/None count as a value.
    Where masks[col] is False the column's value is ignored."""
    return _group(_Cols(df), cols, extra, masks)


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """First row of each code, ordered by code (codes numbered in order of first appearance, as _group makes them)."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate(([True], seen[1:] > seen[:-1])))


_BLOCK_COLS = ["sector", "sub_type", "line.sector", "line.sub_type", "line.kind", "line.fuel", "line.emission_status",
               "line.status_reached_on", "line.percent_of_limit", "line.concentrations", "line.has_cems", "line.enclosed",
               "line.firing_process"]


def _blocked_per_enterprise(pack: Pack, cols: _Cols, ecode: np.ndarray, n_ent: int) -> tuple[np.ndarray, np.ndarray]:
    """Per enterprise, the enterprise-level exemptions some line fails (exemptions.line_blocks, the rule itself,
    once per distinct line profile; union over the enterprise's lines) - as engine.aggregates computes it.
    Returns (frozenset per enterprise, the same as an integer bit set per enterprise for grouping)."""
    from grading.rules.exemptions import enterprise_level_exemptions, line_blocks
    ids = [i for i, _, _ in enterprise_level_exemptions(pack)]
    out = np.empty(n_ent, dtype=object)
    out[:] = [frozenset()] * n_ent
    acc = np.zeros(n_ent, dtype=np.int64)
    if not ids or not cols.n:
        return out, acc
    codes = _group(cols, _BLOCK_COLS)
    first = _first_rows(codes)
    bits = np.zeros(len(first), dtype=np.int64)
    for k, (ent, line) in enumerate(zip(cols.enterprises(["sector", "sub_type"], first), cols.lines(_BLOCK_COLS, first))):
        blocked = line_blocks(pack, ent.sector, ent.sub_type, line)
        bits[k] = sum(1 << n for n, i in enumerate(ids) if i in blocked)
    row_bits = bits[codes]
    for n in range(len(ids)):  # union over the enterprise's lines, one bit at a time
        acc |= (np.bincount(ecode, weights=(row_bits >> n) & 1, minlength=n_ent) > 0).astype(np.int64) << n
    sets = {int(b): frozenset(i for n, i in enumerate(ids) if b >> n & 1) for b in np.unique(acc)}
    out[:] = [sets[b] for b in acc.tolist()]
    return out, acc


def _profile_facts(cols: _Cols, pfirst: np.ndarray, ecols: list[str], lcols: list[str]) -> tuple[list, list, list]:
    """(enterprise facts, line facts, official decisions) of each profile's representative row, each built once per
    distinct value of its own columns (no row dictionaries for the province, only for distinct parts)."""
    def build(names: list[str], make) -> list:
        if not names:
            return make(pfirst[:1]) * len(pfirst) if len(pfirst) else []
        memo: dict[tuple, int] = {}
        firsts: list[int] = []
        idx: list[int] = []
        for k, key in enumerate(zip(*(cols.get(c)[0][pfirst].tolist() for c in names))):
            got = memo.get(key)
            if got is None:
                got = memo[key] = len(firsts)
                firsts.append(k)
            idx.append(got)
        made = make(pfirst[np.asarray(firsts, dtype=np.int64)])
        return [made[i] for i in idx]

    ents = build(ecols, lambda at: cols.enterprises(ecols, at))
    lines = build(lcols, lambda at: cols.lines(lcols, at))

    def decisions(row: dict) -> tuple:
        raw = row["decisions.enterprise"] or "[]", row["decisions.line"] or "[]"
        # The line's own choices first: the same precedence as engine.decisions_for.
        return decisions_from_list(json.loads(raw[1]) + json.loads(raw[0])) if raw != ("[]", "[]") else ()
    decs = build(DECISION_COLUMNS, lambda at: [decisions(row) for row in cols.rows_of(DECISION_COLUMNS, at)])
    return ents, lines, decs


def _decide_chunk(job, lo: int, hi: int) -> list[LineDecision]:
    """decide_line for profiles lo..hi (the only place the batch path runs rules on lines)."""
    pack, on, level, ents, lines, decs, aggs = job[:7]
    decide = decide_line_core if len(job) > 7 and job[7] else decide_line
    contexts: dict = {}  # one Context (and its shared work, engine.decide_line) per distinct enterprise part
    out = []
    for ent, line, dec, agg in zip(ents[lo:hi], lines[lo:hi], decs[lo:hi], aggs[lo:hi]):
        key = (id(ent), id(agg), id(dec))
        hit = contexts.get(key)
        if hit is None:
            hit = contexts[key] = (Context(pack, on, level, ent, agg, dec), {})
        out.append(decide(hit[0], line, hit[1]))
    return out


_JOB = None  # set just before forking workers, read by _worker (fork shares it copy-on-write)


def _worker(bounds: tuple[int, int]) -> list[LineDecision]:
    return _decide_chunk(_JOB, *bounds)


def _decide_all(job, workers: Optional[int]) -> list[LineDecision]:
    """Split the distinct profiles over `workers` forked processes (Linux), else run them here."""
    global _JOB
    n = len(job[3])
    workers = workers or 1  # forking a province-sized process costs more than it saves on 2 cores (docs/performance.md)
    if workers <= 1 or n < 4000 or "fork" not in mp.get_all_start_methods():
        return _decide_chunk(job, 0, n)
    step = -(-n // workers)
    bounds = [(i, min(n, i + step)) for i in range(0, n, step)]
    _JOB = job
    try:
        with mp.get_context("fork").Pool(len(bounds)) as pool:
            parts = pool.map(_worker, bounds)
    finally:
        _JOB = None
    return [d for part in parts for d in part]


def _aggregates(any_nc: np.ndarray, blocked: np.ndarray, ents: np.ndarray) -> list[Aggregates]:
    """The cross-line aggregates of the enterprises `ents`, one shared object per distinct value."""
    memo: dict = {}
    out = []
    for e in ents.tolist():
        key = (bool(any_nc[e]), blocked[e])
        agg = memo.get(key)
        if agg is None:
            agg = memo[key] = Aggregates(*key)
        out.append(agg)
    return out


_CEMS_TRIGGERS = {"elevated_source_without_cems", "cems_transmission_below"}


def _cems_beyond_monitoring(pack: Pack, cols: _Cols, lcols: list[str], tcols: set[str]) -> Optional[np.ndarray]:
    """Rows where `line.has_cems` can matter to a decision other than through R-V-07's monitoring duty
    (engine.with_monitoring_duty), or None when the split does not apply. Its other readers: the CEMS triggers
    (grouped by which triggers fire, _trigger_keys, when those keys are built) and the foundry benchmark, which
    requires CEMS on melting equipment of its sectors (tiers.benchmark_qualifies, exemptions._line_fails)."""
    if "line.has_cems" not in lcols or not pack.section("monitoring_duty"):
        return None
    if {t["predicate"] for t in pack.section("triggers", [])} & _CEMS_TRIGGERS and not tcols:
        return None
    mask = np.zeros(cols.n, dtype=bool)
    foundry = (pack.section("benchmark") or {}).get("foundry")
    if foundry:
        from grading.rules.exemptions import MELTING_KINDS
        own = cols.get("line.sector")[0] >= 0
        in_sectors = np.where(own, cols.isin("line.sector", foundry["sectors"]), cols.isin("sector", foundry["sectors"]))
        mask = in_sectors & cols.isin("line.kind", MELTING_KINDS)
    return mask


def _profiles(pack: Pack, cols: _Cols, names: list[str], extra: list, masks: dict, cems: Optional[np.ndarray]):
    """(profile code per row, core code per profile or None, core codes per row or None). With `cems`, a core
    profile ignores has_cems where only the monitoring duty reads it; a profile is (core profile, has_cems)."""
    if cems is None:
        return _group(cols, names, extra, masks), None
    ccodes = _group(cols, names, extra, dict(masks, **{"line.has_cems": cems}))
    pcodes = _group(cols, ["line.has_cems"], [ccodes])  # = the grouping by `names` without the mask
    return pcodes, ccodes


def _decide_profiles(pack: Pack, on: date, level: AlertLevel, cols: _Cols, pcodes: np.ndarray,
                     ccodes: Optional[np.ndarray], facts: tuple, core_facts: Optional[tuple], aggs: list,
                     core_aggs: Optional[list], workers: Optional[int]) -> list[LineDecision]:
    """decide_line per profile; with core codes, decide_line_core once per core profile and the monitoring duty
    added per profile (engine.with_monitoring_duty, the same composition as decide_line)."""
    ents, lfacts, decs = facts
    if ccodes is None:
        return _decide_all((pack, on, level, ents, lfacts, decs, aggs), workers)
    core = _decide_all((pack, on, level, *core_facts, core_aggs, True), workers)
    core_of = ccodes[_first_rows(pcodes)]
    return [with_monitoring_duty(Context(pack, on, level, ent, agg, dec), line, core[c])
            for ent, line, dec, agg, c in zip(ents, lfacts, decs, aggs, core_of.tolist())]


def _enterprise_codes(cols: _Cols) -> tuple[np.ndarray, int]:
    ecode = cols.get("enterprise_id")[0]
    cols.per_enterprise(ecode, _first_rows(ecode))
    return ecode, int(ecode.max()) + 1 if len(ecode) else 0


def _any_non_compliant(cols: _Cols, ecode: np.ndarray, n_ent: int) -> np.ndarray:
    nc = cols.isin("line.emission_status", ["non_compliant"])
    return np.bincount(ecode, weights=nc, minlength=n_ent) > 0


def evaluate_frame(df: pd.DataFrame, pack_id: "str | Pack", on: date, alert_level: AlertLevel | str,
                   emergency_resplit: Optional[dict] = None, workers: Optional[int] = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines, enterprises) for a whole frame.

    lines: enterprise_id, line_id, profile, measure, strictness, decision (shared LineDecision; line_decision(row)
    gives it its line id). enterprises: enterprise_id, strictest_line, strictest_measure, residual, part; the full
    EnterpriseSummary is enterprise_summary(row).
    """
    level = AlertLevel(alert_level)
    pack = _check(pack_id, on, level)
    resplit = tuple(sorted((Pollutant(k), float(v)) for k, v in (emergency_resplit or {}).items()))
    query = Query(pack.id, on, level, (), resplit)
    if not df.index.equals(pd.RangeIndex(len(df))):
        df = df.reset_index(drop=True)
    cols = _Cols(df)
    ecode, n_ent = _enterprise_codes(cols)

    # cross-line aggregates per enterprise (vectorised): any non-compliant line; all lines retrofitted
    any_nc = _any_non_compliant(cols, ecode, n_ent)
    rnames = ["sector", "line.sector", "line.emission_status"]
    rcodes = _group(cols, rnames)
    rfirst = _first_rows(rcodes)
    rvals = np.array([_retrofit(pack, (r["sector"], r["line.sector"], r["line.emission_status"]))
                      for r in cols.rows_of(rnames, rfirst)], dtype=bool)
    retro = np.bincount(ecode, weights=~rvals[rcodes], minlength=n_ent) == 0 if len(rvals) else np.ones(n_ent, bool)

    # one decide_line per distinct line profile
    ecols, lcols = line_profile_columns(pack)
    pcols = ecols + lcols + DECISION_COLUMNS
    gcols, derived = _derived_keys(pack, cols, ecols)
    tcols, tderived = _trigger_keys(pack, cols, on, level, ecols, lcols)
    ecols_gate, gderived = _gate_keys(pack, cols, on, level, ecols, any_nc[ecode])
    blocked, blocked_bits = _blocked_per_enterprise(pack, cols, ecode, n_ent)
    pcodes, ccodes = _profiles(pack, cols, [c for c in pcols if c not in gcols | tcols | ecols_gate],
                               [any_nc[ecode], blocked_bits[ecode]] + derived + tderived + gderived,
                               _relevance_masks(pack, cols), _cems_beyond_monitoring(pack, cols, lcols, tcols))
    pfirst = _first_rows(pcodes)
    facts = _profile_facts(cols, pfirst, ecols, lcols)
    cfirst = _first_rows(ccodes) if ccodes is not None else None
    decisions = _decide_profiles(
        pack, on, level, cols, pcodes, ccodes, facts,
        _profile_facts(cols, cfirst, ecols, lcols) if cfirst is not None else None,
        _aggregates(any_nc, blocked, ecode[pfirst]),
        _aggregates(any_nc, blocked, ecode[cfirst]) if cfirst is not None else None, workers)
    keys = np.array([_strict_key(d) for d in decisions], dtype=float)
    dec_arr = np.empty(len(decisions), dtype=object)
    dec_arr[:] = decisions
    line_keys = keys[pcodes]
    lines = pd.DataFrame({"enterprise_id": df["enterprise_id"].to_numpy(), "line_id": df["line.line_id"].to_numpy(),
                          "profile": pcodes, "strictness": line_keys})
    lines["decision"] = dec_arr[pcodes]
    lines["measure"] = np.array([d.measure.value for d in decisions], dtype=object)[pcodes]

    # enterprise summaries: each engine.*_piece once per distinct set of the facts it reads, composed once per
    # distinct combination of pieces; strictest line vectorised
    first_of_ent = _first_rows(ecode)
    E = cols.sub(first_of_ent)  # one row per enterprise, in enterprise-code order
    scols = summary_profile_columns(pack) + ["decisions.enterprise"]
    ent_decisions = E.get("decisions.enterprise")
    dq: dict = {}

    def q_for(j: int) -> Query:
        raw = ent_decisions[1][ent_decisions[0][j]]
        if raw is None or raw == "[]":
            return query
        if raw not in dq:
            dq[raw] = replace(query, official_decisions=decisions_from_list(json.loads(raw)))
        return dq[raw]

    def piece(names: list[str], extra: list, fn) -> tuple[np.ndarray, list]:
        names = [c for c in names if c in scols]
        gnames, gder = _derived_keys(pack, E, names)
        gate, gateder = _gate_keys(pack, E, on, level, names, any_nc, summary=True) if "stably_compliant" in names else (set(), [])
        codes = _group(E, [c for c in names if c not in gnames | gate], extra + gder + gateder)
        first = _first_rows(codes)
        real = names + (["sector"] if "sector" not in names else [])  # the representative's own sector
        return codes, [fn(int(j), ent) for j, ent in zip(first, E.enterprises(real, first))]

    grade_cols = ["emergency_grades", "ultra_low_evaluation_fraud", "staggering_tier", "benchmark_enterprise", "voc_class",
                  *_GATE[:-1], *_TIER_ATTRS, "decisions.enterprise"]
    own_grades = ["emergency_grades", "ultra_low_evaluation_fraud"]
    eg_codes, eg = piece(own_grades, [], lambda j, ent: emergency_grade_piece(ent))
    gg_codes, gg = piece([c for c in grade_cols if c not in own_grades], [any_nc],
                         lambda j, ent: gate_grades_piece(pack, q_for(j), ent, Aggregates(bool(any_nc[j]))))
    g_codes = _group(E, [], [eg_codes, gg_codes])  # engine.grades_piece = join_grades of the two parts
    grades = (g_codes, [join_grades(eg[eg_codes[j]], gg[gg_codes[j]]) for j in _first_rows(g_codes)])
    pieces = [
        grades,
        piece(["sector", "key_vehicle_user", "heavy_diesel_vehicles", "vehicles", "city_logistics"], [],
              lambda j, ent: transport_piece(pack, query, ent)),
        piece(["staggering_list_filed", "staggering_list_changed_without_filing"], [], lambda j, ent: staggering_list_piece(pack, query, ent)),
        piece(["baseline_class", "normal_daily_emissions"], [], lambda j, ent: emergency_piece(pack, query, ent)),
        piece(["decisions.enterprise"], [retro], lambda j, ent: emergency_list_piece(pack, q_for(j), bool(retro[j]))),
    ]
    scodes = _group(E, [], [codes for codes, _ in pieces])
    cfirst = _first_rows(scodes)
    parts = [compose(*(results[codes[j]] for codes, results in pieces)) for j in cfirst]
    best = pd.Series(line_keys).groupby(ecode, sort=True).idxmax().to_numpy()  # first max, like engine.summarise
    part_arr = np.empty(len(parts), dtype=object)
    part_arr[:] = parts
    enterprises = pd.DataFrame({
        "enterprise_id": df["enterprise_id"].to_numpy()[first_of_ent],
        "strictest_line": df["line.line_id"].to_numpy()[best],
        "strictest_measure": lines["measure"].to_numpy()[best],
        "residual": _residuals(decisions, pcodes, ecode, n_ent), "part": part_arr[scodes],
    })
    return lines, enterprises


def _residuals(decisions: list[LineDecision], pcodes: np.ndarray, ecode: np.ndarray, n_ent: int) -> np.ndarray:
    """Per enterprise, the union of its lines' residual obligations in line order (as engine.summarise does).

    Profiles are first coded by their residual tuple (many profiles carry the same obligations), rows deduplicated
    per enterprise on that code with numpy, and the union computed once per distinct sequence of codes."""
    residual = np.empty(n_ent, dtype=object)
    residual[:] = [()] * n_ent
    ids: dict[tuple, int] = {(): 0}
    rc = np.array([ids.setdefault(d.residual_obligations, len(ids)) for d in decisions], dtype=np.int64)
    if len(ids) == 1:
        return residual
    tuples = list(ids)
    row_rc = rc[pcodes]
    rows = np.flatnonzero(row_rc)
    rows = rows[np.argsort(ecode[rows], kind="stable")]  # by enterprise, lines in their order
    e, r = ecode[rows], row_rc[rows]
    key = e * len(ids) + r
    _, first = np.unique(key, return_index=True)
    keep = np.zeros(len(rows), dtype=bool)
    keep[first] = True  # the first line of each (enterprise, obligations) pair, order kept
    e, r = e[keep], r[keep]
    starts = np.flatnonzero(np.concatenate(([True], e[1:] != e[:-1]))) if len(e) else np.zeros(0, np.int64)
    ends = np.append(starts[1:], len(e))
    single = ends - starts == 1
    residual[e[starts[single]]] = [tuples[k] for k in r[starts[single]].tolist()]
    memo: dict[tuple, tuple] = {}
    r_list = r.tolist()
    for ent, lo, hi in zip(e[starts[~single]].tolist(), starts[~single].tolist(), ends[~single].tolist()):
        seq = tuple(r_list[lo:hi])
        got = memo.get(seq)
        if got is None:
            got = memo[seq] = tuple(dict.fromkeys(x for k in seq for x in tuples[k]))
        residual[ent] = got
    return residual


def line_decisions_over(df: pd.DataFrame, pack_id: "str | Pack", dates: list[date], alert_level: AlertLevel | str = "none",
                        workers: Optional[int] = None) -> tuple[np.ndarray, list[list[LineDecision]]]:
    """Line decisions of one frame at several dates of one pack (a schedule's cuts of a season), no summaries.

    Returns (profile code per row, per date the decision of each profile). The rows are grouped once, by
    evaluate_frame's profile columns and the date-dependent keys (triggers, gate) of EVERY date, so a group is
    uniform at each date; each date then costs one decide_line per group — the same rules, representatives and
    precedence as evaluate_frame, which tests/integration/schedules compares it with date by date.
    """
    level = AlertLevel(alert_level)
    if not dates or not len(df):
        return np.zeros(len(df), dtype=np.int64), [[] for _ in dates]
    pack = [_check(pack_id, on, level) for on in dates][0]
    if not df.index.equals(pd.RangeIndex(len(df))):
        df = df.reset_index(drop=True)
    cols = _Cols(df)
    ecode, n_ent = _enterprise_codes(cols)
    any_nc = _any_non_compliant(cols, ecode, n_ent)
    ecols, lcols = line_profile_columns(pack)
    pcols = ecols + lcols + DECISION_COLUMNS
    replaced, extra = _derived_keys(pack, cols, ecols)
    blocked, blocked_bits = _blocked_per_enterprise(pack, cols, ecode, n_ent)
    extra = [any_nc[ecode], blocked_bits[ecode]] + extra
    keyed_triggers = True
    for on in dates:
        tcols, tderived = _trigger_keys(pack, cols, on, level, ecols, lcols)
        gcols, gderived = _gate_keys(pack, cols, on, level, ecols, any_nc[ecode])
        keyed_triggers = keyed_triggers and bool(tcols)
        replaced = replaced | tcols | gcols
        extra += tderived + gderived
    cems = _cems_beyond_monitoring(pack, cols, lcols, {"keyed"} if keyed_triggers else set())
    pcodes, ccodes = _profiles(pack, cols, [c for c in pcols if c not in replaced], extra, _relevance_masks(pack, cols), cems)
    pfirst = _first_rows(pcodes)
    facts = _profile_facts(cols, pfirst, ecols, lcols)
    aggs = _aggregates(any_nc, blocked, ecode[pfirst])
    cfirst = _first_rows(ccodes) if ccodes is not None else None
    core_facts = _profile_facts(cols, cfirst, ecols, lcols) if cfirst is not None else None
    core_aggs = _aggregates(any_nc, blocked, ecode[cfirst]) if cfirst is not None else None
    return pcodes, [_decide_profiles(pack, on, level, cols, pcodes, ccodes, facts, core_facts, aggs, core_aggs, workers)
                    for on in dates]


def enterprise_summary(row) -> EnterpriseSummary:
    """The full EnterpriseSummary of one row of evaluate_frame's enterprises table."""
    return replace(row["part"], strictest_line=row["strictest_line"], strictest_measure=Measure(row["strictest_measure"]),
                   residual_obligations=row["residual"])


def _strict_key(d: LineDecision) -> float:
    m, p = strictness(Proposal(d.measure, d.percentage_min, d.percentage_max))
    return m * 1000 + p


def _retrofit(pack: Pack, key) -> bool:
    sector, lsector, status = (_clean(k) for k in key)
    line = LineFacts("", kind=LineKind.OTHER, sector=Sector(lsector) if lsector else None,
                     emission_status=EmissionStatus(status or "compliant"))
    return line_retrofit_done(pack, Sector(sector), line)


def line_decision(row) -> LineDecision:
    """The broadcast decision of one output row, with its own line id."""
    return replace(row["decision"], line_id=row["line_id"])


def evaluate_documents(documents: list[dict]) -> list[dict]:
    """Batch path for evaluate documents sharing pack/date/level groups; output = contract.evaluate's, per document."""
    from grading.contract import decision_to_dict, validate
    out: list[Optional[dict]] = [None] * len(documents)
    groups: dict = {}
    for i, doc in enumerate(documents):
        pack, query, _ = validate(doc)
        groups.setdefault((pack.id, query.on, query.alert_level, query.emergency_resplit), []).append(i)
    for (pid, on, level, resplit), idxs in groups.items():
        docs = [documents[i] for i in idxs]
        from grading.contract import _plain
        docs = [_plain(d) for d in docs]
        # enterprise ids must be unique inside one frame: key by position
        keyed = [dict(d, enterprise=dict(d["enterprise"], enterprise_id=f"{n}\x1f{d['enterprise']['enterprise_id']}")) for n, d in enumerate(docs)]
        lines, ents = evaluate_frame(frame_from_documents(keyed), pid, on, level, dict(resplit))
        by_ent = lines.groupby("enterprise_id", sort=False).indices
        pack = get_pack(pid)
        erows = ents.to_dict("records")
        for i, erow in zip(idxs, erows):
            eid = erow["enterprise_id"]
            lds = tuple(replace(lines["decision"].iat[j], line_id=lines["line_id"].iat[j]) for j in by_ent[eid])
            result = EnterpriseDecision(eid.split("\x1f", 1)[1], lds, enterprise_summary(erow))
            out[i] = decision_to_dict(pack, Query(pid, on, level, (), resplit), result)
    return out  # type: ignore[return-value]
