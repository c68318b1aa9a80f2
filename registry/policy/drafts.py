"""Authored policy packs, the engine-facing half (issue 20): load, check, compare and preview a draft pack.

A draft is pack YAML text in the same format as grading/packs/*.yaml and goes through the same loader
(grading.packs.parse_pack). This module adds what the authoring pages need on top of it:

- `problems(text)`: EVERY loader problem (grading.packs.check_pack), each with its dotted path, the field's label
  and a message in the reader's language (registry/policy/pack_labels.py), not only the first;
- `diff(parent_text, draft_text)`: every changed value with its old and new citation;
- `impact(parent, draft, region_code, dates, levels)`: the region's registered enterprises evaluated under both
  packs through the engine's BATCH path (grading.batch.evaluate_frame, as schedules and orders use it), counted by
  sector and county, each changed line listed (one page at a time) with both decisions' reasons, and the emergency
  list's totals against the draft's targets;
- `read_yaml` / `dump_yaml`: the round trip an authored pack takes between the forms and the file.

Pure apart from `impact` (which reads the region's reviewed registrations and emergency list) and the labels (which
need an app context for the reader's language).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Optional

import numpy as np
import yaml

from grading.batch import evaluate_frame, frame_from_documents
from grading.decisions import LineDecision, to_jsonable
from grading.errors import PackError
from grading.packs import (
    CITE,
    DATE_KEYS,
    FREE,
    MATCH,
    MONTH_DAY_RE,
    OFFICIAL_LEVELS,
    PERCENT_KEYS,
    SEPARATIONS,
    SOURCE_RE,
    SPEC,
    Pack,
    check_pack,
    known_rule_ids,
    known_settings,
    parse_pack,
    spec_for,
)
from grading.vocab import AlertLevel
from registry.policy import pack_labels

__all__ = [
    # the loader's schema, for registry/authoring/schema_form.py (registry/policy is the one door to grading/)
    "CITE", "DATE_KEYS", "FREE", "MATCH", "MONTH_DAY_RE", "OFFICIAL_LEVELS", "PERCENT_KEYS", "SEPARATIONS", "SOURCE_RE",
    "SPEC", "known_rule_ids", "known_settings", "spec_for",
    "Change", "CutCount", "FloorCheck", "Impact", "LineChange", "PackError", "Problem", "TargetCheck", "citation_of", "diff",
    "dump_yaml", "field_label", "impact", "impact_of_documents", "load_draft", "parent_date", "problems", "read_yaml",
]

field_label = pack_labels.field_label


# ---- loading and checking --------------------------------------------------------------------------------------

def load_draft(yaml_text: str, file: str = "<draft>") -> Pack:
    """The draft as a Pack, through the shipped packs' loader; raises PackError on the first problem."""
    return parse_pack(yaml_text, file)


@dataclass(frozen=True)
class Problem:
    """One loader problem: where (`path`, dotted as in grading.packs), what (`code` + `params`), the loader's
    English text (`detail`, for logs); `field_label` and `message` are in the reader's language (zh by default)."""

    path: str
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    detail: str = ""

    @property
    def field_label(self) -> str:
        return pack_labels.field_label(self.path)

    @property
    def message(self) -> str:
        return pack_labels.problem_message(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "field_label": self.field_label, "message": self.message, "code": self.code}


def problems(yaml_text: str, file: str = "<draft>") -> list[Problem]:
    """Every problem the loader finds in the draft (unknown or duplicate keys, missing citations, bad or
    overlapping dates, percentages out of range, rules the engine does not have, …); [] when it loads."""
    return [Problem(e.key, e.code, e.params, e.problem) for e in check_pack(yaml_text, file)]


# ---- YAML round trip -------------------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """Plain safe loading with dates kept as text (as the pack loader reads them)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(yaml_text: str) -> dict:
    """The draft's raw structure (no validation; dates as 'YYYY-MM-DD' text), for forms and diffs."""
    loader = _Loader(yaml_text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise PackError("<draft>", "<root>", "a pack is a mapping", "not_a_mapping")
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _date_repr(dumper: yaml.SafeDumper, value: date) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.isoformat())


