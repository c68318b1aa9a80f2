"""Issue 15 item 1: the engine's notes are codes with parameters and the pages render them (no English parsed back).

Every note code the engine (grading/) or the registry emits — each `note_reason(rule, source, CODE, …)` and
`note_parts(CODE, …)` call in the sources — is listed in grading/notes.py, has a label
(registry/grades/labels.py or registry/policy/supervision.py NOTE_LABELS, or registry/policy/labels.py NOTES) and renders in Chinese for a zh reader, with its parameters as labels.
(New msgids wait in registry/translations/pending/<branch>.tsv until the integrator merges them: before that, their
zh case fails here as test_translations does.)
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from grading import notes
from grading.decisions import Reason, to_jsonable
from grading.rules.grade import EXCLUSION_CONDITIONS

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
# Parameters for rendering each code; every code in NOTES needs a sample here.
SAMPLES = {
    "grade.no_answer": {},
    "grade.below_b": {"value": ["national_leading"]},
    "grade.meets": {"grade": "A", "value": 30},
    "grade.fraud_to_c": {},
    "grade.preferences_cancelled": {},
    "grade.violation_downgrade": {"rule": "one_step"},
    "grade.short_board": {},
    "grade.excluded": {"conditions": list(EXCLUSION_CONDITIONS)[:2]},
    "supervision.low_transmission": {"min_rate": 90, "reading": "any_enterprise", "mean": 85.5},
    "supervision.exceeding": {"count": 3, "several": 2},
    "supervision.reading": {"setting": "county_rate_reading", "value": "any_enterprise"},
    # issue 16 item 1: the rules' other notes (registry/policy/labels.py, vocabulary engine.note)
    "setting.reading": {"setting": "alert_period_levels", "value": ["orange", "red"]},
    "season.reading": {"start": "2017-11-15", "end": "2018-03-15", "on": "2017-12-01", "inside": True},
    "alert.level": {"level": "orange"},
    "emergency.ratios": {},
    "emergency.ratios_in_principle": {"pollutants": ["so2", "nox"]},
    "emergency.response_level": {"level": "orange", "response": "II"},
    "emergency.resplit_accepted": {"so2": 12, "nox": 10, "need": 20},
    "emergency.resplit_rejected": {"got": 15, "need": 20},
    "emergency.baseline": {"baseline_class": "industrial", "days": 330},
    "emergency_list.retrofit_incomplete": {},
    "emergency_list.residual": {},
    "exemption.status_reached": {"status": "special_limits", "deadline": "2018-10-31", "enterprise": True},
    "exemption.window_closed": {},
    "exemption.blocked": {"exemption": "X-09"},
    "exemption.may_be_exempt": {"exemption": "X-01", "enterprise": False},
    "exemption.overridden": {},
    "livelihood_project.missing": {"missing": ["city_government_approval"]},
    "livelihood_project.on_record": {},
    "heating.verified_by": {"method": "electricity"},
    "heating.excluded": {"measure": "LF-brick"},
    "heating.clean_energy": {},
    "grade.graded_industry": {"sector": "steel"},
    "grade.ultra_low_incentive": {},
    "grade.no_grade": {},
    "eligibility.fails": {"conditions": ["stably_compliant"]},
    "eligibility.gate_not_passed": {"conditions": ["lawful_permit", "cems_data_valid"]},
    "eligibility.fails_gate": {},
    "eligibility.permit_met": {},
    "transport.key_vehicle_user": {},
    "transport.declared_key_vehicle_user": {},
    "transport.city_logistics": {},
    "triggers.penalty": {},
    "triggers.monitoring_prosecuted": {},
    "livelihood.not_filed": {"deadline": "2017-10-31"},
    "livelihood.filed": {"load": 60, "filed_on": "2017-10-20"},
    "tiers.official_decision": {"by": "王科长", "reason": "核实后按中档执行"},
    "tiers.adjustable": {},
    "tiers.benchmark": {},
}
OPTIONS = [("national_leading", "国内领先")]  # an indicator's (code, label) pairs, as the application page passes


def emitted_codes() -> dict[str, list[str]]:
    """Note codes at their call sites in grading/ and registry/ (constant code arguments only: a computed code
    would escape this check, so the test also fails on one)."""
    found: dict[str, list[str]] = {}
    for path in sorted([*(ROOT / "grading").rglob("*.py"), *(ROOT / "registry").rglob("*.py")]):
        if path == ROOT / "grading" / "notes.py":  # the definitions themselves
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            index = {"note_reason": 2, "note_parts": 0, "coded": 1}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if path == ROOT / "grading" / "rules" / "base.py" and isinstance(arg, ast.Name) and arg.id == "code":
                continue  # coded() itself passes its caller's code on
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), f"computed note code at {where}"
            found.setdefault(arg.value, []).append(where)
    return found


def labels() -> dict:
    """Every note label of the registry: the grade pages' and the supervision listing's."""
    from registry.grades.labels import NOTE_LABELS as GRADES
    from registry.policy.labels import NOTES as ENGINE
    from registry.policy.supervision import NOTE_LABELS as SUPERVISION

    return {**GRADES, **SUPERVISION, **ENGINE}


def render(reason, stored):
    """The ways the pages render a coded note: grade_note (reason or stored dict) or the listing's note_text."""
    from registry.grades.labels import NOTE_LABELS as GRADES
    from registry.grades.labels import grade_note
    from registry.policy import labels as engine
    from registry.policy.supervision import note_text

    if reason.code.startswith("supervision."):
        return [note_text(reason)]
    if reason.code not in GRADES:  # the engine's other notes (registry/policy/labels.py "engine.note")
        return [engine.note_text(item) for item in (reason, stored)]
    return [grade_note(item, OPTIONS) for item in (reason, stored)]


