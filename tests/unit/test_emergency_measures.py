"""Each line's allowed measures from the pack (grading/rules/measures.py) and the optimizer using them."""
import random

import pytest

from grading.packs import get_pack
from registry.emergency.optimizer import Candidate, optimize, options_for
from registry.policy.emergency import LineFacts, MeasureRules, coking_curtail_percent


def _allowed(pack_id, **facts):
    return MeasureRules(get_pack(pack_id)).allowed(LineFacts(**facts))


def test_default_steps_are_a_declared_local_setting():
    a = _allowed("jjj-2019-20", sector="glass", kind="glass_furnace", fuel="natural_gas")
    assert a.steps == (("curtail", 30.0), ("curtail", 50.0), ("stop", 100.0))
    assert [g.code for g in a.grounds] == ["pack_default"] and a.grounds[0].source == "local setting"


def test_jiyuan_coke_oven_extends_coking_time_and_never_stops():
    """002:595: 延长出焦时间36小时以上 — read 'to 36 h' from a 24 h cycle: output −33.3 %."""
    pack = get_pack("jiyuan-2018-19")
    a = _allowed("jiyuan-2018-19", sector="coking", kind="coke_oven", fuel="coke_oven_gas")
    assert a.steps == (("curtail", 33.3),) and a.label == "extend_coking"
    assert {g.code for g in a.grounds} == {"pack_rule", "extend_coking"}
    assert a.grounds[0].source == "002:595" and a.grounds[0].rule == "R-JY-02"
    rule = next(r for r in pack.section("emergency_measures")["lines"] if r["id"] == "jy-em-coke-oven")
    by = dict(pack.data["settings"]["coking_extension_reading"], value="by")
    other = type(pack)(**{**pack.__dict__, "data": {**pack.data, "settings": {**pack.data["settings"], "coking_extension_reading": by}}})
    assert coking_curtail_percent(other, rule) == 60.0  # 1 − 24 / (24 + 36)


@pytest.mark.parametrize("pack_id", ["jjj-2019-20", "langfang-2017-18", "jizhou-2018-19", "shijiazhuang-2018-20"])
def test_coke_ovens_never_stop_in_any_pack(pack_id):
    a = _allowed(pack_id, sector="coking", kind="coke_oven")
    assert a.steps and all(m == "curtail" for m, _ in a.steps) and a.label == "extend_coking"


def test_uninterruptible_line_is_curtailed_not_stopped():
    """003:49: processes that cannot be interrupted pre-adjust; the overlay removes stop, keeps the steps."""
    a = _allowed("jjj-2019-20", sector="glass", kind="glass_furnace", interruptible=False)
    assert a.steps == (("curtail", 30.0), ("curtail", 50.0))
    assert [g.code for g in a.grounds] == ["pack_default", "uninterruptible"] and a.grounds[1].source == "003:49"


def test_pack_named_ratios_per_industry():
    lf = _allowed("langfang-2017-18", sector="steel", kind="blast_furnace")  # 000:129
    assert lf.steps == (("curtail", 50.0), ("stop", 100.0)) and lf.grounds[0].ref == "lf-em-steel-bf"
    assert _allowed("langfang-2017-18", sector="steel", kind="sinter_machine").grounds[0].code == "pack_default"
    jy = _allowed("jiyuan-2018-19", sector="steel", kind="sinter_machine")  # 002:595 限产30%以上
    assert jy.steps == (("curtail", 30.0), ("curtail", 50.0), ("stop", 100.0)) and jy.grounds[0].source == "002:595"
    sjz = _allowed("shijiazhuang-2018-20", sector="cement", kind="cement_kiln")  # 004:389 tiers
    assert sjz.steps == (("curtail", 30.0), ("curtail", 60.0), ("stop", 100.0)) and sjz.grounds[0].source == "004:389"


def test_langfang_livelihood_line_gets_nothing_added():
    """000:133: the maximum allowed load is fixed from the task volume and filed."""
    a = _allowed("langfang-2017-18", sector="cement", kind="cement_kiln", livelihood=True)
    assert a.steps == () and a.grounds[0].code == "livelihood" and a.grounds[0].source == "000:133"
    # packs without that rule treat the line like any other
    assert _allowed("jjj-2019-20", sector="cement", kind="cement_kiln", livelihood=True).steps


def _cand(ent, line, grade, base, weight, allowed):
    return Candidate(ent, line, grade, options_for(base, 0.0, weight, allowed.steps, allowed.label),
                     tuple(g.as_dict() for g in allowed.grounds))


