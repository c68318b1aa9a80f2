"""The engine's target and measure rules as the emergency package uses them (issue 15 item 1).

The pure code lives in grading/rules/reductions.py (city totals against the pack's targets, R-A-01/02/03) and
grading/rules/measures.py (each line's allowed measures from the pack's `emergency_measures`); registry/emergency
imports it from here, so registry/policy stays the one door to the engine.
"""
from __future__ import annotations

from grading.rules.measures import Allowed, Ground, MeasureFacts, MeasureRules, coking_curtail_percent
from grading.rules.orders import OrderLine, PlanMeasure, floor_of, order_line
from grading.rules.reductions import (
    AREA_BASELINE_CLASS,
    BASES,
    MEASURE_FRACTION_FULL,
    POLLUTANTS,
    Action,
    AreaSource,
    BaselineDays,
    LevelTotals,
    LineBaseline,
    PollutantTotal,
    Targets,
    annual_baseline,
    area_days,
    baseline_days,
    city_totals,
    emergency_levels,
    level_targets,
    line_reduction,
    target_base,
)

LineFacts = MeasureFacts  # the name registry/emergency/measures.py gave it before the move (what the pack's measure rules match on)

__all__ = [
    "AREA_BASELINE_CLASS", "BASES", "MEASURE_FRACTION_FULL", "POLLUTANTS", "Action", "Allowed", "AreaSource",
    "BaselineDays", "Ground", "OrderLine", "PlanMeasure", "floor_of", "order_line", "LevelTotals", "LineBaseline", "LineFacts", "MeasureFacts", "MeasureRules",
    "PollutantTotal", "Targets", "annual_baseline", "area_days", "baseline_days", "city_totals",
    "coking_curtail_percent", "emergency_levels", "level_targets", "line_reduction", "target_base",
]
