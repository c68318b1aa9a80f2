"""One test per [AMBIGUOUS] item of DOMAIN.md §5: each is a documented pack setting or a flag, never a silent pick."""
from __future__ import annotations

from grading.facts import LineFacts
from grading.packs import load_packs
from grading.rules.thresholds import is_ultra_low
from grading.rules.transport import vehicle_restriction_needs_report
from grading.vocab import LineKind, Pollutant, Sector

PACKS = load_packs()


def _setting(pack: str, name: str) -> dict:
    return PACKS[pack].data["settings"][name]


def test_01_heating_season_is_a_local_setting_in_every_pack(h):
    """R-T-05: no source dates the heating season; each pack marks it local_setting with an explanation."""
    for p in PACKS.values():
        hs = p.data["heating_season"]
        assert hs["local_setting"] is True and "NOT FROM THE SOURCES" in hs["why"] and hs["rule"] == "R-T-05"
    out = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "bf", "kind": "blast_furnace"}], sector="steel")
    assert any(r["rule"] == "R-T-05" and r["source"] == "local setting" for r in h.line(out)["reasons"])


def test_02_langfang_alert_period_covers_blue_by_declared_setting(h):
    """000:133, 000:139: 预警期间 names no level; the Langfang pack declares all levels incl. blue."""
    s = _setting("langfang-2017-18", "alert_period_levels")
    assert "blue" in s["value"] and s["why"]
    out = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "g", "kind": "grinding_mill"}], level="blue", sector="cement")
    assert h.line(out)["measure"] == "stop" and "R-LF-03" in h.rules(h.line(out))


def test_03_langfang_000_143_relieves_only_the_emergency_list(h):
    """000:143 vs 000:131/133: the pack declares scope emergency_only and foundry precedence sector_rule."""
    assert _setting("langfang-2017-18", "emergency_exemption_scope")["value"] == "emergency_only"
    out = h.run("langfang-2017-18", "2017-12-20", [{"line_id": "ef", "kind": "electric_furnace", "fuel": "electricity"}],
              level="yellow", sector="foundry")
    assert h.line(out)["measure"] == "stop"
    assert any(r["rule"] == "R-LF-13" and "overridden" in r["note"] for r in h.line(out)["reasons"])


def test_04_langfang_30_percent_covers_every_measured_pollutant(h):
    """000:143 ≤30 % of the limit: the pack reads it as every measured pollutant."""
    assert _setting("langfang-2017-18", "percent_of_limit_pollutants")["value"] == "all_measured"
    ok = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "x", "kind": "other", "percent_of_limit": {"pm": 10, "vocs": 30}}],
             level="yellow")
    bad = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "x", "kind": "other", "percent_of_limit": {"pm": 10, "vocs": 31}}],
              level="yellow")
    assert "emergency_exemption" in h.flag_codes(h.line(ok)) and "emergency_exemption" not in h.flag_codes(h.line(bad))


def test_05_basis_and_value_of_ranges_are_flagged(h):
    """002:595 ≥30 % and 004:389 20-30 %: basis not stated, who picks the value not stated → flags."""
    jy = h.run("jiyuan-2018-19", "2018-12-10", [{"line_id": "bf", "kind": "blast_furnace"}], sector="steel")
    assert h.line(jy)["basis"] == "not_stated" and "curtailment_basis_not_stated" in h.flag_codes(h.line(jy))
    sjz = h.run("shijiazhuang-2018-20", "2018-12-10", [{"line_id": "s", "kind": "sinter_machine"}], sector="steel",
              ultra_low_retrofit="partial", transport_structure="basically_rational", product_level="mid")
    assert "tier_value_in_range" in h.flag_codes(h.line(sjz)) and h.line(sjz)["basis"] == "not_stated"


def test_06_jiyuan_replacement_window_is_a_declared_setting(h):
    """002:609: no window for the 10 % / 50 % replacements - the pack declares the whole heating season."""
    assert _setting("jiyuan-2018-19", "replacement_window")["value"] == "heating_season"
    out = h.run("jiyuan-2018-19", "2018-11-20", [{"line_id": "c", "kind": "carbon_baking_kiln", "emission_status": "ultra_low",
                                               "status_reached_on": "2018-10-01"}], sector="carbon")
    assert h.line(out)["percentage_min"] == 50 and "R-JY-08" in h.rules(h.line(out))


