"""Criteria packs (grading/criteria/*.yaml) load strictly, cover the 15 industries and the 7 dimensions,
and propose_grade applies the short-board principle, the worst industry, fraud → C and R-E-01."""
from __future__ import annotations

import pytest

from grading.criteria import DIMENSIONS, GRADED_INDUSTRIES, load_all_criteria, parse_criteria
from grading.errors import PackError
from grading.rules.grade import propose_grade
from grading.vocab import EmergencyGrade

GOOD = """
id: steel
industry: steel
title: t
version: "1"
scope: {source: "003:51", rule: R-G-01}
indicators:
  - key: k
    dimension: equipment_level
    label: l
    label_en: l
    kind: min
    a: {value: 90, source: "001:107", rule: R-V-06}
    b: {value: 50, local_setting: true, rule: R-G-02, why: "default"}
"""


def test_the_15_industries_of_r_g_01_each_have_a_pack_with_every_dimension():
    packs = load_all_criteria()
    assert set(packs) == {s.value for s in GRADED_INDUSTRIES} and len(packs) == 15
    for p in packs.values():
        assert {i.dimension for i in p.indicators} == set(DIMENSIONS)
        assert len(p.sha256) == 64 and p.version


def test_source_thresholds_cite_the_sources():
    steel = load_all_criteria()["steel"]
    assert steel.indicator("pm_mg_m3").a.value == 10 and steel.indicator("pm_mg_m3").a.source == "004:308"
    assert steel.indicator("cems_transmission_rate").a.value == 90 and steel.indicator("cems_transmission_rate").a.rule == "R-V-06"
    assert steel.indicator("clean_transport_share").a.source == "003:34"
    assert steel.indicator("clean_transport_share").b.local_setting


@pytest.mark.parametrize(("mutation", "key"), [
    (("kind: min", "kind: min\n    colour: red"), "indicators[0].colour"),             # unknown key
    (("    b: {value: 50, local_setting: true, rule: R-G-02, why: \"default\"}", "    b: {value: 50}"), "indicators[0].b"),  # missing citation
    (("version: \"1\"", "version: \"1\"\nversion: \"2\""), "version"),                  # duplicate key
    (("industry: steel", "industry: cement"), "industry"),                              # not one of the 15
    (("source: \"001:107\"", "source: \"page 3\""), "indicators[0].a.source"),           # bad citation
])
def test_bad_packs_are_load_errors_naming_the_key(mutation, key):
    with pytest.raises(PackError) as err:
        parse_criteria(GOOD.replace(*mutation), "x.yaml")
    assert err.value.file == "x.yaml" and err.value.key == key


def _answers(**over):
    base = {"equipment_level": "national_leading", "control_technology": "national_leading", "pm_mg_m3": 5,
            "so2_mg_m3": 20, "nox_mg_m3": 40, "fugitive_control": "full", "cems_installed": True,
            "cems_transmission_rate": 96, "separate_metering": True, "environmental_management": "complete",
            "clean_transport_share": 85, "china5_or_better_share": 100, "gate_video_months": 6}
    base.update(over)
    return base


def test_short_board_one_b_indicator_makes_the_industry_b():
    steel = load_all_criteria()["steel"]
    assert propose_grade([(steel, _answers())]).grade == EmergencyGrade.A
    p = propose_grade([(steel, _answers(clean_transport_share=60))])
    assert p.grade == EmergencyGrade.B
    r = next(r for r in p.indicators if r.key == "clean_transport_share")
    assert r.grade == EmergencyGrade.B and r.local_setting


def test_missing_or_failing_indicator_is_c_with_the_clause_it_missed():
    steel = load_all_criteria()["steel"]
    p = propose_grade([(steel, _answers(cems_transmission_rate=80))])
    assert p.grade == EmergencyGrade.C
    r = next(r for r in p.indicators if r.key == "cems_transmission_rate")
    assert (r.rule, r.source) == ("R-V-06", "001:107")
    assert propose_grade([(steel, {})]).grade == EmergencyGrade.C


def test_multi_industry_takes_the_worst_and_fraud_lowers_to_c():
    packs = load_all_criteria()
    p = propose_grade([(packs["steel"], _answers()), (packs["coking"], _answers(nox_mg_m3=150))])
    assert dict(p.by_industry) == {"steel": EmergencyGrade.A, "coking": EmergencyGrade.B} and p.grade == EmergencyGrade.B
    f = propose_grade([(packs["steel"], _answers())], fraud=True)
    assert f.grade == EmergencyGrade.C and f.reasons[0].rule == "R-G-09"


def test_r_e_01_excluded_enterprise_gets_no_grade():
    p = propose_grade([(load_all_criteria()["steel"], _answers())], failed=("stably_compliant",))
    assert p.grade is None and p.excluded == ("stably_compliant",) and p.reasons[0].rule == "R-E-01"
