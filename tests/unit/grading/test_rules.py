"""Small policy tests of individual rules, named like the policy they check."""
from __future__ import annotations

from datetime import date

from grading.packs import load_packs
from grading.rules.emergency import annual_baseline
from grading.vocab import Pollutant

PACKS = load_packs()


def test_regional_grading_covers_exactly_15_industries(h):
    """R-G-01 (003:51): 钢铁 … 油墨, exactly 15."""
    assert len(PACKS["jjj-2019-20"].data["emergency_grading"]["industries"]["value"]) == 15
    out = h.run("jjj-2019-20", "2019-12-10", [{"line_id": "g", "kind": "glass_furnace"}], level="yellow", sector="glass",
                emergency_grades=[{"industry": "glass", "grade": "B"}])
    assert "R-G-01" in h.rules(h.line(out))


def test_graded_industry_without_a_grade_on_record_is_flagged(h):
    """R-G-02 (003:51): grades are determined and managed dynamically; a missing grade is for an official."""
    out = h.run("jjj-2019-20", "2019-12-10", [{"line_id": "c", "kind": "coke_oven"}], level="orange", sector="coking")
    assert "grade_missing" in h.flag_codes(h.line(out)) and "R-G-02" in h.rules(h.line(out))


def test_ultra_low_steel_line_cites_the_differentiated_emergency_incentive(h):
    """R-G-10 / X-17 (003:17): confirmed full ultra-low gets differentiated emergency measures."""
    out = h.run("jjj-2019-20", "2019-12-10", [{"line_id": "s", "kind": "sinter_machine", "emission_status": "ultra_low"}],
                level="orange", sector="steel", emergency_grades=[{"industry": "steel", "grade": "A"}])
    assert "R-G-10" in h.rules(h.line(out))


def test_shijiazhuang_voc_health_check_class_is_kept_apart_from_the_emergency_grade(h):
    """R-G-13 (004:350): VOC class A/B/C is a remediation order in its own field; deadlines are pack data."""
    out = h.run("shijiazhuang-2018-20", "2019-06-01", [{"line_id": "v", "kind": "voc_process"}], sector="pharmaceuticals",
                voc_class="A", staggering_tier="none")
    assert out["summary"]["grades"]["voc_class"] == "A" and out["summary"]["grades"]["emergency"] is None
    assert PACKS["shijiazhuang-2018-20"].data["voc_health_check"]["deadlines"]["value"]["C"] == "2020-06-30"


def test_langfang_permit_held_but_not_followed_stops_for_rectification(h):
    """F-08b (000:75 / 207, R-P-01): 不按证排污 → 停产整治."""
    out = h.run("langfang-2017-18", "2017-12-10", [{"line_id": "x", "kind": "other"}], sector="chemicals",
                meets_permit_requirements=False)
    assert h.line(out)["measure"] == "stop" and "F-08b" in h.rules(h.line(out))


def test_permit_is_a_precondition_for_tiers(h):
    """R-P-05 (004:389, 003:52, 001:99): no lawful permit → outside the gate."""
    out = h.run("shijiazhuang-2018-20", "2018-12-10", [{"line_id": "k", "kind": "brick_kiln"}], sector="brick_tile",
                permit_status="none", meets_permit_requirements=False)
    assert h.line(out)["measure"] == "stop" and out["summary"]["grades"]["eligible"] is False
    assert "R-P-05" in {r["rule"] for r in out["summary"]["eligibility_reasons"]}


def test_campaign_periods_of_langfang_and_jizhou():
    """R-T-02 (000:17) Oct 2017-Mar 2018; R-T-03 (001:19) Oct 2018-Mar 2019."""
    assert (PACKS["langfang-2017-18"].period_start, PACKS["langfang-2017-18"].period_end) == (date(2017, 10, 1), date(2018, 4, 1))
    assert (PACKS["jizhou-2018-19"].period_start, PACKS["jizhou-2018-19"].period_end) == (date(2018, 10, 1), date(2019, 4, 1))