def test_07_jiyuan_emergency_list_off_in_principle_is_flagged(h):
    """002:575 vs 002:595-609: retrofitted plants are off the list in principle but must take part - flagged."""
    out = h.run("jiyuan-2018-19", "2018-10-15", [{"line_id": "c", "kind": "coke_oven", "emission_status": "special_limits"}],
              sector="coking")
    assert "emergency_list_inclusion" in h.flag_codes(out["summary"])


def test_08_grade_b_size_and_grade_c_measures_are_flagged(h):
    """003:51: B 'appropriately reduced' has no figure; C measures undefined."""
    for g, code in (("B", "grade_b_reduction_size"), ("C", "grade_c_measures_undefined")):
        out = h.run("jjj-2019-20", "2019-12-10", [{"line_id": "bf", "kind": "blast_furnace"}], level="orange", sector="steel",
                  emergency_grades=[{"industry": "steel", "grade": g}])
        assert code in h.flag_codes(h.line(out))


def test_09_steel_utilisation_raise_is_flagged_without_increment(h):
    """003:51: utilisation >120 % may raise the ratio; increment not given."""
    out = h.run("jjj-2019-20", "2019-12-10", [{"line_id": "bf", "kind": "blast_furnace"}], level="orange", sector="steel",
              capacity_utilisation_2018=121, emergency_grades=[{"industry": "steel", "grade": "A"}])
    assert "utilisation_raise" in h.flag_codes(h.line(out))


def test_10_livelihood_jizhou_no_load_and_langfang_missed_filing_are_flagged(h):
    """001:99 no load rule; 000:133 missed deadline has no stated consequence."""
    jz = h.run("jizhou-2018-19", "2018-12-10", [{"line_id": "k", "kind": "cement_kiln", "livelihood_task": "residential_heating"}],
             sector="cement")
    lf = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "k", "kind": "cement_kiln", "livelihood_task": "residential_heating",
                                                "livelihood_max_load": 50}], sector="cement")
    assert "livelihood_no_load_rule" in h.flag_codes(h.line(jz))
    assert "livelihood_filing_missed" in h.flag_codes(h.line(lf)) and h.line(lf)["measure"] == "stop"


def test_11_china_v_applies_to_all_exception_categories_by_setting(h):
    """001:103, 004:394: 国五及以上 scope - declared all_categories (safer reading)."""
    for p in ("jizhou-2018-19", "shijiazhuang-2018-20"):
        assert _setting(p, "exception_standard_scope")["value"] == "all_categories"
    out = h.run("shijiazhuang-2018-20", "2018-12-20", [{"line_id": "s", "kind": "sinter_machine"}], level="yellow", sector="steel",
              heavy_diesel_vehicles=30, staggering_tier="none",
              vehicles=[{"vehicle_id": "safe4", "standard": "china_4", "purpose": "safe_production"}])
    assert out["summary"]["transport"][0]["vehicles_not_allowed"] == ["safe4"]


def test_12_resplit_arithmetic_is_a_declared_reading(h):
    """000:149: so2 + nox ≥ 2 × level ratio, declared in the pack."""
    node = PACKS["langfang-2017-18"].data["emergency"]["resplit_so2_nox"]
    assert node["value"] == "sum_not_below_twice_level_ratio" and node["why"]
    d = h.doc("langfang-2017-18", "2017-12-10", [{"line_id": "x", "kind": "other"}], level="red")
    d["emergency_resplit"] = {"so2": 35, "nox": 24}
    from grading.contract import evaluate
    assert "resplit_below_requirement" in h.flag_codes(evaluate(d)["summary"])


def test_13_sinter_ultra_low_numbers_differ_by_pack(h):
    """002:367 (20/50/150) vs 004:308 (10/35/50): the same sinter is ultra-low in Jiyuan, not in Shijiazhuang."""
    sinter = LineFacts("s", LineKind.SINTER_MACHINE, concentrations=((Pollutant.PM, 15.0), (Pollutant.SO2, 40.0), (Pollutant.NOX, 100.0)))
    assert is_ultra_low(PACKS["jiyuan-2018-19"], Sector.STEEL, sinter) is True
    assert is_ultra_low(PACKS["shijiazhuang-2018-20"], Sector.STEEL, sinter) is False


