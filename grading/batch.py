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
    emergency_list_piece,
    emergency_piece,
    grades_piece,
    line_retrofit_done,
    staggering_list_piece,
    transport_piece,
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
from grading.vocab import AlertLevel, EmissionStatus, LineKind, Measure, Pollutant, Sector, SubType

ENTERPRISE_COLUMNS = [f.name for f in fields(EnterpriseFacts) if f.name != "lines"]
LINE_COLUMNS = ["line." + f.name for f in fields(LineFacts)]
NESTED = {"emergency_grades", "vehicles", "approvals", "location_flags", "normal_daily_emissions",
          "line.concentrations", "line.percent_of_limit"}
DECISION_COLUMNS = ["decisions.enterprise", "decisions.line"]


def _enc(v: Any) -> Any:
    """Nested facts become canonical JSON strings, so they are hashable and group by value."""
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def frame_from_documents(documents: Iterable[dict]) -> pd.DataFrame:
    """Evaluate documents → one row per line (enterprise facts repeated, nested facts as JSON)."""
    rows = []
    for doc in documents:
        ent = doc["enterprise"]
        decs = doc.get("official_decisions") or []
        base = {}
        for c in ENTERPRISE_COLUMNS:
            v = ent.get(c)
            base[c] = _enc(v if v is not None else ([] if c in NESTED and c != "normal_daily_emissions" else {})) if c in NESTED else v
        ent_decs = [d for d in decs if d.get("line") is None]
        base["decisions.enterprise"] = _enc(ent_decs)
        for line in ent["lines"]:
            row = dict(base)
            for c in LINE_COLUMNS:
                k = c[5:]
                v = line.get(k)
                row[c] = _enc(v or {}) if c in NESTED else v
            row["decisions.line"] = _enc([dict(d, line=None) for d in decs if d.get("line") == line["line_id"]])
            rows.append(row)
    return pd.DataFrame(rows, columns=ENTERPRISE_COLUMNS + LINE_COLUMNS + DECISION_COLUMNS)


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


