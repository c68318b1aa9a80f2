"""grading/rules/orders.py: an order line is the filed plan entry where it is at least the pack's minimum (R-O-01,
003:50), the minimum where no entry is filed (R-O-02, 003:50 全覆盖), and the minimum where the entry is weaker
(R-O-03, 003:51: a plan may be stricter than the pack, never weaker)."""
from __future__ import annotations

import pytest

from grading.decisions import LineDecision, Reason
from grading.rules.orders import PlanMeasure, at_least, floor_of, order_line
from grading.vocab import Basis, Measure

STOP = LineDecision("l", Measure.STOP, reasons=(Reason("R-LF-02", "000:131"),))
CURTAIL_50 = LineDecision("l", Measure.CURTAIL, 50.0, 50.0, Basis.BLAST_FURNACE_CAPACITY, reasons=(Reason("R-LF-01", "000:129"),))
C_GRADE = LineDecision("l", Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=(Reason("R-G-05", "003:51"),))
NONE = LineDecision("l", Measure.NONE)
MAX_LOAD_60 = LineDecision("l", Measure.MAX_LOAD, 60.0, 60.0, Basis.PRODUCTION_LOAD)


@pytest.mark.parametrize("decision,floor", [(STOP, ("stop", 100.0)), (CURTAIL_50, ("curtail", 50.0)),
                                            (C_GRADE, ("curtail", 0.0)), (NONE, ("none", 0.0)),
                                            (MAX_LOAD_60, ("curtail", 40.0))])
def test_floor_of_reads_the_decision_as_the_plan_check_does(decision, floor):
    assert floor_of(decision) == floor


def test_no_plan_gives_the_pack_minimum_with_its_clauses():
    line = order_line(STOP, None)
    assert (line.measure, line.source) == ("stop", "pack")
    assert [r.rule for r in line.reasons] == ["R-O-02", "R-LF-02"]
    c = order_line(C_GRADE, None)  # a C-grade line without a plan is never 'no measure'
    assert (c.measure, c.basis, c.percent) == ("curtail", "emergency_list", None)


def test_a_plan_at_least_the_minimum_is_the_order():
    line = order_line(CURTAIL_50, PlanMeasure("curtail", 60))
    assert (line.measure, line.percent, line.source, line.reasons[0].rule) == ("curtail", 60.0, "plan", "R-O-01")
    assert order_line(NONE, PlanMeasure("none")).source == "plan"
    assert order_line(C_GRADE, PlanMeasure("curtail", 30)).percent == 30.0


@pytest.mark.parametrize("decision,plan", [(STOP, PlanMeasure("curtail", 90)), (CURTAIL_50, PlanMeasure("curtail", 40)),
                                           (C_GRADE, PlanMeasure("none")), (MAX_LOAD_60, PlanMeasure("curtail", 30))])
def test_a_weaker_plan_entry_gives_way_to_the_minimum(decision, plan):
    assert not at_least(plan, floor_of(decision))
    line = order_line(decision, plan)
    assert line.source == "pack" and line.measure == decision.measure.value and line.reasons[0].rule == "R-O-03"
