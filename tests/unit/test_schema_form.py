"""Issue 20 item 3: forms generated from the pack's schema (grading.packs.SPEC, one definition, no hand-written form
per section), labelled from the label registry, and a parser that turns posted values back into the pack with
errors by field."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from grading.packs import PACK_DIR
from registry.authoring import schema_form as sf
from registry.policy import drafts

SHIPPED = sorted(PACK_DIR.glob("*.yaml"))
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


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


def _get(root, path):
    node = root
    for t in sf._tokens(path):
        node = node[t]
    return node


def _as_posted(f: sf.Field):
    """What a browser posts for the field's current value."""
    if f.multiple:
        return [str(v) for v in f.value or []]
    if f.type == "bool":
        return "true" if f.value else "false"
    if f.type == "list":
        return "、".join(str(v) for v in f.value or [])
    return "" if f.value is None else str(f.value)


def _form(fields: list[sf.Field]) -> MultiDict:
    form = MultiDict()
    for f in fields:
        value = _as_posted(f)
        for v in value if isinstance(value, list) else [value]:
            form.add(f.path, v)
    return form


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_section_of_every_pack_has_generated_fields_that_round_trip(zh, path):
    """Every section's fields point at the pack's own values; posting them back unchanged changes nothing and finds
    no problem (the parser is the form's exact inverse)."""
    pack = drafts.read_yaml(path.read_text(encoding="utf-8"))
    names = [s for s, _label in sf.sections(pack)]
    assert names[0] == "" and len(names) > 5
    for section in names:
        fields = sf.section_fields(pack, section)
        assert fields, section
        assert len({f.path for f in fields}) == len(fields)
        for f in fields:
            assert f.type in sf.TYPES
            value = _get(pack, f.path) if f.role == "value" or f.path.rsplit(".", 1)[0] else None
            assert sf._text(value) == f.value, f.path
            if f.type == "choice" and f.value not in (None, []):
                allowed = {c for c, _label in f.choices}
                assert set(f.value if f.multiple else [f.value]) <= allowed, f.path
        parsed = sf.parse_form(pack, section, _form(fields))
        assert parsed.errors == {} and parsed.changed == [], (section, parsed.errors, parsed.changed)
        assert parsed.pack == pack


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_labels_are_words_not_codes(zh, path):
    """The crawl's rule (issue 16): a field's label and its choices' labels show no snake_case code."""
    pack = drafts.read_yaml(path.read_text(encoding="utf-8"))
    for section, label in sf.sections(pack):
        assert not SNAKE.search(label), label
        for f in sf.section_fields(pack, section):
            assert not SNAKE.search(f.label), (f.path, f.label)
            for code, choice in f.choices:
                assert not SNAKE.search(choice), (f.path, code, choice)


def test_types_come_from_the_loader_spec(zh):
    """Dates from DATE_KEYS, percentages from PERCENT_KEYS and the emergency ratios, month-days, clause and rule
    of each cited node, sector lists as multiple choices of the engine's sectors."""
    pack = drafts.read_yaml((PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8"))
    header = {f.path: f for f in sf.section_fields(pack, "")}
    assert header["period.start"].type == "date" and header["period.start"].citation["source"] == "000:17"
    assert header["period.source"].role == "source" and header["period.source"].cite_path == "period"
    assert header["heating_season.start_month_day"].type == "month_day"
    assert header["heating_season.why"].local_setting and header["heating_season.why"].role == "why"
    assert "id" not in header
    measures = {f.path: f for f in sf.section_fields(pack, "sector_measures")}
    assert measures["sector_measures[0].percentage_min"].type == "percent"
    assert measures["sector_measures[0].sectors"].multiple
    assert ("steel", measures["sector_measures[0].sectors"].choices[0][1]) in measures["sector_measures[0].sectors"].choices
    ratios = {f.path: f for f in sf.section_fields(pack, "emergency")}
    assert ratios["emergency.ratios.value.red.so2"].type == "percent"
    setting = {f.path: f for f in sf.section_fields(pack, "settings")}["settings.steel_allocation.value"]
    assert setting.type == "choice" and [c for c, _l in setting.choices] == ["per_enterprise", "city_allocation"]


@pytest.mark.parametrize("posted, path, words", [
    ({"sector_measures[0].percentage_min": "abc"}, "sector_measures[0].percentage_min", "不是数字"),
    ({"sector_measures[0].percentage_max": "150"}, "sector_measures[0].percentage_max", "0至100"),
    ({"sector_measures[0].measure": "holiday"}, "sector_measures[0].measure", "不在可选项之内"),
    ({"sector_measures[0].source": "第129行"}, "sector_measures[0].source", "000:129"),
    ({"sector_measures[0].percentage_min": ""}, "sector_measures[0].percentage_min", "必填"),
])
def test_bad_values_come_back_by_field(zh, posted, path, words):
    """A typed value that is not its type is refused beside its field; nothing else changes."""
    pack = drafts.read_yaml((PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8"))
    parsed = sf.parse_form(pack, "sector_measures", posted)
    assert list(parsed.errors) == [path] and words in parsed.errors[path][0]


def test_the_loaders_problems_come_back_by_field(zh):
    """A value of the right type that the loader refuses (overlapping windows of an exemption, 002:595) is listed at
    the loader's path, in the reader's words."""
    pack = drafts.read_yaml((PACK_DIR / "jiyuan-2018-19.yaml").read_text(encoding="utf-8"))
    fields = {f.path: f for f in sf.section_fields(pack, "exemptions")}
    start = next(p for p in fields if p.endswith(".windows[0].end"))
    section = start.split(".windows")[0]
    parsed = sf.parse_form(pack, "exemptions", {start: "2019-06-01"})
    assert parsed.changed == [start]
    assert f"{section}.windows" in parsed.errors, parsed.errors


def test_changing_dates_and_a_ratio_gives_a_valid_new_season(zh):
    """The journey's edit (issue 20): the Langfang pack copied for 2026-27, its period and one ratio changed, each
    value re-cited to a line of the uploaded document (100:n) — the result loads through the shipped loader."""
    pack = drafts.read_yaml((PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8"))
    head = sf.parse_form(pack, "", {"period.start": "2026-10-01", "period.end": "2027-04-01", "period.source": "100:3"})
    assert head.ok, head.errors
    body = sf.parse_form(head.pack, "sector_measures", {"sector_measures[0].percentage_min": "60",
                                                         "sector_measures[0].percentage_max": "60",
                                                         "sector_measures[0].source": "100:12"})
    assert body.ok, body.errors
    loaded = drafts.load_draft(drafts.dump_yaml(body.pack))
    assert str(loaded.period_start) == "2026-10-01"
    assert loaded.section("sector_measures")[0]["percentage_min"] == 60
    changes = {c.path: c for c in drafts.diff(drafts.dump_yaml(pack), drafts.dump_yaml(body.pack))}
    assert changes["sector_measures[0].percentage_min"].new_citation["source"] == "100:12"


def test_unticking_every_box_of_a_multiple_choice_empties_it_only_when_the_page_says_so(zh):
    """A browser posts nothing for unticked boxes: without the hidden `<path>:present` the list is unchanged, with
    it the list becomes empty (and the loader then says what that means)."""
    pack = drafts.read_yaml((PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8"))
    path = "sector_measures[0].kinds"
    assert sf.parse_form(pack, "sector_measures", MultiDict(), check=False).changed == []
    emptied = sf.parse_form(pack, "sector_measures", MultiDict([(path + sf.PRESENT, "1")]), check=False)
    assert emptied.changed == [path] and emptied.pack["sector_measures"][0]["kinds"] == []
