"""Issue 16 item 1: every code the engine can emit reaches a reader as a label, never as a code or English prose.

The engine's code tables are walked here — flag codes and options at their call sites in grading/ (AST), the flags,
exemptions, transport bans and settings of every pack (grading/packs/*.yaml) — and each code must have a label in
registry/policy/labels.py ("engine.*" vocabularies) or registry/schedules/labels.py ("schedule.choice" and its
consequence "schedule.choice_effect"), rendering in Chinese with its parameters filled for a zh reader.
(New msgids wait in registry/translations/pending/labels.tsv until the integrator merges them: before that, the zh
cases fail here as test_translations does.)
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from grading.packs import load_packs
from grading.rules import eligibility
from grading.rules.exemptions import EXEMPT, NOT_EXEMPT
from registry.core import codes
from registry.policy import labels
from registry.schedules.labels import CHOICE_EFFECTS, CHOICES

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")

# Parameters the engine passes with a flag (grading/rules: flag(..., **params)); a sample for each.
SAMPLES = {
    "gate_failed_no_outcome": {"missing": ["lawful_permit", "cems_data_valid"]},
    "emergency_ratios_in_principle": {"pollutants": ["so2", "nox", "pm"]},
    "resplit_below_requirement": {"got": 12.5, "need": 15},
    "livelihood_project_incomplete": {"missing": ["city_government_approval", "provincial_air_office_filing"]},
    "utilisation_raise": {"utilisation": 92.0, "above": 85},
    "ultra_low_not_supported": {"pm": 10, "so2": 35, "nox": 50},
    "tier_mixed_attributes": {"tiers": ["middle", "low"]},
    "tier_value_in_range": {"min": 20, "max": 30},
    "exactly_fifteen_days": {"reading": "report_to_province"},
    "livelihood_filing_missed": {"deadline": "2018-10-31"},
}


def _call_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def engine_flags() -> tuple[dict[str, set[str]], set[str]]:
    """({flag code: its parameter names}, {every option code}) from the call sites in grading/ and the packs."""
    found: dict[str, set[str]] = {}
    options: set[str] = {EXEMPT, NOT_EXEMPT}
    for path in sorted((ROOT / "grading").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            index = {"flag": 0, "Flag": 0, "apply_force": 2}.get(_call_name(node))
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, set()).update(k.arg for k in node.keywords if k.arg)
            for extra in node.args[index + 1:]:
                if isinstance(extra, ast.Tuple):
                    options.update(e.value for e in extra.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    for pack in load_packs().values():
        _walk_pack(pack.data, found, options)
        for ex in pack.section("exemptions") or []:
            if ex.get("force", "plain") != "plain":
                found.setdefault(f"exemption_{ex['id']}", set()).add("force")
    return found, options


def _walk_pack(node, found, options) -> None:
    if isinstance(node, dict):
        if "code" in node and "options" in node:
            found.setdefault(str(node["code"]), set())
            options.update(str(o) for o in node["options"])
        for value in node.values():
            _walk_pack(value, found, options)
    elif isinstance(node, list):
        for value in node:
            _walk_pack(value, found, options)


def transport_codes() -> tuple[set[str], set[str], set[str]]:
    """(restriction codes, exception categories, vehicle standards) the packs' transport sections produce."""
    restrictions, exceptions, standards = set(), set(), set()
    for pack in load_packs().values():
        spec = pack.section("transport") or {}
        if spec.get("heating_season_min_standard"):
            restrictions.add("heating_season_minimum_standard")
            standards.add(spec["heating_season_min_standard"]["value"])
        ban = spec.get("alert_ban")
        if ban:
            restrictions.add(f"no_{ban['vehicles']}_in_or_out")
            exceptions.update(ban["exceptions"])
            if ban.get("exception_min_standard"):
                standards.add(ban["exception_min_standard"])
    return restrictions, exceptions, standards


def pack_settings() -> dict[str, object]:
    return {name: node.get("value") for pack in load_packs().values()
            for name, node in (pack.section("settings") or {}).items()}


def _zh_words(text: str, what) -> None:
    assert text and CJK.search(text), (what, text)
    assert not SNAKE.search(text), (what, text)


def test_every_flag_the_engine_can_raise_has_a_title_and_an_explanation():
    found, options = engine_flags()
    assert len(found) > 30, "the scan found too few flags: is it right?"
    missing = sorted(c for c in found if not labels.flag_known(c)
                     or not (codes.known("engine.flag_detail", c) or c.startswith(labels.EXEMPTION_FLAG_PREFIX)))
    assert not missing, missing
    with_params = {c for c, p in found.items() if p and not c.startswith(labels.EXEMPTION_FLAG_PREFIX)}
    assert with_params <= set(SAMPLES), with_params - set(SAMPLES)
    assert not sorted(o for o in options if o not in CHOICES), "choices without a label"
    assert not sorted(o for o in options if o not in CHOICE_EFFECTS), "choices without a consequence"


