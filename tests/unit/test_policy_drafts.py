"""Issue 20: a draft pack is checked by the same loader as the shipped packs, with EVERY problem listed by field
(grading.packs.check_pack, registry/policy/drafts.problems), the engine refuses a pack asking for a rule it does not
have, the diff against the parent lists every changed value with its old and new citation, and an authored pack
is written in the shipped packs' format (dump_yaml → parse_pack gives the same pack)."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from grading.errors import PackError
from grading.packs import PACK_DIR, PROBLEM_CODES, SPEC, check_pack, known_rule_ids, parse_pack
from registry.policy import drafts, pack_labels

LANGFANG = (PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8")
JIYUAN = (PACK_DIR / "jiyuan-2018-19.yaml").read_text(encoding="utf-8")
SHIPPED = sorted(PACK_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def app():
    from config import Testing
    from registry import create_app

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Config)


@pytest.fixture()
def zh(app):
    with app.test_request_context("/"), force_locale("zh"):
        yield


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_shipped_packs_have_no_problems(path):
    """DESIGN.md §3: the five shipped packs pass the loader; the collecting check agrees with parse_pack."""
    assert check_pack(path.read_text(encoding="utf-8"), path.name) == []


def test_every_problem_is_listed_not_only_the_first(zh):
    """Issue 20: unknown and duplicate keys, missing citations, bad and overlapping dates, percentages out of range,
    unknown rules — all in one answer, each with its dotted path, the field's label and a message."""
    text = JIYUAN
    text = _sub(text, "title_en:", "titel_en:")
    text = _sub(text, "jurisdiction: 济源市", "jurisdiction: 济源市\njurisdiction: 济源")
    text = _sub(text, '{id: jy-steel, rule: R-JY-01, source: "002:595", ', "{id: jy-steel, ")
    text = _sub(text, "deadline: 2018-10-31", "deadline: 2018-10-32")
    text = _sub(text, "windows: [{start: 2019-01-01, end: 2019-03-16}]",
                "windows: [{start: 2019-01-01, end: 2019-03-16}, {start: 2019-03-01, end: 2019-03-20}]")
    text = _sub(text, "percentage_min: 10", "percentage_min: 110")
    found = drafts.problems(text, "draft.yaml")
    by_code = {p.code: p for p in found}
    assert {"unknown_key", "duplicate_key", "missing_citation", "bad_date", "overlapping_windows",
            "percent_out_of_range"} <= set(by_code)
    assert by_code["unknown_key"].path == "titel_en"
    assert by_code["duplicate_key"].path == "jurisdiction"
    assert by_code["missing_citation"].path.startswith("sector_measures[0]")
    assert by_code["bad_date"].path == "exemptions[0].deadline"
    assert by_code["overlapping_windows"].path == "exemptions[0].windows"
    assert by_code["percent_out_of_range"].path.endswith(".percentage_min")
    for p in found:  # every problem named in the reader's words, from the label registry
        d = p.as_dict()
        assert d["message"] and d["message"] != p.code and "%(" not in d["message"]
        assert d["field_label"]
    # the first problem is the one parse_pack raises (the shipped packs' behaviour is unchanged)
    with pytest.raises(PackError) as info:
        parse_pack(text, "draft.yaml")
    assert (info.value.key, info.value.code) == (found[0].path, found[0].code)


def test_field_label_names_the_path_in_words(zh):
    """A path reads as section › item › field, from the label registry (policy.pack_field, engine.setting)."""
    label = pack_labels.field_label("sector_measures[2].percentage_min")
    item = pack_labels._("%(field)s item %(n)s", field=str(pack_labels.FIELDS["sector_measures"]), n=3)
    assert label == f"{item} › {pack_labels.FIELDS['percentage_min']}"
    assert "_" not in pack_labels.field_label("emergency.ratios.value.red.so2")
    assert "alert_lift_hours" not in pack_labels.field_label("settings.alert_lift_hours.value")