def _relevance_masks(pack: Pack, df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-row masks of facts that matter only for some sectors, declared from the pack's own data.

    A fact outside its mask cannot change a decision (e.g. 入棚入仓 matters only where an exclusion requires it,
    002:602), so it is blanked for grouping; the rules themselves still read the real value of the representative.
    """
    eff = df["line.sector"].where(df["line.sector"].notna(), df["sector"]).to_numpy()
    measures = pack.section("sector_measures", [])

    def sectors_where(pred) -> set:
        return {sec for m in measures if pred(m) for sec in m.get("sectors", [])}

    masks: dict[str, np.ndarray] = {}
    masks["line.enclosed"] = np.isin(eff, list(sectors_where(lambda m: any(x.get("requires_enclosed") for x in m.get("excluded", [])))))
    masks["line.firing_process"] = np.isin(eff, list(sectors_where(lambda m: any(x.get("requires_no_firing") for x in m.get("excluded", [])))))
    exempted = {i for x in pack.section("exemptions", []) for i in x["measure_ids"]}
    masks["line.status_reached_on"] = np.isin(eff, list(sectors_where(lambda m: m["id"] in exempted)))
    conc = np.zeros(len(df), dtype=bool)
    bench = (pack.section("benchmark") or {}).get("foundry")
    if bench:
        conc |= np.isin(eff, bench["sectors"])
    ths = [t for t in pack.section("thresholds", []) if t["status"] == "ultra_low"]
    if ths:
        ul = (df["line.emission_status"] == "ultra_low").to_numpy()
        if any("sectors" not in t for t in ths):
            conc |= ul
        else:
            conc |= ul & np.isin(eff, [sec for t in ths for sec in t["sectors"]])
    masks["line.concentrations"] = conc
    tiers = pack.section("tiers")
    if tiers:
        in_tiers = np.isin(eff, tiers["sectors"]["value"])
        for c in ("ultra_low_retrofit", "technology_level", "transport_structure", "product_level", "staggering_tier"):
            masks[c] = in_tiers
    return masks


def _derive(df: pd.DataFrame, cols: list[str], rule) -> np.ndarray:
    """rule(enterprise facts built from `cols`) evaluated once per distinct combination, broadcast to rows."""
    codes = group_codes(df, cols)
    first = _first_rows(codes)
    ecols = cols if "sector" in cols else cols + ["sector"]
    results = [repr(rule(_enterprise({"sector": "other", **{c: df[c].iat[i] for c in cols}}, ecols))) for i in first]
    return np.asarray(results, dtype=object)[codes]


_TIER_ATTRS = ["ultra_low_retrofit", "technology_level", "transport_structure", "product_level"]
_FLEET = ["sector", "key_vehicle_user", "heavy_diesel_vehicles", "vehicles"]


def _derived_keys(pack: Pack, df: pd.DataFrame, cols: list[str]) -> tuple[set[str], list[np.ndarray]]:
    """Columns replaced in a grouping key by what the rule itself makes of them.

    The tier attributes of 004:389 reach decisions only through tiers.staggering_tier; the fleet size reaches
    the summary only through transport.key_vehicle_user (plus the vehicle list). Grouping by the rule's result
    keeps one implementation while letting, e.g., 3 and 7 heavy diesel vehicles share a profile.
    """
    replaced: set[str] = set()
    keys: list[np.ndarray] = []
    spec = pack.section("tiers")
    if spec and all(c in cols for c in _TIER_ATTRS + ["staggering_tier"]):
        replaced |= set(_TIER_ATTRS) | {"staggering_tier"}
        any_day = pack.period_start  # staggering_tier reads no date, level or aggregate
        keys.append(_derive(df, _TIER_ATTRS + ["staggering_tier"],
                            lambda ent: staggering_tier(Context(pack, any_day, AlertLevel.NONE, ent, Aggregates(), ()))))
    if all(c in cols for c in _FLEET):
        replaced.add("heavy_diesel_vehicles")
        keys.append(_derive(df, _FLEET, lambda ent: key_vehicle_user(pack, ent)))
    return replaced, keys


_TRIGGER_ONLY_LINE_FACTS = ["line.stack_height_m", "line.cems_transmission_rate", "line.on_furnace_list", "line.found_unlisted_on"]


_STATUS_READERS = ("sector_measures", "exemptions", "emergency_exemptions", "benchmark", "emergency_grading")


def _trigger_keys(pack: Pack, df: pd.DataFrame, on: date, level: AlertLevel, ecols: list[str],
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
    codes = group_codes(df, ecs + lt)
    first = _first_rows(codes)
    results = []
    for row in df.iloc[first][ecs + lt].to_dict("records"):
        ent = _enterprise({"sector": "other", **row}, ecs + ["sector"])
        line = _line(row, lt)
        ctx = Context(pack, on, level, ent, Aggregates(), ())
        key = tuple(t["id"] for t in fired(ctx, line))
        if status_too:
            key = (key, status_check_flags(pack, line.sector or ent.sector, line))
        results.append(repr(key))
    return set(only), [np.asarray(results, dtype=object)[codes]]


def _gate_keys(pack: Pack, df: pd.DataFrame, on: date, level: AlertLevel, ecols: list[str],
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
    codes = group_codes(df, gate, [any_nc])
    first = _first_rows(codes)
    results = []
    for i, row in zip(first, df.iloc[first][gate + ["sector"]].to_dict("records")):
        ctx = Context(pack, on, level, _enterprise(row, gate + ["sector"]), Aggregates(bool(any_nc[i])), ())
        failed = failed_conditions(ctx)
        results.append(repr((failed if summary else bool(failed), failed_without_outcome(ctx))))
    return replaced, [np.asarray(results, dtype=object)[codes]]


def group_codes(df: pd.DataFrame, cols: list[str], extra: Iterable[np.ndarray] = (),
                masks: Optional[dict[str, np.ndarray]] = None) -> np.ndarray:
    """Dense integer code per row for the combination of `cols` (+ extra arrays); NaN/None count as a value.
    Where masks[col] is False the column's value is ignored."""
    key = np.zeros(len(df), dtype=np.int64)
    masks = masks or {}

    def codes(c):
        cs, uniq = pd.factorize(df[c], use_na_sentinel=True)
        if c in masks:
            cs = np.where(masks[c], cs, -1)
        return cs, uniq
    arrays = [codes(c) for c in cols] + [pd.factorize(a) for a in extra]
    for codes, uniq in arrays:
        key = key * (len(uniq) + 1) + (codes + 1)
        key = pd.factorize(key)[0].astype(np.int64)
    return key


def _first_rows(codes: np.ndarray) -> np.ndarray:
    _, first = np.unique(codes, return_index=True)
    return first  # first row of each code, ordered by code


_BLOCK_COLS = ["sector", "sub_type", "line.sector", "line.sub_type", "line.kind", "line.fuel", "line.emission_status",
               "line.status_reached_on", "line.percent_of_limit", "line.concentrations", "line.has_cems", "line.enclosed",
               "line.firing_process"]


def _blocked_per_enterprise(pack: Pack, df: pd.DataFrame, ecode: np.ndarray, n_ent: int) -> np.ndarray:
    """Per enterprise, the enterprise-level exemptions some line fails (exemptions.line_blocks, the rule itself,
    once per distinct line profile; union over the enterprise's lines) - as engine.aggregates computes it."""
    from grading.rules.exemptions import enterprise_level_exemptions, line_blocks
    ids = [i for i, _, _ in enterprise_level_exemptions(pack)]
    out = np.empty(n_ent, dtype=object)
    out[:] = [frozenset()] * n_ent
    if not ids or not len(df):
        return out
    codes = group_codes(df, _BLOCK_COLS)
    first = _first_rows(codes)
    bits = np.zeros(len(first), dtype=np.int64)
    for k, row in enumerate(df.iloc[first][_BLOCK_COLS].to_dict("records")):
        line = _line(row, [c for c in _BLOCK_COLS if c.startswith("line.")])
        blocked = line_blocks(pack, Sector(_clean(row["sector"])), SubType(_clean(row["sub_type"]) or "none"), line)
        bits[k] = sum(1 << n for n, i in enumerate(ids) if i in blocked)
    acc = np.zeros(n_ent, dtype=np.int64)
    np.bitwise_or.at(acc, ecode, bits[codes])
    cache: dict = {}
    for e, b in enumerate(acc):
        if b not in cache:
            cache[b] = frozenset(i for n, i in enumerate(ids) if b >> n & 1)
        out[e] = cache[b]
    return out


def _decide_chunk(job, lo: int, hi: int) -> list[LineDecision]:
    """decide_line for representative rows lo..hi (the only place the batch path runs rules on lines)."""
    pack, on, level, ecols, lcols, reps, aggs = job
    ent_cache: dict = {}
    line_cache: dict = {}
    out = []
    for row, agg in zip(reps[lo:hi], aggs[lo:hi]):
        ekey = tuple(_clean(row[c]) for c in ecols)
        ent = ent_cache.get(ekey)
        if ent is None:
            ent = ent_cache[ekey] = _enterprise(row, ecols)
        lkey = tuple(_clean(row[c]) for c in lcols)
        line = line_cache.get(lkey)
        if line is None:
            line = line_cache[lkey] = _line(row, lcols)
        raw = row["decisions.enterprise"], row["decisions.line"]
        # The line's own choices first: the same precedence as engine.decisions_for.
        decs = decisions_from_list(json.loads(raw[1]) + json.loads(raw[0])) if raw != ("[]", "[]") else ()
        out.append(decide_line(Context(pack, on, level, ent, agg, decs), line))
    return out


_JOB = None  # set just before forking workers, read by _worker (fork shares it copy-on-write)


def _worker(bounds: tuple[int, int]) -> list[LineDecision]:
    return _decide_chunk(_JOB, *bounds)


def _decide_all(job, workers: Optional[int]) -> list[LineDecision]:
    """Split the distinct profiles over `workers` forked processes (Linux), else run them here."""
    global _JOB
    n = len(job[5])
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
    n = len(df)
    ecode = pd.factorize(df["enterprise_id"])[0]
    n_ent = int(ecode.max()) + 1 if n else 0

    # cross-line aggregates per enterprise (vectorised): any non-compliant line; all lines retrofitted
    nc = (df["line.emission_status"] == "non_compliant").to_numpy()
    any_nc = np.zeros(n_ent, dtype=bool)
    np.logical_or.at(any_nc, ecode, nc)
    rcodes = group_codes(df, ["sector", "line.sector", "line.emission_status"])
    rfirst = _first_rows(rcodes)
    rvals = np.zeros(len(rfirst), dtype=bool)
    for code, i in enumerate(rfirst):
        rvals[code] = _retrofit(pack, (df["sector"].iat[i], df["line.sector"].iat[i], df["line.emission_status"].iat[i]))
    retro = np.ones(n_ent, dtype=bool)
    np.logical_and.at(retro, ecode, rvals[rcodes])

    # one decide_line per distinct line profile
    ecols, lcols = line_profile_columns(pack)
    pcols = ecols + lcols + DECISION_COLUMNS
    gcols, derived = _derived_keys(pack, df, ecols)
    tcols, tderived = _trigger_keys(pack, df, on, level, ecols, lcols)
    ecols_gate, gderived = _gate_keys(pack, df, on, level, ecols, any_nc[ecode])
    blocked = _blocked_per_enterprise(pack, df, ecode, n_ent)
    pcodes = group_codes(df, [c for c in pcols if c not in gcols | tcols | ecols_gate],
                         [any_nc[ecode], np.asarray([repr(sorted(b)) for b in blocked], dtype=object)[ecode]]
                         + derived + tderived + gderived,
                         _relevance_masks(pack, df))
    pfirst = _first_rows(pcodes)
    reps = df.iloc[pfirst][pcols].to_dict("records")
    job = (pack, on, level, ecols, lcols, reps,
           [Aggregates(bool(any_nc[e]), blocked[e]) for e in ecode[pfirst]])
    decisions = _decide_all(job, workers)
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
    E = df.iloc[first_of_ent].reset_index(drop=True)
    scols = summary_profile_columns(pack) + ["decisions.enterprise"]
    ent_decisions = E["decisions.enterprise"].to_numpy()

    def q_for(j: int) -> Query:
        raw = ent_decisions[j]
        return query if raw == "[]" else replace(query, official_decisions=decisions_from_list(json.loads(raw)))

    def piece(cols: list[str], extra: list, fn) -> np.ndarray:
        cols = [c for c in cols if c in scols]
        gcols, gder = _derived_keys(pack, E, cols)
        gate, gateder = _gate_keys(pack, E, on, level, cols, any_nc, summary=True) if "stably_compliant" in cols else (set(), [])
        codes = group_codes(E, [c for c in cols if c not in gcols | gate], extra + gder + gateder)
        first = _first_rows(codes)
        results = np.empty(len(first), dtype=object)
        rows = E.iloc[first][cols + (["sector"] if "sector" not in cols else [])].to_dict("records")
        results[:] = [fn(int(j), _enterprise(row, list(row))) for j, row in zip(first, rows)]
        return results[codes]

    grade_cols = ["emergency_grades", "ultra_low_evaluation_fraud", "staggering_tier", "benchmark_enterprise", "voc_class",
                  *_GATE[:-1], *_TIER_ATTRS, "decisions.enterprise"]
    pieces = [
        piece(grade_cols, [any_nc], lambda j, ent: grades_piece(pack, q_for(j), ent, Aggregates(bool(any_nc[j])))),
        piece(["sector", "key_vehicle_user", "heavy_diesel_vehicles", "vehicles", "city_logistics"], [],
              lambda j, ent: transport_piece(pack, query, ent)),
        piece(["staggering_list_filed", "staggering_list_changed_without_filing"], [], lambda j, ent: staggering_list_piece(pack, query, ent)),
        piece(["baseline_class", "normal_daily_emissions"], [], lambda j, ent: emergency_piece(pack, query, ent)),
        piece(["decisions.enterprise"], [retro], lambda j, ent: emergency_list_piece(pack, q_for(j), bool(retro[j]))),
    ]
    pcs = group_codes(pd.DataFrame({f"p{k}": np.asarray([id(x) for x in arr]) for k, arr in enumerate(pieces)}),
                      [f"p{k}" for k in range(len(pieces))])
    cfirst = _first_rows(pcs)
    parts = [compose(*(arr[j] for arr in pieces)) for j in cfirst]
    scodes = pcs
    best = pd.Series(line_keys).groupby(ecode, sort=True).idxmax().to_numpy()  # first max, like engine.summarise
    part_arr = np.empty(len(parts), dtype=object)
    part_arr[:] = parts
    residual = np.empty(n_ent, dtype=object)
    residual[:] = [()] * n_ent
    has_res = np.array([bool(d.residual_obligations) for d in decisions], dtype=bool)[pcodes]
    rows = np.flatnonzero(has_res)
    rows = rows[np.argsort(ecode[rows], kind="stable")]  # by enterprise, lines in their order
    for e, i in zip(ecode[rows], rows):  # union in line order, as engine.summarise does
        for r in decisions[pcodes[i]].residual_obligations:
            if r not in residual[e]:
                residual[e] = residual[e] + (r,)
    enterprises = pd.DataFrame({
        "enterprise_id": df["enterprise_id"].to_numpy()[first_of_ent],
        "strictest_line": df["line.line_id"].to_numpy()[best],
        "strictest_measure": lines["measure"].to_numpy()[best],
        "residual": residual, "part": part_arr[scodes],
    })
    return lines, enterprises


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
    ecode = pd.factorize(df["enterprise_id"])[0]
    n_ent = int(ecode.max()) + 1 if len(df) else 0
    nc = (df["line.emission_status"] == "non_compliant").to_numpy()
    any_nc = np.zeros(n_ent, dtype=bool)
    np.logical_or.at(any_nc, ecode, nc)
    ecols, lcols = line_profile_columns(pack)
    pcols = ecols + lcols + DECISION_COLUMNS
    replaced, extra = _derived_keys(pack, df, ecols)
    blocked = _blocked_per_enterprise(pack, df, ecode, n_ent)
    extra = [any_nc[ecode], np.asarray([repr(sorted(b)) for b in blocked], dtype=object)[ecode]] + extra
    for on in dates:
        tcols, tderived = _trigger_keys(pack, df, on, level, ecols, lcols)
        gcols, gderived = _gate_keys(pack, df, on, level, ecols, any_nc[ecode])
        replaced = replaced | tcols | gcols
        extra += tderived + gderived
    pcodes = group_codes(df, [c for c in pcols if c not in replaced], extra, _relevance_masks(pack, df))
    pfirst = _first_rows(pcodes)
    reps = df.iloc[pfirst][pcols].to_dict("records")
    aggs = [Aggregates(bool(any_nc[e]), blocked[e]) for e in ecode[pfirst]]
    return pcodes, [_decide_all((pack, on, level, ecols, lcols, reps, aggs), workers) for on in dates]


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