def _str_repr(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _short(node: Any) -> bool:
    """A record of scalars (or short lists of scalars) that reads well on one line, as the shipped packs write
    windows, ratios and small citations: {start: 2019-01-01, end: 2019-03-16}."""
    if isinstance(node, dict):
        return all(_short(v) and not isinstance(v, dict) for v in node.values()) and len(repr(node)) <= 100
    if isinstance(node, list):
        return all(not isinstance(v, (dict, list)) for v in node) and len(repr(node)) <= 100
    return not (isinstance(node, str) and "\n" in node)


def _dict_repr(dumper: yaml.SafeDumper, value: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=_short(value) or None)


def _list_repr(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    flow = all(not isinstance(v, (dict, list)) for v in value) or (all(_short(v) for v in value) and len(repr(value)) <= 100)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow or None)


_Dumper.add_representer(date, _date_repr)
_Dumper.add_representer(str, _str_repr)
_Dumper.add_representer(dict, _dict_repr)
_Dumper.add_representer(list, _list_repr)


def _plain(node: Any) -> Any:
    """Dates to ISO text, tuples to lists: the structure the pack files hold."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    return node


_DATE_TEXT = re.compile(r"^'(\d{4}-\d{2}-\d{2})'$", re.M)


def dump_yaml(pack_dict: dict, header: str = "") -> str:
    """A pack structure as pack YAML (keys in their order, Chinese as is, dates as YYYY-MM-DD) that
    grading.packs.parse_pack reads back to the same structure. `header` becomes leading # comment lines."""
    text = yaml.dump(_plain(pack_dict), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120,
                     default_flow_style=False)
    text = re.sub(r"([:,\[{-]\s?)'(\d{4}-\d{2}-\d{2})'(?=[,}\]\s]|$)", r"\1\2", text, flags=re.M)  # dates unquoted
    lines = "".join(f"# {h}\n" if h else "#\n" for h in header.splitlines())
    return lines + text


# ---- diff ------------------------------------------------------------------------------------------------------

def citation_of(node: Any) -> Optional[dict[str, Any]]:
    """The citation a mapping carries itself (source + rule, or a local setting's rule + why), else None."""
    if not isinstance(node, dict):
        return None
    if ("source" in node and "rule" in node) or (node.get("local_setting") is True and "rule" in node):
        return {k: node[k] for k in ("source", "rule", "note", "why", "local_setting") if k in node}
    return None


@dataclass(frozen=True)
class Change:
    """One changed value of the draft against its parent. kind: changed | added | removed | citation (only the
    citation changed). `old`/`new` are the values (None when absent); citations are the nearest enclosing
    citation on each side (citation_of), so a changed value shows whether it was re-cited (`recited`)."""

    path: str
    kind: str
    old: Any
    new: Any
    old_citation: Optional[dict]
    new_citation: Optional[dict]

    @property
    def field_label(self) -> str:
        return pack_labels.field_label(self.path)

    @property
    def recited(self) -> bool:
        return self.old_citation != self.new_citation

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "field_label": self.field_label, "kind": self.kind, "old": _plain(self.old),
                "new": _plain(self.new), "old_citation": self.old_citation, "new_citation": self.new_citation,
                "recited": self.recited}


def _keyed(items: list) -> Optional[dict[str, tuple[int, Any]]]:
    """List of records with unique ids → id → (index, record); None when the list is not that."""
    if not items or not all(isinstance(x, dict) and "id" in x for x in items):
        return None
    ids = [str(x["id"]) for x in items]
    if len(set(ids)) != len(ids):
        return None
    return {i: (n, x) for n, (i, x) in enumerate(zip(ids, items))}