@pytest.mark.parametrize("old, new, code, path", [
    ("rule: R-JY-01", "rule: R-JY-99", "unknown_rule", ".rule"),
    ("measure: extend_coking", "measure: extend_holiday", "unknown_measure", ".measure"),
])
def test_a_pack_asking_for_a_rule_the_engine_does_not_have_is_refused(old, new, code, path):
    """Issue 20 / docs/packs.md: a rule id, measure, trigger predicate or consequence the engine has no code for is a
    load error, for shipped and authored packs alike (parse_pack raises, problems lists it)."""
    text = _sub(JIYUAN, old, new)
    with pytest.raises(PackError) as info:
        parse_pack(text, "draft.yaml")
    assert info.value.code == code and info.value.key.endswith(path)
    assert [p.code for p in drafts.problems(text)] == [code]


def test_unknown_trigger_predicate_and_consequence_are_refused():
    """The triggers' predicates are code (grading/rules/triggers.PREDICATES): a new kind of trigger is new code."""
    text = _sub(LANGFANG, "predicate: fugitive_controls_not_done, consequence: stop",
                "predicate: smells_bad, consequence: fine_twice")
    codes = {p.code: p.path for p in drafts.problems(text)}
    assert codes == {"unknown_predicate": "triggers[0].predicate", "unknown_consequence": "triggers[0].consequence"}


def test_the_catalogue_names_exactly_the_triggers_the_code_implements():
    """grading/catalogue.py (what the loader accepts) and grading/rules/triggers.py (the code) agree."""
    from grading.catalogue import TRIGGER_CONSEQUENCES, TRIGGER_PREDICATES
    from grading.rules import triggers

    assert set(triggers.PREDICATES) == TRIGGER_PREDICATES
    assert triggers.CONSEQUENCES == TRIGGER_CONSEQUENCES


def test_known_rule_ids_cover_the_catalogue_the_packs_cite():
    """The engine's rule ids are those its code and the shipped packs name: R-T-05 (heating season), F-01, X-01 …"""
    ids = known_rule_ids()
    assert {"R-T-05", "R-LF-01", "F-01", "X-01", "D-05"} <= ids
    assert "R-LF-99" not in ids


def test_every_spec_key_and_problem_code_has_a_label(zh):
    """tests the label registry: every field the loader knows and every problem code it reports is labelled."""
    names = set()
    for key, spec in SPEC.items():
        names |= {p for p in key.replace("[]", "").split(".") if p and p != "*"}
        if isinstance(spec, set):
            names |= spec
    assert names - set(pack_labels.FIELDS) == set()
    assert set(PROBLEM_CODES) - set(pack_labels.PROBLEMS) == set()  # the loader reports no other code (_Report)


# ---- diff ------------------------------------------------------------------------------------------------------

def test_diff_lists_each_changed_value_with_its_old_and_new_citation():
    """Issue 20: every changed value, with the old and the new citation (a re-cited value shows both)."""
    draft = _sub(LANGFANG, "period: {start: 2017-10-01, end: 2018-04-01, source: \"000:17\"",
                 "period: {start: 2026-10-01, end: 2027-04-01, source: \"100:3\"")
    draft = _sub(draft, "red: {so2: 30,", "red: {so2: 35,")
    changes = {c.path: c for c in drafts.diff(LANGFANG, draft)}
    assert set(changes) == {"period.start", "period.end", "emergency.ratios.value.red.so2"}
    start = changes["period.start"]
    assert (start.kind, start.old, start.new) == ("changed", "2017-10-01", "2026-10-01")
    assert start.old_citation["source"] == "000:17" and start.new_citation["source"] == "100:3" and start.recited
    ratio = changes["emergency.ratios.value.red.so2"]
    assert (ratio.old, ratio.new, ratio.recited) == (30, 35, False)
    assert ratio.old_citation == ratio.new_citation == {"source": "000:149", "rule": "R-A-01"}