def test_jizhou_accepts_deadlines_before_its_publication_date(h):
    """R-T-06 (001:8 vs 001:101): issued 2018-12-05, filing deadline end Oct 2018 - back-filled records are accepted."""
    assert PACKS["jizhou-2018-19"].data["staggering_list"]["filing"]["deadline"] == date(2018, 10, 31)
    out = h.run("jizhou-2018-19", "2018-10-15", [{"line_id": "f", "kind": "electric_furnace"}], sector="foundry",
                staggering_list_filed=False)
    assert "not_implementing_staggering" not in h.flag_codes(out["summary"])  # not yet late


def test_rail_share_for_bulk_freight_is_pack_data():
    """R-TR-04 (003:34): ≥80 % by rail for large enterprises with a siding (no line decision depends on it)."""
    assert PACKS["jjj-2019-20"].data["transport"]["rail_share"]["value"] == 80


def test_vehicle_restriction_over_15_days_goes_to_the_provincial_traffic_police():
    """R-JY-16 (002:575)."""
    from grading.rules.transport import vehicle_restriction_needs_report
    assert vehicle_restriction_needs_report(PACKS["jiyuan-2018-19"], 20)[0] is True
    assert vehicle_restriction_needs_report(PACKS["langfang-2017-18"], 20) == (None, ())


def test_baseline_days_330_120_365():
    """R-A-02 (002:582): industrial × 330, heating boilers and residential coal × 120, mobile and dust × 365."""
    p = PACKS["jiyuan-2018-19"]
    for cls, days in (("industrial", 330), ("heating_boiler", 120), ("residential_coal", 120), ("mobile", 365), ("dust", 365)):
        assert annual_baseline(p, cls, {Pollutant.PM: 1.0})[0] == (("pm", float(days)),)


def test_no_baseline_rule_outside_jiyuan():
    assert annual_baseline(PACKS["langfang-2017-18"], "industrial", {Pollutant.PM: 1.0}) == ((), ())


def test_langfang_red_alert_ratios_and_vocs_differ_from_the_region():
    """§2.11 [DIFFERS]: VOCs red 20 % (000:149) vs Ⅰ-level 30 % (003:50)."""
    from grading.rules.emergency import reduction_ratios
    from grading.vocab import AlertLevel
    assert dict(reduction_ratios(PACKS["langfang-2017-18"], AlertLevel.RED))["vocs"] == 20
    assert dict(reduction_ratios(PACKS["jjj-2019-20"], AlertLevel.RED))["vocs"] == 30


def test_shijiazhuang_boiler_ultra_low_limits_depend_on_fuel():
    """§2.16, 004:322-323: coal boilers 10/35/50, gas boilers 5/10/30 mg/m³ - pack data keyed by kind and fuel."""
    from grading.facts import LineFacts
    from grading.rules.thresholds import is_ultra_low
    from grading.vocab import Fuel, LineKind, Sector
    conc = ((Pollutant.PM, 8.0), (Pollutant.SO2, 20.0), (Pollutant.NOX, 40.0))
    coal = LineFacts("b1", LineKind.BOILER, Fuel.COAL, concentrations=conc)
    gas = LineFacts("b2", LineKind.BOILER, Fuel.NATURAL_GAS, concentrations=conc)
    p = PACKS["shijiazhuang-2018-20"]
    assert is_ultra_low(p, Sector.OTHER, coal) is True and is_ultra_low(p, Sector.OTHER, gas) is False


def test_declared_ultra_low_gas_boiler_above_the_gas_limits_is_flagged(h):
    """004:323: a gas boiler at NOx 40 mg/m³ is not ultra-low (limit 30) - flagged, not silently accepted."""
    out = h.run("shijiazhuang-2018-20", "2019-06-01", [{"line_id": "b", "kind": "boiler", "fuel": "natural_gas",
                 "emission_status": "ultra_low", "concentrations": {"pm": 3, "so2": 5, "nox": 40}}])
    assert "ultra_low_not_supported" in h.flag_codes(h.line(out))