def _diff(old: Any, new: Any, path: str, old_cite: Optional[dict], new_cite: Optional[dict], out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        oc, nc = citation_of(old) or old_cite, citation_of(new) or new_cite
        before = len(out)
        for k in list(old) + [k for k in new if k not in old]:
            if k in CITE and k not in ("value", "options"):
                continue
            sub = f"{path}.{k}" if path else str(k)
            if k not in new:
                out.append(Change(sub, "removed", old[k], None, oc, nc))
            elif k not in old:
                out.append(Change(sub, "added", None, new[k], oc, nc))
            else:
                _diff(old[k], new[k], sub, oc, nc, out)
        own_old, own_new = citation_of(old), citation_of(new)
        if len(out) == before and own_old != own_new:
            out.append(Change(path, "citation", None, None, own_old, own_new))
        return
    if isinstance(old, list) and isinstance(new, list):
        ko, kn = _keyed(old), _keyed(new)
        if ko is not None and kn is not None:
            for rid, (n, item) in kn.items():
                sub = f"{path}[{n}]"
                if rid in ko:
                    _diff(ko[rid][1], item, sub, old_cite, new_cite, out)
                else:
                    out.append(Change(sub, "added", None, item, None, citation_of(item) or new_cite))
            for rid, (n, item) in ko.items():
                if rid not in kn:
                    out.append(Change(f"{path}[{n}]", "removed", item, None, citation_of(item) or old_cite, None))
            return
        if all(isinstance(x, dict) for x in old + new) and len(old) == len(new) and old:
            for n, (a, b) in enumerate(zip(old, new)):
                _diff(a, b, f"{path}[{n}]", old_cite, new_cite, out)
            return
    if _plain(old) != _plain(new):
        out.append(Change(path, "changed", old, new, old_cite, new_cite))


def diff(parent_yaml: str, draft_yaml: str) -> list[Change]:
    """Every changed value of the draft against its parent, with the old and the new citation. Lists of records
    with ids (sector measures, triggers, exemptions, …) are matched by id, so a moved record is not a change."""
    out: list[Change] = []
    _diff(read_yaml(parent_yaml), read_yaml(draft_yaml), "", None, None, out)
    return out


# ---- impact preview ----------------------------------------------------------------------------------------------

def parent_date(parent: Pack, draft: Pack, on: date) -> Optional[date]:
    """The parent's day that corresponds to the draft's day `on`: the same day of the season, shifted by the years
    between the two periods' starts (a copy for a new season compares 1 December with the parent's 1 December);
    None when that day lies outside the parent's period."""
    years = draft.period_start.year - parent.period_start.year
    try:
        day = on.replace(year=on.year - years)
    except ValueError:  # 29 February
        day = on.replace(year=on.year - years, day=28)
    return day if parent.period_start <= day < parent.period_end else None


@dataclass(frozen=True)
class LineChange:
    """A line whose decision differs: on the draft's day `on` (the parent's `parent_on`) at `level`."""

    enterprise_id: str
    enterprise_name: str
    county_code: str
    sector: str
    line_id: str
    line_name: str
    on: date
    parent_on: date
    level: str
    old: dict  # the parent's decision (to_jsonable of LineDecision: measure, percentages, reasons, flags, …)
    new: dict  # the draft's


@dataclass(frozen=True)
class CutCount:
    """One (day, level): lines evaluated and changed, or why it was not compared (`skipped`: a code)."""

    on: date
    level: str
    parent_on: Optional[date]
    lines: int
    changed: int
    skipped: str = ""  # "" | parent_date_outside | level_not_in_parent | level_not_in_draft | date_outside_draft


@dataclass(frozen=True)
class TargetCheck:
    """The region's emergency list totals at one level against the parent's and the draft's targets."""

    level: str
    pollutant: str
    percent: float  # what the list's measures reduce, % of the draft's base
    parent_target: Optional[float]
    draft_target: Optional[float]
    met_parent: bool
    met_draft: bool


@dataclass(frozen=True)
class FloorCheck:
    """On one evaluated (day, level): what the engine's own decisions reduce in the region — every line doing just
    what the pack requires — under the parent and under the draft, against each pack's target (city_totals on the
    registered lines' daily emissions). Shown when the region has no emergency list, and beside it when it has."""

    on: date
    level: str
    pollutant: str
    parent_percent: float
    draft_percent: float
    parent_target: Optional[float]
    draft_target: Optional[float]
    met_parent: bool
    met_draft: bool


@dataclass
class Impact:
    """What the draft changes for the region's registered enterprises. Counts cover every line; `changes` is the
    page [offset, offset + limit) of the changed lines in (day, level, county, enterprise, line) order."""

    region_code: str
    enterprises: int
    lines: int
    cuts: list[CutCount]
    changed: int  # changed (line, day, level) triples, all cuts
    changed_lines: int  # distinct lines changed on at least one cut
    by_sector: dict[str, int]  # distinct changed lines per sector
    by_county: dict[str, int]  # distinct changed lines per county code
    by_measure: dict[tuple[str, str], int]  # (parent measure, draft measure) → changed triples
    changes: list[LineChange]
    offset: int = 0
    limit: int = 100
    targets: list[TargetCheck] = field(default_factory=list)
    list_id: Optional[int] = None  # the emergency list the targets were checked on (None: the region has none)
    floor_targets: list[FloorCheck] = field(default_factory=list)  # the packs' own decisions against their targets


_COMPARED = ("measure", "percentage_min", "percentage_max", "basis", "coking_time_hours")


def _key(d: LineDecision) -> tuple:
    return tuple(getattr(d, k) for k in _COMPARED)


def _decision_dict(d: LineDecision) -> dict:
    out = to_jsonable(d)
    out.pop("line_id", None)
    return out


def impact_of_documents(parent: Pack, draft: Pack, docs: list[dict], dates: Iterable[date], levels: Iterable[str],
                        *, region_code: str = "", limit: int = 100, offset: int = 0) -> Impact:
    """The impact over prepared facts: `docs` are {"enterprise": <evaluate facts>, "county_code": …} (the
    enterprise facts as registry/policy/facts.enterprise_facts builds them). Per (day, level) the frame is
    evaluated once under each pack by grading.batch.evaluate_frame (one decide_line per fact profile); lines
    are compared on measure, percentages, basis and coking time."""
    docs = [d for d in docs if d["enterprise"].get("lines")]
    dates, levels = sorted(set(dates)), list(dict.fromkeys(levels))
    meta = {str(d["enterprise"]["enterprise_id"]): d for d in docs}
    frame = frame_from_documents([{"enterprise": d["enterprise"]} for d in docs]) if docs else None
    n_lines = 0 if frame is None else len(frame)
    baselines = _baselines(docs)
    keys: Optional[list[tuple[str, str]]] = None  # (enterprise id, line id) per frame row, for the floor totals
    floors: list[FloorCheck] = []
    cuts: list[CutCount] = []
    changed_rows: list[np.ndarray] = []
    listing: list[LineChange] = []
    by_measure: dict[tuple[str, str], int] = {}
    total = 0
    eids = lids = None
    if frame is not None:
        eids, lids = frame["enterprise_id"].to_numpy(), frame["line.line_id"].to_numpy()
    for on in dates:
        for level in levels:
            pon = parent_date(parent, draft, on)
            skipped = ("date_outside_draft" if not draft.period_start <= on < draft.period_end else
                       "parent_date_outside" if pon is None else
                       "level_not_in_draft" if AlertLevel(level) not in draft.alert_levels else
                       "level_not_in_parent" if AlertLevel(level) not in parent.alert_levels else "")
            if skipped or frame is None:
                cuts.append(CutCount(on, level, pon, n_lines if not skipped else 0, 0, skipped))
                continue
            old_lines, _ = evaluate_frame(frame, parent, pon, level, workers=1)
            new_lines, _ = evaluate_frame(frame, draft, on, level, workers=1)
            old_dec, new_dec = old_lines["decision"].to_numpy(), new_lines["decision"].to_numpy()
            okeys = {p: _key(old_dec[i]) for p, i in _first(old_lines["profile"].to_numpy()).items()}
            nkeys = {p: _key(new_dec[i]) for p, i in _first(new_lines["profile"].to_numpy()).items()}
            op, np_ = old_lines["profile"].to_numpy(), new_lines["profile"].to_numpy()
            # compare per (old profile, new profile) pair, not per line
            width = int(np_.max()) + 1 if len(np_) else 1
            pair = op.astype(np.int64) * width + np_
            uniq, inverse = np.unique(pair, return_inverse=True)
            differs = np.array([okeys[int(u // width)] != nkeys[int(u % width)] for u in uniq], dtype=bool)
            rows = np.flatnonzero(differs[inverse])
            cuts.append(CutCount(on, level, pon, n_lines, int(len(rows))))
            if baselines and level != "none":
                if keys is None:
                    keys = list(zip(map(str, eids.tolist()), map(str, lids.tolist())))
                floors.extend(_floor_checks(parent, draft, on, level, baselines, keys, old_dec, new_dec))
            changed_rows.append(rows)
            counts = np.bincount(inverse, minlength=len(uniq))
            for u, n in zip(uniq[differs].tolist(), counts[differs].tolist()):
                a, b = okeys[u // width][0].value, nkeys[u % width][0].value
                by_measure[(a, b)] = by_measure.get((a, b), 0) + int(n)
            # the page of the listing that falls in this cut
            lo, hi = max(0, offset - total), max(0, offset + limit - total)
            if hi > 0 and lo < len(rows):
                order = sorted(rows.tolist(), key=lambda r: (meta[str(eids[r])].get("county_code", ""), int(_num(eids[r])), r))
                for r in order[lo:hi]:
                    m = meta[str(eids[r])]
                    ent = m["enterprise"]
                    line = next((x for x in ent["lines"] if str(x.get("line_id")) == str(lids[r])), {})
                    listing.append(LineChange(
                        str(eids[r]), str(ent.get("name", "")), str(m.get("county_code", "")),
                        str(line.get("sector") or ent.get("sector") or ""), str(lids[r]), str(line.get("name", "")),
                        on, pon, level, _decision_dict(old_dec[r]), _decision_dict(new_dec[r])))
            total += len(rows)
    every = np.unique(np.concatenate(changed_rows)) if changed_rows else np.array([], dtype=np.int64)
    by_sector: dict[str, int] = {}
    by_county: dict[str, int] = {}
    if len(every):
        sectors = frame["line.sector"].fillna(frame["sector"]).to_numpy() if "line.sector" in frame else frame["sector"].to_numpy()
        for r in every.tolist():
            s = str(sectors[r] or "")
            by_sector[s] = by_sector.get(s, 0) + 1
            c = str(meta[str(eids[r])].get("county_code", ""))
            by_county[c] = by_county.get(c, 0) + 1
    return Impact(region_code, len(docs), n_lines, cuts, total, int(len(every)), by_sector, by_county, by_measure,
                  listing, offset, limit, floor_targets=floors)


def _baselines(docs: list[dict]) -> list:
    """The lines' normal daily emissions where the documents carry them (region_documents: "baselines", line id →
    {"daily": {so2, nox, pm, vocs}, "baseline_class"}), as the emergency totals read them."""
    from registry.policy.emergency import LineBaseline

    out = []
    for d in docs:
        for line_id, b in (d.get("baselines") or {}).items():
            out.append(LineBaseline(str(d["enterprise"]["enterprise_id"]), str(line_id), b["daily"],
                                    b.get("baseline_class", "industrial")))
    return out


def _action(d: LineDecision) -> Any:
    """The share of a line's emissions a decision removes, as the emergency totals count it (the floor of
    registry/emergency/minimum.py: max load x % = curtail 100 - x; extend coking and unpriced max load count 0)."""
    from registry.policy.emergency import Action

    m = d.measure.value
    if m == "stop":
        return Action("stop")
    if m == "curtail":
        return Action("curtail", float(d.percentage_min or 0.0))
    if m == "max_load" and d.percentage_max is not None:
        return Action("curtail", 100.0 - float(d.percentage_max))
    return Action("none")


def _floor_checks(parent: Pack, draft: Pack, on: date, level: str, baselines: list, keys: list[tuple[str, str]],
                  old_dec: np.ndarray, new_dec: np.ndarray) -> list[FloorCheck]:
    """The two packs' decisions of one cut as the emergency totals' actions, totalled by city_totals."""
    from registry.policy.emergency import city_totals

    cache: dict[int, Any] = {}

    def actions(decisions: np.ndarray) -> dict:
        out = {}
        for key, d in zip(keys, decisions):  # decisions are shared per profile: one Action each
            a = cache.get(id(d))
            if a is None:
                a = cache[id(d)] = _action(d)
            out[key] = a
        return out

    old = city_totals(parent, level, baselines, actions(old_dec)).by_pollutant()
    new = city_totals(draft, level, baselines, actions(new_dec))
    return [FloorCheck(on, level, p.pollutant, old[p.pollutant].percent, p.percent, old[p.pollutant].target_percent,
                       p.target_percent, old[p.pollutant].met, p.met) for p in new.pollutants]


def _num(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _first(codes: np.ndarray) -> dict[int, int]:
    """code → its first row."""
    uniq, first = np.unique(codes, return_index=True)
    return dict(zip(uniq.tolist(), first.tolist()))


def region_documents(region_code: str, on: date) -> list[dict]:
    """The region's registrations as last approved, as the engine's facts on `on` with their standing grades
    (the same facts schedules are generated from), each with its county code and its lines' normal daily
    emissions (the emergency list's base)."""
    from registry.emergency.queries import baseline_class
    from registry.grades.current import grade_facts
    from registry.policy.facts import enterprise_facts, reviewed_enterprises

    enterprises = reviewed_enterprises(region_prefix=_prefix(region_code))
    grades = grade_facts([e.id for e in enterprises], on)
    return [{"enterprise": enterprise_facts(e, on=on, extra=grades.get(e.id)), "county_code": e.region_code,
             "baselines": {line.code or str(line.id): {"daily": {
                 "so2": float(line.daily_emission_so2_kg or 0), "nox": float(line.daily_emission_nox_kg or 0),
                 "pm": float(line.daily_emission_pm_kg or 0), "vocs": float(line.daily_emission_vocs_kg or 0)},
                 "baseline_class": baseline_class(line, e)} for line in e.lines}}
            for e in enterprises]


def _prefix(region_code: str) -> str:
    from registry.core.regions import region_prefix

    return region_prefix(region_code)


def impact(parent: Pack, draft: Pack, region_code: str, dates: list[date], levels: list[str], *,
           limit: int = 100, offset: int = 0) -> Impact:
    """The draft's impact on the region's registered enterprises (impact_of_documents over region_documents, the
    facts read on the earliest day), with the region's newest emergency list checked against the draft's targets."""
    if not dates:
        raise ValueError("impact needs at least one date")
    docs = region_documents(region_code, min(dates))
    result = impact_of_documents(parent, draft, docs, dates, levels, region_code=region_code, limit=limit, offset=offset)
    result.list_id, result.targets = emergency_targets(parent, draft, region_code)
    return result


def emergency_targets(parent: Pack, draft: Pack, region_code: str) -> tuple[Optional[int], list[TargetCheck]]:
    """The region's emergency list (the parent pack's first, filed before draft, newest first) at every level of the draft:
    what its measures reduce against the parent's and the draft's targets (grading.rules.reductions.city_totals,
    the emergency totals' own function)."""
    from sqlalchemy import select

    from registry.emergency.models import EmergencyList
    from registry.emergency.queries import area_of, list_baselines
    from registry.extensions import db
    from registry.policy.emergency import city_totals, emergency_levels

    lists = list(db.session.scalars(select(EmergencyList).where(EmergencyList.region_code == region_code)
                                    .order_by(EmergencyList.id.desc())))
    if not lists:
        return None, []
    # the parent's list first, a filed one before a draft, the newest first
    lst = min(lists, key=lambda x: (x.pack_id != parent.id, x.status != "filed", -x.id))
    lines, actions = list_baselines(lst)
    area = area_of(lst)
    out: list[TargetCheck] = []
    parent_levels = set(emergency_levels(parent))
    for level in emergency_levels(draft):
        acts = actions.get(level, {})
        resplit = (lst.resplit or {}).get(level)
        new = city_totals(draft, level, lines, acts, resplit, area)
        old = city_totals(parent, level, lines, acts, resplit, area) if level in parent_levels else None
        olds = old.by_pollutant() if old else {}
        for p in new.pollutants:
            o = olds.get(p.pollutant)
            out.append(TargetCheck(level, p.pollutant, p.percent, o.target_percent if o else None, p.target_percent,
                                   o.met if o else True, p.met))
    return lst.id, out
