"""Policy packs load, cite every number, and refuse malformed data naming file and key."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from grading.errors import PackError
from grading.packs import PACK_DIR, load_packs, parse_pack

GOOD = (PACK_DIR / "jiyuan-2018-19.yaml").read_text(encoding="utf-8")


def test_the_five_packs_load_with_their_sources():
    """DOMAIN.md §0: 000 Langfang, 001 Jizhou, 002 Jiyuan, 003 region, 004 Shijiazhuang."""
    packs = load_packs()
    assert {p: packs[p].source_file[:3] for p in packs} == {
        "langfang-2017-18": "000", "jizhou-2018-19": "001", "jiyuan-2018-19": "002",
        "jjj-2019-20": "003", "shijiazhuang-2018-20": "004"}


def test_only_langfang_has_a_blue_alert():
    """000:149: blue exists only in Langfang."""
    assert [p for p, pk in load_packs().items() if "blue" in [l.value for l in pk.alert_levels]] == ["langfang-2017-18"]


def test_regional_period_is_2019_10_01_to_2020_03_31():
    """003:5 (R-T-01): end exclusive 2020-04-01."""
    p = load_packs()["jjj-2019-20"]
    assert (p.period_start, p.period_end) == (date(2019, 10, 1), date(2020, 4, 1))


def test_heating_season_window_is_half_open_across_new_year():
    """R-T-05 local setting: 15 Nov - 15 Mar inclusive = [11-15, 03-16)."""
    p = load_packs()["jiyuan-2018-19"]
    assert p.in_heating_season(date(2019, 3, 15)) and not p.in_heating_season(date(2019, 3, 16))
    assert p.in_heating_season(date(2018, 11, 15)) and not p.in_heating_season(date(2018, 11, 14))


@pytest.mark.parametrize("mutate, key, problem", [
    (lambda s: s.replace("title_en:", "titel_en:"), "titel_en", "unknown key"),
    (lambda s: s.replace("jurisdiction: 济源市", "jurisdiction: 济源市\njurisdiction: 济源"), "jurisdiction", "duplicate key"),
    (lambda s: s.replace('{id: jy-steel, rule: R-JY-01, source: "002:595", ', "{id: jy-steel, "), "sector_measures[0]", "missing citation"),
    (lambda s: s.replace("deadline: 2018-10-31", "deadline: 2018-10-32", 1), "exemptions[0].deadline", "bad date"),
    (lambda s: s.replace("windows: [{start: 2019-01-01, end: 2019-03-16}]", "windows: [{start: 2019-01-01, end: 2019-03-16}, {start: 2019-03-01, end: 2019-03-20}]", 1),
     "exemptions[0].windows", "overlapping windows"),
    (lambda s: s.replace("percentage_min: 10", "percentage_min: 110", 1), "exemptions[3].percentage_min", "outside 0-100"),
    (lambda s: s.replace('source: "002:595"', 'source: "p. 595"', 1), ".source", "bad citation"),
    (lambda s: s.replace("rule: R-JY-01", "rule: JY1", 1), ".rule", "bad rule id"),
    (lambda s: s.replace("value: to\n", "value: around\n", 1), "settings.coking_extension_reading.value", "not among options"),
])
def test_malformed_pack_is_refused_naming_file_and_key(mutate, key, problem):
    """DESIGN.md §3: unknown keys, duplicate keys, missing citations, bad dates, overlaps, bad percentages are load errors."""
    text = mutate(GOOD)
    assert text != GOOD
    with pytest.raises(PackError) as info:
        parse_pack(text, "jiyuan-2018-19.yaml")
    msg = str(info.value)
    assert msg.startswith("jiyuan-2018-19.yaml: ") and key in msg and problem in msg


def test_emergency_ratio_outside_0_100_is_refused():
    text = (PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8").replace("red: {so2: 30,", "red: {so2: 130,")
    with pytest.raises(PackError, match=r"emergency.ratios.value.red.so2.*outside 0-100"):
        parse_pack(text, "langfang-2017-18.yaml")


def test_every_number_in_every_pack_is_cited():
    """Every leaf number/date/list sits under a node with source+rule (or a local setting with why)."""
    for path in PACK_DIR.glob("*.yaml"):
        parse_pack(path.read_text(encoding="utf-8"), path.name)  # raises on a missing citation


def test_code_never_branches_on_a_city_name():
    """DESIGN.md §3: differences between cities are pack values or named switches, never code."""
    names = re.compile(r"(?<![\"'])[\"'](langfang|jizhou|jiyuan|shijiazhuang|jjj|廊坊|蓟州|济源|石家庄)", re.I)  # not docstrings
    root = Path(__file__).resolve().parents[3] / "grading"
    offenders = [str(p) for p in root.rglob("*.py") if names.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