def test_every_emitted_code_is_listed_and_labelled():
    codes = emitted_codes()
    assert codes, "no note_reason / note_parts call found: is the scan right?"
    assert set(codes) <= set(notes.NOTES), {c: w for c, w in codes.items() if c not in notes.NOTES}
    assert set(notes.NOTES) == set(labels())
    assert set(notes.NOTES) == set(SAMPLES)


@pytest.mark.parametrize("code", sorted(notes.NOTES))
def test_each_note_code_renders_in_chinese(app, code):
    """A zh reader sees the code's label with its parameters as labels: Chinese, no snake_case code."""
    from flask_babel import force_locale

    reason = notes.note_reason("R-X", "000:1", code, **SAMPLES[code])
    stored = to_jsonable(reason)  # the JSON form grade decisions store
    assert stored["code"] == code and stored["note"] == reason.note
    with app.test_request_context("/"), force_locale("zh"):
        for text in render(reason, stored):
            assert text and CJK.search(text), (code, text)
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (code, text)
    with app.test_request_context("/"), force_locale("en"):
        assert all(render(reason, stored))


def test_english_note_kept_and_json_backwards_compatible():
    """`note` stays the English sentence; a Reason without a code serialises as before (rule, source, note)."""
    assert to_jsonable(Reason("R-G-02", "003:51", "x")) == {"rule": "R-G-02", "source": "003:51", "note": "x"}
    r = notes.note_reason("R-E-01", "003:52", "grade.excluded", conditions=["stably_compliant"])
    assert r.note == "not within grading: fails stably_compliant; shutdown or the strictest curtailment per production line"
    assert to_jsonable(r)["params"] == {"conditions": ["stably_compliant"]}
    assert hash(r)  # params frozen: a Reason stays hashable


def test_a_note_without_code_is_shown_as_typed(app):
    from registry.grades.labels import grade_note

    with app.test_request_context("/"):
        assert grade_note({"rule": "R", "source": "s", "note": "超标排放被处罚"}) == "超标排放被处罚"
        assert grade_note("typed") == "typed"
        assert grade_note(None) == ""