def test_14_grade_approval_authority_is_a_local_setting_not_decided(h):
    """§4.1: who approves a grade, publicity, appeal - not in sources; declared local, value not_in_sources."""
    for p in PACKS.values():
        s = p.data["settings"]["grade_approval"]
        assert s["local_setting"] is True and s["value"] == "not_in_sources"


def test_15_jiyuan_coking_reads_to_36_hours(h):
    """002:595 延长出焦时间36小时以上: declared reading 'to'."""
    assert _setting("jiyuan-2018-19", "coking_extension_reading")["value"] == "to"
    out = h.run("jiyuan-2018-19", "2018-12-10", [{"line_id": "c", "kind": "coke_oven"}], sector="coking")
    assert h.line(out)["measure"] == "extend_coking" and h.line(out)["coking_time_hours"] == 36
    assert any("coking_extension_reading" in r["note"] for r in h.line(out)["reasons"])


def test_16_non_pressed_clean_energy_refractory_is_flagged(h):
    """002:602: clean-energy exclusion scope - pressed_only by setting; a fused-cast electric plant is flagged."""
    out = h.run("jiyuan-2018-19", "2018-12-10", [{"line_id": "f", "kind": "refractory_kiln", "sub_type": "refractory_fused_cast",
                                               "fuel": "electricity"}], sector="refractory")
    assert h.line(out)["measure"] == "stop" and "refractory_exclusion_scope" in h.flag_codes(h.line(out))
    assert next(f for f in h.line(out)["flags"] if f["code"] == "refractory_exclusion_scope")["default"] == "covered_stop"


def test_17_langfang_steel_50_percent_reading_is_declared(h):
    """000:129: per enterprise (declared) vs city allocation."""
    assert _setting("langfang-2017-18", "steel_allocation")["value"] == "per_enterprise"


def test_18_jiyuan_emergency_list_retrofit_reading_is_declared(h):
    """002:575 特别排放限值和超低排放改造: declared 'applicable_to_sector' - special limits suffice for coking, not steel."""
    assert _setting("jiyuan-2018-19", "emergency_list_retrofit")["value"] == "applicable_to_sector"
    steel = h.run("jiyuan-2018-19", "2018-10-15", [{"line_id": "b", "kind": "blast_furnace", "emission_status": "special_limits"}],
                sector="steel")
    assert steel["summary"]["emergency_list"] == "include"


def test_19_open_lists_are_flagged_not_excluded(h):
    """000:133, 001:99, 002:602 等: unlisted sub-types, tasks and fuels are flagged."""
    task = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "k", "kind": "cement_kiln", "livelihood_task": "other",
                                                  "livelihood_max_load": 50, "livelihood_filed_on": "2017-09-01"}], sector="cement")
    assert "open_list_livelihood_task" in h.flag_codes(h.line(task))
    bm = h.run("jiyuan-2018-19", "2018-12-10", [{"line_id": "k", "kind": "other_kiln"}], sector="building_materials_other")
    assert "open_list_building_materials" in h.flag_codes(h.line(bm))


def test_20_exactly_fifteen_days_is_flagged(h):
    """002:575: 15日以内 vs 15日以上 overlap at exactly 15 days."""
    p = PACKS["jiyuan-2018-19"]
    assert vehicle_restriction_needs_report(p, 14) == (False, ())
    assert vehicle_restriction_needs_report(p, 16) == (True, ())
    needs, flags = vehicle_restriction_needs_report(p, 15)
    assert needs is True and flags[0].code == "exactly_fifteen_days"


def test_21_shijiazhuang_ratio_pollutants_are_a_declared_reading(h):
    """004:381 污染物减排比例 names no pollutants: declared SO₂/NOx/PM, cited in the reasons."""
    assert _setting("shijiazhuang-2018-20", "ratio_pollutants")["value"] == ["so2", "nox", "pm"]
    out = h.run("shijiazhuang-2018-20", "2018-12-10", [{"line_id": "x", "kind": "other"}], level="orange")
    assert any("ratio_pollutants" in r["note"] for r in out["summary"]["emergency_reasons"])


def test_22_applicant_for_city_government_approvals_is_flagged(h):
    """000:131/133/135/143: applicant not named - flagged where an approval is relied on."""
    out = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "c", "kind": "cupola", "fuel": "coke"}], sector="foundry",
              approvals=[{"kind": "city_government_approval"}])
    assert "approval_applicant_not_named" in h.flag_codes(h.line(out))
