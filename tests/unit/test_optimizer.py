"""The emergency-list MIP on small cases whose optimum is known by hand (003:51 grade order)."""
from registry.emergency.optimizer import Candidate, Option, optimize, options_for


def _stop(cost, **red):
    return Option("stop", 100.0, red, cost)


def test_cheapest_combination_covering_both_pollutants_is_chosen():
    """Lines: L1 cuts so2 10 at cost 5; L2 nox 10 at cost 5; L3 both 10 at cost 8 → L3 alone (8 < 10)."""
    cands = [Candidate("e1", "L1", "C", (_stop(5, so2=10),)), Candidate("e2", "L2", "C", (_stop(5, nox=10),)),
             Candidate("e3", "L3", "C", (_stop(8, so2=10, nox=10),))]
    report = optimize(cands, {"so2": 10, "nox": 10})
    assert report.status == "optimal" and report.reaches_targets
    assert [p.line_id for p in report.proposals] == ["L3"]
    assert report.capacity_lost == 8
    params = report.proposals[0].explanation["params"]
    assert [c["pollutant"] for c in params["cuts"]] == ["so2", "nox"] and params["cuts"][0]["share"] == 100.0
    assert report.gap is not None and report.gap <= 1e-4


def test_a_line_takes_one_option_the_cheapest_that_suffices():
    base = {"so2": 100.0}
    cands = [Candidate("e1", "L1", "C", options_for(base, 0.0, 10.0, [("curtail", 30), ("curtail", 50), ("stop", 100)]))]
    report = optimize(cands, {"so2": 40})
    assert [(p.measure, p.percent) for p in report.proposals] == [("curtail", 50.0)]
    assert report.capacity_lost == 5.0


def test_b_lines_wait_until_every_c_line_is_at_its_strongest():
    """Without the order, B (cost 1) would be picked; with it, C must be stopped first (003:51)."""
    cands = [Candidate("b", "LB", "B", (_stop(1, so2=10),)), Candidate("c", "LC", "C", (_stop(6, so2=5),))]
    assert [p.line_id for p in optimize(cands, {"so2": 10}, c_before_b=False).proposals] == ["LB"]
    report = optimize(cands, {"so2": 10})
    assert sorted(p.line_id for p in report.proposals) == ["LB", "LC"]
    assert report.capacity_lost == 7
    assert next(p for p in report.proposals if p.line_id == "LB").explanation["params"]["order"] == "b_opened"


def test_a_grade_untouched_and_infeasibility_reported():
    cands = [Candidate("a", "LA", "A", (_stop(1, pm=100),)), Candidate("c", "LC", "C", (_stop(1, pm=5),))]
    report = optimize(cands, {"pm": 50})
    assert report.status == "infeasible" and not report.reaches_targets
    assert optimize(cands, {"pm": 50}, protect_a=False).proposals[0].line_id == "LA"


def test_nothing_to_do_when_targets_are_met():
    report = optimize([], {"so2": 0.0})
    assert report.status == "nothing_to_do" and report.reaches_targets and report.proposals == []


def test_options_only_stronger_than_the_current_measure():
    opts = options_for({"nox": 10.0}, 0.5, 2.0, [("curtail", 30), ("curtail", 50), ("stop", 100)])
    assert [(o.measure, round(o.reduction["nox"], 6), o.capacity_lost) for o in opts] == [("stop", 5.0, 1.0)]


def _brute_force(cands, need, protect_a=True):
    """Enumerate every choice (none or one option per line) obeying the grade order; the cheapest covering one."""
    import itertools

    usable = [c for c in cands if not (protect_a and c.grade == "A")]
    best = None
    for pick in itertools.product(*[[None, *c.options] for c in usable]):
        chosen = [(c, o) for c, o in zip(usable, pick) if o is not None]
        if any(c.grade == "B" for c, _ in chosen):
            strongest = {id(c): max(c.options, key=lambda o: o.capacity_lost) for c in usable}
            if not all(o is strongest[id(c)] for c, o in zip(usable, pick) if c.grade == "C"):
                continue
        if all(sum(o.reduction.get(p, 0) for _, o in chosen) >= v - 1e-9 for p, v in need.items()):
            cost = sum(o.capacity_lost for _, o in chosen)
            best = cost if best is None or cost < best else best
    return best


def test_matches_brute_force_on_random_small_cities():
    """The two-phase C-before-B MIP equals exhaustive enumeration on 40 random 6-line cities."""
    import random

    rng = random.Random(7)
    for _ in range(40):
        cands = []
        for i in range(6):
            base = {"so2": rng.uniform(0, 20), "nox": rng.uniform(0, 20)}
            cands.append(Candidate(f"e{i}", f"L{i}", rng.choice(["A", "B", "C", None]),
                                   options_for(base, 0.0, rng.uniform(0.5, 3), [("curtail", 30), ("curtail", 50), ("stop", 100)])))
        need = {"so2": rng.uniform(5, 40), "nox": rng.uniform(5, 40)}
        expected = _brute_force(cands, need)
        report = optimize(cands, need, mip_rel_gap=0.0)
        if expected is None:
            assert report.status == "infeasible"
        else:
            assert report.reaches_targets and abs(report.capacity_lost - expected) < 1e-6, (expected, report)


def test_lp_rounding_path_within_the_requested_gap_of_the_exact_optimum():
    """Issue 18 item 3: the LP relaxation (one column per line) + rounding answers within mip_rel_gap of the
    exact MIP optimum (mip_rel_gap=0 goes through HiGHS's MIP), on 120-line cities with 1-3 options per line
    and with lines whose options are not proportional (priced option by option, with their at-most-one row)."""
    import random

    rng = random.Random(18)
    for trial in range(4):
        cands = []
        for i in range(120):
            base = {"so2": rng.lognormvariate(0, 1), "nox": rng.lognormvariate(0, 1), "pm": rng.lognormvariate(0, 1)}
            if trial % 2 and i % 10 == 0:  # two unrelated options: not fractions of one another
                opts = (_stop(rng.uniform(0.5, 2), so2=base["so2"]), _stop(rng.uniform(2, 4), nox=base["nox"], pm=base["pm"]))
            else:
                opts = options_for(base, rng.choice([0.0, 0.3]), rng.lognormvariate(0, 0.5),
                                   [("curtail", 30), ("curtail", 50), ("stop", 100)][: rng.choice([1, 2, 3])])
            cands.append(Candidate(f"e{i}", f"L{i}", rng.choice(["B", "C", None]), opts))
        need = {"so2": 30.0, "nox": 25.0, "pm": 20.0}
        exact = optimize(cands, need, mip_rel_gap=0.0)
        fast = optimize(cands, need, mip_rel_gap=1e-3)
        assert exact.reaches_targets and fast.reaches_targets
        assert fast.gap is not None and fast.gap <= 1e-3
        assert exact.capacity_lost <= fast.capacity_lost <= exact.capacity_lost * (1 + 1e-3) + 1e-9
        assert len({p.line_id for p in fast.proposals}) == len(fast.proposals)  # one option per line