@pytest.mark.parametrize("code", sorted(engine_flags()[0]))
def test_each_flag_reads_in_chinese_with_its_parameters(app, code):
    """The schedule's 待决定事项 (issue 16): a short title and a one-line explanation, parameters as labels."""
    flag = {"code": code, "params": SAMPLES.get(code, {"force": "in_principle"} if code.startswith("exemption_") else {})}
    with app.test_request_context("/"), force_locale("zh"):
        _zh_words(labels.flag_title(flag), code)
        _zh_words(labels.flag_detail(flag), code)
        for value in flag["params"].values():
            for v in value if isinstance(value, list) else [value]:
                assert str(v) not in labels.flag_detail(flag) or not re.search("[a-z]", str(v)), (code, v)
    with app.test_request_context("/"), force_locale("en"):
        assert labels.flag_title(flag) and labels.flag_detail(flag)
        assert "%(" not in labels.flag_detail(flag)


def test_old_stored_flags_without_params_still_read(app):
    """Entries stored before flags carried params render with a placeholder, not an error."""
    with app.test_request_context("/"), force_locale("zh"):
        for code in SAMPLES:
            assert labels.flag_detail({"code": code, "message": "English"})


def test_transport_restrictions_and_exceptions_in_words(app):
    """The emergency notice printed `heating_season_minimum_standard (最低 china_4)` and `safe_production` (issue 16)."""
    restrictions, exceptions, standards = transport_codes()
    assert "no_all_transport_vehicles_in_or_out" in restrictions and "safe_production" in exceptions
    with app.test_request_context("/"), force_locale("zh"):
        for code in restrictions:
            assert codes.known("engine.transport", code), code
            _zh_words(codes.label("engine.transport", code, minimum="china_4"), code)
        for code in exceptions:
            assert codes.known("engine.exception", code), code
            _zh_words(codes.label("engine.exception", code), code)
        for code in standards:
            _zh_words(codes.label("VehicleStandard", code), code)
        text = labels.transport_text({"restriction": "heating_season_minimum_standard", "minimum_standard": "china_4"})
        assert "国四" in text and "china" not in text
        text = labels.transport_text({"restriction": "no_all_transport_vehicles_in_or_out",
                                      "exceptions": ["safe_production"], "in_principle": True})
        assert "保障安全生产运行" in text and "safe_production" not in text


def test_every_pack_setting_has_a_name_and_a_local_reason(app):
    """Local settings show 地方设定： + the reason in the reader's language, their values as words."""
    settings = pack_settings()
    assert not sorted(n for n in settings if not codes.known("engine.setting", n))
    assert not sorted(n for n in settings if not codes.known("engine.setting_reason", n))
    with app.test_request_context("/"), force_locale("zh"):
        for name, value in settings.items():
            text = labels.setting_text(name, value)
            assert text.startswith("地方设定："), text
            _zh_words(text, name)


def test_gate_conditions_have_labels(app):
    with app.test_request_context("/"), force_locale("zh"):
        for code in eligibility.CONDITIONS:
            _zh_words(codes.label("engine.condition", code), code)


def test_coded_setting_reasons_render_through_the_catalog(app):
    """Pack.setting_cite / season_cite carry code + params; no English note is parsed back."""
    pack = load_packs()["langfang-2017-18"] if "langfang-2017-18" in load_packs() else next(iter(load_packs().values()))
    name = next(iter(pack.section("settings")))
    reason = pack.setting_cite(name)
    assert reason.code == "setting.reading" and dict(reason.params)["setting"] == name
    assert reason.note == pack.setting_reason(name)[2]  # the English note of the JSON contract is unchanged
    from datetime import date

    season = pack.season_cite(date(2017, 12, 1))
    with app.test_request_context("/"), force_locale("zh"):
        _zh_words(labels.note_text(reason), name)
        _zh_words(labels.note_text(season.as_dict()), "season")
        assert labels.note_text({"rule": "R", "source": "s", "note": "typed"}) == ""


def test_exemption_flags_answer_through_the_registry_too(app):
    """Other pages and notices call codes.label("engine.flag", code) directly: exemption_<id> flags answer there."""
    with app.test_request_context("/"), force_locale("zh"):
        for code in (c for c in engine_flags()[0] if c.startswith(labels.EXEMPTION_FLAG_PREFIX)):
            assert codes.known("engine.flag", code) and codes.known("engine.flag_detail", code), code
            _zh_words(codes.label("engine.flag", code, force="in_principle"), code)
