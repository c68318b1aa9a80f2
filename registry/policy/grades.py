"""The engine's side of A/B/C grading, for registry/grades (issue 15 item 1: registry/policy is the only door
between the registry and `grading/`): the industries' criteria files (grading/criteria/*.yaml) and the grade
proposal an application's facts earn (grading/rules/grade.py, R-E-01 exclusions)."""
from __future__ import annotations

from grading.criteria import DIMENSIONS, GRADED_INDUSTRIES, Criteria, get_criteria, load_all_criteria
from grading.rules.grade import EXCLUSION_CONDITIONS, GradeProposal, propose_grade

__all__ = [
    "DIMENSIONS", "EXCLUSION_CONDITIONS", "GRADED_INDUSTRIES", "Criteria", "GradeProposal", "get_criteria",
    "load_all_criteria", "propose_grade",
]
