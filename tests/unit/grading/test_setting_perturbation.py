"""Issue 14 point 1: a declared reading is cited wherever it decides.

For every pack and every setting (`settings.*`, plus the heating season dates, R-T-05), each alternative value
(each other option, a flipped boolean, a moved number, a shortened or lengthened list, a changed mapping) is run
over the scenario library (tests/scenarios/*.yaml of that pack, at every alert level of the pack) through the
engine. Every line or summary whose outcome changes must cite the setting in its reasons, in the original answer
AND in the perturbed one: the note names `pack setting NAME=VALUE`, the clause it interprets and that it is a
local reading (DOMAIN.md §5).
"""
from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from grading.contract import decision_to_dict, validate
from grading.engine import evaluate_enterprise
from grading.facts import enterprise_from_dict
from grading.packs import load_packs

SCEN = Path(__file__).resolve().parents[2] / "scenarios"
HEATING = "heating_season"


def _inputs_by_pack() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for path in sorted(SCEN.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else [data]:
            if "error" in (case.get("expected") or {}):
                continue
            out.setdefault(case["input"]["pack"], []).append(case["input"])
    return out


INPUTS = _inputs_by_pack()


def _alternatives(node: dict) -> list:
    v = node.get("value")
    if "options" in node and isinstance(v, str):
        return [o for o in node["options"] if o != v]
    if isinstance(v, bool):
        return [not v]
    if isinstance(v, (int, float)):
        return [v * 2, max(0, v / 2)]
    if isinstance(v, list):
        return [v[1:], v[:-1], v + ["vocs"]] if v else []
    if isinstance(v, dict):
        keys = list(v)
        return [{k: v[keys[(i + 1) % len(keys)]] for i, k in enumerate(keys)}] if len(keys) > 1 else []
    if isinstance(v, str):
        return [v + "_changed"]
    return []


def _perturbations():
    for pid, pack in load_packs().items():
        for name, node in (pack.data.get("settings") or {}).items():
            for alt in _alternatives(node):
                yield pytest.param(pid, name, alt, id=f"{pid}:{name}={alt!r}")
        for season in (("11-01", "04-01"), ("12-01", "03-01")):
            yield pytest.param(pid, HEATING, season, id=f"{pid}:{HEATING}={season[0]}..{season[1]}")


def _perturbed(pid: str, name: str, alt):
    pack = load_packs()[pid]
    data = copy.deepcopy(pack.data)
    if name == HEATING:
        data["heating_season"]["start_month_day"], data["heating_season"]["end_month_day"] = alt
    else:
        data["settings"][name]["value"] = alt
    return replace(pack, data=data)


def _line_outcome(line: dict) -> tuple:
    return (line["measure"], line["percentage_min"], line["percentage_max"], line["basis"], line["coking_time_hours"],
            tuple(sorted(f["code"] for f in line["flags"])))


def _summary_outcome(s: dict) -> tuple:
    return (s["emergency_list"], repr(s["transport"]), repr(sorted(s["emergency_ratios"].items())),
            s["grades"]["staggering_tier"], s["grades"]["eligible"], s["grades"]["emergency"],
            tuple(sorted(f["code"] for f in s["flags"])))


def _cites(reasons: list[dict], name: str) -> bool:
    if name == HEATING:
        return any(r["rule"] == "R-T-05" and "local setting" in (r["source"] + r["note"]) for r in reasons)
    return any(f"pack setting {name}=" in r["note"] and "local reading" in r["note"] for r in reasons)


def _dates(pack, doc: dict, name: str) -> list[str]:
    """The case's own date; for the heating-season dates also days either side of both perturbed boundaries."""
    if name != HEATING:
        return [doc["date"]]
    extra = [date(y, m, d) for y in range(pack.period_start.year, pack.period_end.year + 1)
             for m, d in ((11, 10), (11, 20), (12, 5), (2, 25), (3, 5), (3, 25))]
    return [doc["date"]] + [x.isoformat() for x in extra if pack.period_start <= x < pack.period_end]


def _run(pack, doc: dict) -> dict:
    _, query, ent = validate(doc)
    return decision_to_dict(pack, query, evaluate_enterprise(pack, query, enterprise_from_dict(ent)))


@pytest.mark.parametrize(("pid", "name", "alt"), list(_perturbations()))
def test_every_changed_decision_cites_the_setting(pid, name, alt):
    base_pack, new_pack = load_packs()[pid], _perturbed(pid, name, alt)
    silent = []
    for doc, level, on in ((x, lv, d) for x in INPUTS.get(pid, []) for lv in base_pack.alert_levels
                           for d in _dates(base_pack, x, name)):
        d = dict(doc, alert_level=level.value, date=on)
        before, after = _run(base_pack, d), _run(new_pack, d)
        for lb, la in zip(before["lines"], after["lines"]):
            if _line_outcome(lb) != _line_outcome(la):
                for which, ld in (("before", lb), ("after", la)):
                    if not _cites(ld["reasons"], name):
                        silent.append(f"{doc['enterprise']['enterprise_id']}/{lb['line_id']} @{level.value} {on} "
                                      f"({which}): {_line_outcome(lb)} -> {_line_outcome(la)}")
        sb, sa = before["summary"], after["summary"]
        if _summary_outcome(sb) != _summary_outcome(sa):
            for which, s in (("before", sb), ("after", sa)):
                if not _cites(s["emergency_reasons"] + s["eligibility_reasons"], name):
                    silent.append(f"{doc['enterprise']['enterprise_id']} summary @{level.value} {on} ({which}): "
                                  f"{_summary_outcome(sb)} -> {_summary_outcome(sa)}")
    assert not silent, f"{len(silent)} decisions change with {name} but do not cite it:\n" + "\n".join(silent[:15])


# Settings that only inform (who approves a grade, the Ⅲ/Ⅱ/Ⅰ names, the 15-day report outside evaluate, the
# normal coking cycle that matters only under the 'by' reading) or perturbations that leave the reading unchanged.
INFORMATIONAL = {"grade_approval", "response_level_mapping", "exactly_fifteen_days", "coking_normal_cycle_hours",
                 "tier_mixed_attributes",
                 # the county supervision listing (000:71) is a report over a county, not part of evaluate:
                 # tests/unit/grading/test_supervision.py perturbs these two
                 "county_rate_reading", "several_exceeding_enterprises",
                 # the 一厂一策 filing deadline (issue 17) dates a registry report (plans missing), not a decision:
                 # tests/integration/emergency/test_plans_missing.py reads it
                 "plan_filing_deadline",
                 # the alert episode rules (R-W-02/03, R-W-06; issue 17) decide episodes, not a line's measure:
                 # tests/unit/test_alert_episodes.py and alert_episode_cases.yaml perturb them
                 "alert_lift_hours", "alert_advance_notice_hours"}


def _changes(pid: str, name: str, alt) -> int:
    base_pack, new_pack = load_packs()[pid], _perturbed(pid, name, alt)
    n = 0
    for doc in INPUTS.get(pid, []):
        for level in base_pack.alert_levels:
            for on in _dates(base_pack, doc, name):
                d = dict(doc, alert_level=level.value, date=on)
                b, a = _run(base_pack, d), _run(new_pack, d)
                n += sum(_line_outcome(x) != _line_outcome(y) for x, y in zip(b["lines"], a["lines"]))
                n += _summary_outcome(b["summary"]) != _summary_outcome(a["summary"])
                if n:
                    return n
    return n


def test_the_library_exercises_every_deciding_setting():
    """Guard against a vacuous perturbation test: every setting that decides something changes at least one
    decision of the scenario library when perturbed (the first alternative value)."""
    assert set(INPUTS) == set(load_packs())
    idle = []
    for pid, pack in load_packs().items():
        for name, node in (pack.data.get("settings") or {}).items():
            if name in INFORMATIONAL or not _alternatives(node):
                continue
            if not _changes(pid, name, _alternatives(node)[0]):
                idle.append(f"{pid}:{name}")
        if pid != "jjj-2019-20" and not _changes(pid, HEATING, ("12-01", "03-01")):  # 003 has no heating-season rule
            idle.append(f"{pid}:{HEATING}")
    assert not idle, "no scenario exercises: " + ", ".join(idle)
