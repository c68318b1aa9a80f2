"""Baselines per source category (R-A-02, 002:582) and city totals against each pack's targets (§2.11)."""
import pytest

from grading.packs import get_pack
from registry.policy.emergency import (
    Action,
    LineBaseline,
    annual_baseline,
    baseline_days,
    city_totals,
    emergency_levels,
    level_targets,
    line_reduction,
)


def _line(ent, line, cls="industrial", **daily):
    return LineBaseline(ent, line, daily, cls)


@pytest.mark.parametrize("cls,days", [("industrial", 330), ("heating_boiler", 120), ("residential_coal", 120),
                                      ("mobile", 365), ("dust", 365)])
def test_jiyuan_baseline_days_per_source_category(cls, days):
    """002:582: industrial daily × 330, heating boilers and residential coal × 120, mobile and dust × 365."""
    d = baseline_days(get_pack("jiyuan-2018-19"))
    assert d.annualised and d.reason.source == "002:582"
    assert annual_baseline(_line("e", "l", cls, so2=2.0), d)["so2"] == 2.0 * days


def test_reduction_is_computed_from_measure_not_typed():
    d = baseline_days(get_pack("jiyuan-2018-19"))
    line = _line("e", "l", nox=10.0)
    assert line_reduction(line, Action("stop"), d)["nox"] == 3300.0
    assert line_reduction(line, Action("curtail", 30), d)["nox"] == pytest.approx(990.0)
    assert line_reduction(line, Action("none"), d)["nox"] == 0.0


def test_pack_without_baseline_days_says_so():
    d = baseline_days(get_pack("langfang-2017-18"))
    assert not d.annualised and "names no baseline days" in d.reason.note


def test_langfang_has_blue_with_pm_and_vocs_only():
    """000:149: blue 5 % PM and VOCs; no SO₂/NOx target at blue."""
    pack = get_pack("langfang-2017-18")
    assert emergency_levels(pack) == ["blue", "yellow", "orange", "red"]
    assert dict(level_targets(pack, "blue").percent) == {"pm": 5.0, "vocs": 5.0}
    assert emergency_levels(get_pack("jizhou-2018-19")) == ["yellow", "orange", "red"]


def test_langfang_blue_totals_against_target_and_contributions():
    pack = get_pack("langfang-2017-18")
    lines = [_line("e1", "a", pm=60.0, vocs=10.0), _line("e2", "b", pm=40.0, vocs=90.0)]
    totals = city_totals(pack, "blue", lines, {("e1", "a"): Action("curtail", 10)})
    pm, vocs = totals.by_pollutant()["pm"], totals.by_pollutant()["vocs"]
    assert pm.percent == pytest.approx(6.0) and pm.met
    assert vocs.percent == pytest.approx(1.0) and not vocs.met
    assert vocs.shortfall == pytest.approx(4.0)  # 5 % of 100 minus 1
    assert totals.by_pollutant()["so2"].target_percent is None and totals.by_pollutant()["so2"].met
    assert totals.contributions["e1"]["pm"] == pytest.approx(6.0) and totals.contributions["e2"]["pm"] == 0.0


@pytest.mark.parametrize("pack_id,level,vocs", [("langfang-2017-18", "orange", 15.0), ("jizhou-2018-19", "orange", 15.0),
                                                ("shijiazhuang-2018-20", "red", 20.0), ("jjj-2019-20", "red", 30.0)])
def test_vocs_targets_differ_by_pack(pack_id, level, vocs):
    """§2.11 [DIFFERS]: VOCs orange 15 % (000/001/004) vs 20 % (003), red 20 % vs 30 %."""
    assert level_targets(get_pack(pack_id), level).percent["vocs"] == vocs


def test_langfang_resplit_so2_nox_sum_not_below_twice_the_ratio():
    """R-A-01 (000:149): the command may re-split SO₂/NOx if the sum stays ≥ 2 × the level ratio."""
    pack = get_pack("langfang-2017-18")
    lines = [_line("e1", "a", so2=100.0, nox=100.0)]
    plain = city_totals(pack, "yellow", lines, {("e1", "a"): Action("curtail", 10)})
    assert plain.by_pollutant()["so2"].met and plain.by_pollutant()["nox"].met
    ok = city_totals(pack, "yellow", lines, {("e1", "a"): Action("curtail", 10)}, resplit={"so2": 15, "nox": 5})
    assert ok.targets.resplit_applied and not ok.by_pollutant()["so2"].met and ok.by_pollutant()["nox"].met
    assert ok.shortfall()["so2"] == pytest.approx(5.0)
    low = level_targets(pack, "yellow", {"so2": 12, "nox": 5})
    assert not low.resplit_applied and low.percent["so2"] == 10.0 and "below" in low.resplit_rejected


def test_resplit_refused_where_the_pack_has_no_rule():
    t = level_targets(get_pack("jizhou-2018-19"), "yellow", {"so2": 15, "nox": 5})
    assert not t.resplit_applied and t.percent["so2"] == 10.0


def test_shijiazhuang_targets_are_in_principle_except_vocs():
    """Issue 14 point 2, 004:381: 减排比例原则上分别不低于…10%、20%和30%, VOCs 不低于10%、15%和20% (no 原则上):
    the list's totals mark the SO₂/NOx/PM targets as in principle, the VOC target not; other packs mark none."""
    pack = get_pack("shijiazhuang-2018-20")
    t = level_targets(pack, "orange")
    assert set(t.in_principle) == {"so2", "nox", "pm"} and dict(t.percent)["vocs"] == 15.0
    totals = city_totals(pack, "orange", [_line("e1", "a", so2=10.0, vocs=10.0)], {})
    assert totals.targets.in_principle == t.in_principle
    for other in ("langfang-2017-18", "jizhou-2018-19", "jiyuan-2018-19", "jjj-2019-20"):
        p = get_pack(other)
        assert all(not level_targets(p, lv).in_principle for lv in emergency_levels(p))