def test_optimizer_respects_per_line_sets_known_optimum():
    """Coke oven C (so2 100, weight 1) may only take −33.3 %; glass C (so2 100, weight 1) 30/50/stop.
    Need so2 60: options — oven 33.3 (cost .333) + glass 30 (cost .3) = 63.3 at .633 is the optimum
    (glass stop alone costs 1; glass 50 + oven = 83.3 at .833). With a free stop for the oven the optimum
    would be the same set, but the oven can never be proposed to stop."""
    rules = MeasureRules(get_pack("jiyuan-2018-19"))
    oven = _cand("e1", "oven", "C", {"so2": 100.0}, 1.0, rules.allowed(LineFacts("coking", "none", "coke_oven")))
    glass = _cand("e2", "glass", "C", {"so2": 100.0}, 1.0, rules.allowed(LineFacts("glass", "none", "glass_furnace")))
    report = optimize([oven, glass], {"so2": 60.0}, mip_rel_gap=0.0)
    assert report.status == "optimal"
    got = {p.line_id: (p.measure, p.percent) for p in report.proposals}
    assert got == {"oven": ("curtail", 33.3), "glass": ("curtail", 30.0)}
    assert abs(report.capacity_lost - 0.633) < 1e-9
    oven_p = next(p for p in report.proposals if p.line_id == "oven")
    assert oven_p.explanation["params"]["label"] == "extend_coking"
    assert {g["code"] for g in oven_p.explanation["params"]["grounds"]} == {"pack_rule", "extend_coking"}
    # so2 150 is out of reach without stopping the oven: infeasible, not a forbidden stop
    assert optimize([oven, glass], {"so2": 150.0}).status == "infeasible"


def test_c_before_b_uses_each_c_line_strongest_allowed_measure():
    """The C coke oven's strongest allowed measure is its coking extension, not stop: B opens once the
    oven extends and the glass C line stops (003:51)."""
    rules = MeasureRules(get_pack("jiyuan-2018-19"))
    oven = _cand("e1", "oven", "C", {"so2": 30.0}, 1.0, rules.allowed(LineFacts("coking", "none", "coke_oven")))
    glass = _cand("e2", "glass", "C", {"so2": 30.0}, 1.0, rules.allowed(LineFacts("glass", "none", "glass_furnace")))
    b = _cand("e3", "b", "B", {"so2": 100.0}, 0.1, rules.allowed(LineFacts("glass", "none", "glass_furnace")))
    report = optimize([oven, glass, b], {"so2": 60.0}, mip_rel_gap=0.0)
    got = {p.line_id: (p.measure, p.percent) for p in report.proposals}
    assert got["oven"] == ("curtail", 33.3) and got["glass"] == ("stop", 100.0) and "b" in got
    assert next(p for p in report.proposals if p.line_id == "b").explanation["params"]["order"] == "b_opened"


def test_random_cities_with_mixed_per_line_sets_match_brute_force():
    from tests.unit.test_optimizer import _brute_force

    rules = MeasureRules(get_pack("langfang-2017-18"))
    kinds = [LineFacts("coking", "none", "coke_oven"), LineFacts("steel", "none", "blast_furnace"),
             LineFacts("glass", "none", "glass_furnace"), LineFacts("glass", "none", "glass_furnace", interruptible=False),
             LineFacts("cement", "none", "cement_kiln", livelihood=True)]
    rng = random.Random(11)
    for _ in range(30):
        cands = []
        for i in range(6):
            base = {"so2": rng.uniform(0, 20), "pm": rng.uniform(0, 20)}
            c = _cand(f"e{i}", f"L{i}", rng.choice(["A", "B", "C", None]), base, rng.uniform(0.5, 3),
                      rules.allowed(rng.choice(kinds)))
            if c.options:
                cands.append(c)
        need = {"so2": rng.uniform(5, 30), "pm": rng.uniform(5, 30)}
        expected = _brute_force(cands, need)
        report = optimize(cands, need, mip_rel_gap=0.0)
        if expected is None:
            assert report.status == "infeasible"
        else:
            assert report.reaches_targets and abs(report.capacity_lost - expected) < 1e-6
            assert all(not (p.measure == "stop" and p.line_id in {c.line_id for c in cands if all(o.measure != "stop" for o in c.options)})
                       for p in report.proposals)
