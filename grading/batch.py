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
from dataclasses import fields, replace
from datetime import date
from typing import Any, Iterable, Optional

import numpy as np
import pandas as pd

from grading.decisions import EnterpriseDecision, LineDecision
from grading.engine import decide_line, enterprise_part, line_retrofit_done
from grading.errors import ContractError, FieldError
from grading.facts import (IDENTITY_FIELDS, EnterpriseFacts, LineFacts, OfficialDecision, Query, decisions_from_list,
                           enterprise_from_dict, line_from_dict)
from grading.packs import Pack, load_packs
from grading.rules.base import Aggregates, Context, Proposal, strictness
from grading.vocab import AlertLevel, EmissionStatus, LineKind, Pollutant, Sector

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
    if v is None or (isinstance(v, float) and math.isnan(v)):
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


def _enterprise(row: dict) -> EnterpriseFacts:
    d = _row_dict(row, ENTERPRISE_COLUMNS)
    d.setdefault("enterprise_id", "")
    d["lines"] = []
    ent = enterprise_from_dict(d)
    return replace(ent, enterprise_id="", name="")


def _line(row: dict) -> LineFacts:
    d = _row_dict(row, LINE_COLUMNS, "line.")
    d["line_id"] = ""
    return replace(line_from_dict(d), name="", capacity=None, capacity_unit="")


def _check(pack_id: str, on: date, level: AlertLevel) -> Pack:
    packs = load_packs()
    pack = packs.get(pack_id)
    if pack is None:
        raise ContractError([FieldError("pack", "unknown_pack", pack_id, tuple(sorted(packs)))])
    errs = []
    if not pack.period_start <= on < pack.period_end:
        errs.append(FieldError("date", "date_outside_period", on.isoformat(), (), f"{pack.period_start} – {pack.period_end}"))
    if level not in pack.alert_levels:
        errs.append(FieldError("alert_level", "not_allowed", level.value, tuple(l.value for l in pack.alert_levels)))
    if errs:
        raise ContractError(errs)
    return pack


def evaluate_frame(df: pd.DataFrame, pack_id: str, on: date, alert_level: AlertLevel | str,
                   emergency_resplit: Optional[dict] = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines, enterprises): per-line decisions (column `decision`, line id applied by line_decision())
    and per-enterprise summaries (column `summary`)."""
    level = AlertLevel(alert_level)
    pack = _check(pack_id, on, level)
    resplit = tuple(sorted((Pollutant(k), float(v)) for k, v in (emergency_resplit or {}).items()))
    query = Query(pack.id, on, level, (), resplit)
    df = df.reset_index(drop=True)
    eid = df["enterprise_id"]

    # cross-line aggregates, computed per line profile then reduced per enterprise (vectorised)
    non_compliant = (df["line.emission_status"] == "non_compliant")
    any_nc = non_compliant.groupby(eid, sort=False).transform("any")
    rkeys = ["sector", "line.sector", "line.emission_status"]
    rcodes, runiq = pd.MultiIndex.from_frame(df[rkeys].astype(object).where(df[rkeys].notna(), None)).factorize()
    rvals = np.array([_retrofit(pack, k) for k in runiq], dtype=bool)
    retro_all = pd.Series(rvals[rcodes]).groupby(eid, sort=False).transform("all")

    ent_cols = [c for c in ENTERPRISE_COLUMNS if c not in IDENTITY_FIELDS] + ["decisions.enterprise"]
    line_cols = [c for c in LINE_COLUMNS if c[5:] not in IDENTITY_FIELDS] + ["decisions.line"]
    work = df[ent_cols + line_cols].astype(object).where(df[ent_cols + line_cols].notna(), None)
    work["agg.any_nc"] = any_nc.values
    work["agg.retro"] = retro_all.values

    # ---- one decide_line per distinct (enterprise profile, aggregates, line profile, decisions)
    pcodes, puniq = pd.MultiIndex.from_frame(work[ent_cols + ["agg.any_nc"] + line_cols]).factorize()
    names = ent_cols + ["agg.any_nc"] + line_cols
    ent_cache: dict = {}
    decisions: list[LineDecision] = []
    for key in puniq:
        row = dict(zip(names, key))
        ekey = tuple(row[c] for c in ent_cols)
        ent = ent_cache.get(ekey)
        if ent is None:
            ent = ent_cache[ekey] = _enterprise(row)
        decs = decisions_from_list(json.loads(row["decisions.enterprise"]) + json.loads(row["decisions.line"]))
        ctx = Context(pack, on, level, ent, Aggregates(bool(row["agg.any_nc"])), decs)
        decisions.append(decide_line(ctx, _line(row)))
    keys = np.array([_strict_key(d) for d in decisions], dtype=float)

    lines = pd.DataFrame({
        "enterprise_id": eid.values, "line_id": df["line.line_id"].values, "profile": pcodes,
        "measure": [decisions[i].measure.value for i in pcodes],
    })
    lines["decision"] = pd.Series(decisions, dtype=object).iloc[pcodes].values
    lines["strictness"] = keys[pcodes]

    # ---- enterprise summaries: part once per distinct enterprise profile, then strictest line / residuals
    ecodes, euniq = pd.MultiIndex.from_frame(work[ent_cols + ["agg.any_nc", "agg.retro"]]).factorize()
    enames = ent_cols + ["agg.any_nc", "agg.retro"]
    parts = []
    for key in euniq:
        row = dict(zip(enames, key))
        ent = _enterprise(row)
        q = replace(query, official_decisions=decisions_from_list(json.loads(row["decisions.enterprise"])))
        parts.append(enterprise_part(pack, q, ent, Aggregates(bool(row["agg.any_nc"])), bool(row["agg.retro"])))
    first = ~eid.duplicated()
    ent_rows = np.flatnonzero(first.values)
    summaries = []
    grouped = lines.groupby("enterprise_id", sort=False).indices
    for r in ent_rows:
        idx = grouped[eid.iat[r]]
        summaries.append(_summary(parts[ecodes[r]], idx, pcodes, decisions, lines["line_id"].values, keys))
    enterprises = pd.DataFrame({"enterprise_id": eid.values[ent_rows], "summary": summaries})
    enterprises["strictest_measure"] = [s.strictest_measure.value for s in summaries]
    return lines, enterprises


def _summary(part, idx, pcodes, decisions, line_ids, keys):
    """engine.summarise over the enterprise's lines, without materialising per-line copies."""
    best = max(idx, key=lambda i: (keys[pcodes[i]], -i))
    residual = []
    for p in dict.fromkeys(pcodes[idx]):
        for r in decisions[p].residual_obligations:
            if r not in residual:
                residual.append(r)
    d = decisions[pcodes[best]]
    return replace(part, strictest_line=str(line_ids[best]), strictest_measure=d.measure, residual_obligations=tuple(residual))


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
        pack = load_packs()[pid]
        for n, (i, row) in enumerate(zip(idxs, ents.itertuples(index=False))):
            eid = row.enterprise_id
            lds = tuple(replace(lines["decision"].iat[j], line_id=lines["line_id"].iat[j]) for j in by_ent[eid])
            result = EnterpriseDecision(eid.split("\x1f", 1)[1], lds, row.summary)
            out[i] = decision_to_dict(pack, Query(pid, on, level, (), resplit), result)
    return out  # type: ignore[return-value]