def test_diff_matches_records_by_id_and_reports_added_removed_and_citation_only_changes():
    """Records (sector measures, triggers, exemptions…) are matched by id: a reordering is no change; an added or
    removed record is one change; a changed clause alone is a `citation` change."""
    raw = drafts.read_yaml(LANGFANG)
    raw["sector_measures"] = list(reversed(raw["sector_measures"]))
    assert drafts.diff(LANGFANG, drafts.dump_yaml(raw)) == []
    removed = raw["sector_measures"].pop()
    raw["triggers"][0]["source"] = "100:12"
    raw["triggers"].append(dict(raw["triggers"][1], id="F-99"))
    kinds = sorted((c.kind, c.path.split("[")[0]) for c in drafts.diff(LANGFANG, drafts.dump_yaml(raw)))
    assert kinds == [("added", "triggers"), ("citation", "triggers"), ("removed", "sector_measures")]
    assert removed["id"] in str([c.old for c in drafts.diff(LANGFANG, drafts.dump_yaml(raw)) if c.kind == "removed"])


# ---- the YAML round trip ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_dump_yaml_round_trips_every_shipped_pack(path):
    """An authored pack is the same format as grading/packs/*.yaml: read → dump → parse_pack gives the same pack."""
    text = path.read_text(encoding="utf-8")
    dumped = drafts.dump_yaml(drafts.read_yaml(text), "copy of " + path.stem)
    assert dumped.startswith("# copy of ")
    assert drafts.read_yaml(dumped) == drafts.read_yaml(text)
    again, original = parse_pack(dumped, path.name), parse_pack(text, path.name)
    assert again == original and again.data == original.data
    assert re.search(r"^\s*start: \d{4}-\d{2}-\d{2}$", dumped, re.M)  # dates unquoted, as in the shipped files


def test_a_setting_nothing_reads_or_a_reading_the_engine_lacks_is_refused():
    """Local settings are read by name by the engine and the registry; a new name, or a new option of a known one
    (000:129 read a third way), asks for code that does not exist."""
    text = _sub(LANGFANG, "  steel_allocation:\n", "  steel_magic:\n    value: 3\n    source: \"000:129\"\n    rule: R-LF-01\n"
                "  steel_allocation:\n")
    text = _sub(text, "options: [per_enterprise, city_allocation]", "options: [per_enterprise, city_allocation, by_lottery]")
    found = {p.code: p for p in drafts.problems(text)}
    assert set(found) == {"unknown_setting_name", "unknown_option"}
    assert found["unknown_setting_name"].path == "settings.steel_magic"
    assert found["unknown_option"].path == "settings.steel_allocation.options"
    assert found["unknown_option"].params["value"] == "by_lottery"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_dump_yaml_of_a_loaded_pack_writes_its_dates_back(path):
    """A loaded pack's data holds date objects; dumped, they are YYYY-MM-DD again and the pack loads equal."""
    pack = parse_pack(path.read_text(encoding="utf-8"), path.name)
    again = parse_pack(drafts.dump_yaml(pack.data), path.name)
    assert again == pack and again.data == pack.data


def test_the_parent_is_compared_on_the_same_day_of_its_own_season():
    """The impact preview's day mapping: whole years between the periods' starts; 29 February falls back to the
    28th; a day outside the parent's period has no counterpart."""
    from datetime import date

    parent = parse_pack(LANGFANG, "langfang-2017-18.yaml")
    raw = drafts.read_yaml(LANGFANG)
    raw["period"].update(start="2027-10-01", end="2028-04-01")
    draft = drafts.load_draft(drafts.dump_yaml(raw))
    assert drafts.parent_date(parent, draft, date(2027, 12, 1)) == date(2017, 12, 1)
    assert drafts.parent_date(parent, draft, date(2028, 2, 29)) == date(2018, 2, 28)
    assert drafts.parent_date(parent, draft, date(2028, 4, 15)) is None
