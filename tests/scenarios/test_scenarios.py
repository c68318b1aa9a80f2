"""Policy regression scenarios (tests/scenarios/*.yaml) in exactly the evaluate format.

Each case: {name, clause, input: <evaluate document>, expected: {...}}; a file holds one case or a list.
Every case runs through BOTH the per-enterprise path (grading.contract.evaluate) and the batch path
(grading.batch.evaluate_documents); the two must return identical documents.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grading.batch import evaluate_documents
from grading.contract import evaluate
from grading.errors import ContractError

HERE = Path(__file__).parent


def _cases():
    for path in sorted(HERE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else [data]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def _codes(items) -> set[str]:
    return {x["code"] for x in items}


def _rules(items) -> set[str]:
    return {x["rule"] for x in items}


def _cited(reasons: list, name: str) -> bool:
    """A local reading cited as such (issue 14 point 1): the setting, its value, 'local reading'."""
    if name == "heating_season":
        return any(r["rule"] == "R-T-05" and "pack setting heating_season=" in r["note"] for r in reasons)
    return any(f"pack setting {name}=" in r["note"] and "local reading" in r["note"] for r in reasons)


def check_line(line: dict, exp: dict, where: str) -> None:
    for key in ("measure", "percentage_min", "percentage_max", "basis", "coking_time_hours"):
        if key in exp:
            assert line[key] == exp[key], f"{where}.{key}: {line[key]!r} != {exp[key]!r}"
    if "windows" in exp:
        assert line["windows"] == exp["windows"], where
    if "flags" in exp:
        assert set(exp["flags"]) <= _codes(line["flags"]), f"{where} flags {sorted(_codes(line['flags']))}"
    for code in exp.get("no_flags", []):
        assert code not in _codes(line["flags"]), f"{where} unexpected flag {code}"
    if "reasons" in exp:
        got = _rules(line["reasons"]) | {a["rule"] for a in line["applied_decisions"]}
        assert set(exp["reasons"]) <= got, f"{where} reasons {sorted(got)}"
    for rule in exp.get("no_reasons", []):
        assert rule not in _rules(line["reasons"]), f"{where} unexpected reason {rule}"
    if "applied" in exp:
        assert set(exp["applied"]) == {a["flag"] for a in line["applied_decisions"]}, where
    for name in exp.get("cites", []):
        assert _cited(line["reasons"], name), f"{where} does not cite the reading {name}: {line['reasons']}"
    if "residual_notes" in exp:
        notes = " ".join(r["note"] for r in line["residual_obligations"])
        for text in exp["residual_notes"]:
            assert text in notes, f"{where} residual {notes!r}"
    if "residual" in exp:
        assert set(exp["residual"]) <= _rules(line["residual_obligations"]), where


def check_summary(s: dict, exp: dict) -> None:
    for key in ("strictest_line", "strictest_measure", "emergency_list", "emergency_ratios", "emergency_baseline"):
        if key in exp:
            assert s[key] == exp[key], f"summary.{key}: {s[key]!r} != {exp[key]!r}"
    for key, val in exp.get("grades", {}).items():
        assert s["grades"][key] == val, f"summary.grades.{key}: {s['grades'][key]!r} != {val!r}"
    if "flags" in exp:
        assert set(exp["flags"]) <= _codes(s["flags"]), f"summary flags {sorted(_codes(s['flags']))}"
    for code in exp.get("no_flags", []):
        assert code not in _codes(s["flags"])
    if "residual" in exp:
        assert set(exp["residual"]) <= _rules(s["residual_obligations"])
    if "emergency_reasons" in exp:
        assert set(exp["emergency_reasons"]) <= _rules(s["emergency_reasons"]), sorted(_rules(s["emergency_reasons"]))
    if "applied" in exp:
        assert set(exp["applied"]) == {a["flag"] for a in s["applied_decisions"]}
    if "transport" in exp:
        got = {t["restriction"]: sorted(t["vehicles_not_allowed"]) for t in s["transport"]}
        assert got == {k: sorted(v) for k, v in exp["transport"].items()}, got
    if "transport_in_principle" in exp:
        got = sorted(t["restriction"] for t in s["transport"] if t["in_principle"])
        assert got == sorted(exp["transport_in_principle"]), got
    if "emergency_ratios_in_principle" in exp:
        assert s["emergency_ratios_in_principle"] == exp["emergency_ratios_in_principle"], s["emergency_ratios_in_principle"]
    for name in exp.get("cites", []):
        assert _cited(s["emergency_reasons"] + s["eligibility_reasons"], name), f"summary does not cite {name}"


@pytest.mark.parametrize("case", list(_cases()))
def test_scenario(case):
    exp = case["expected"]
    if "error" in exp:
        with pytest.raises(ContractError) as info:
            evaluate(case["input"])
        got = {e.path: e.code for e in info.value.errors}
        for path, code in exp["error"].items():
            assert got.get(path) == code, got
        return
    out = evaluate(case["input"])
    batch = evaluate_documents([case["input"]])[0]
    assert out == batch, "per-enterprise and batch paths disagree"
    lines = {l["line_id"]: l for l in out["lines"]}
    for line_id, le in (exp.get("lines") or {}).items():
        check_line(lines[line_id], le, f"{case['name']} line {line_id}")
    check_summary(out["summary"], exp.get("summary") or {})
