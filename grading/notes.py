"""The engine's notes as codes with parameters (issue 15 item 1): the vocabulary of what a Reason says.

A Reason (grading/decisions.py) and an indicator result (grading/rules/grade.py) carry `code` + `params`; `note`
stays the English rendering for the JSON contract and the logs. The registry's pages render code + params in the
reader's language (registry/grades/labels.py: NOTE_LABELS, one label per code here; a unit test keeps them in step).
Only the notes listed here carry a code; the others are English sentences as before.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from grading.decisions import Reason

# code → the English rendering of its params (exactly the sentences the engine wrote before the codes).
NOTES: dict[str, Callable[..., str]] = {
    # grading.rules.grade: indicator results (003:51)
    "grade.no_answer": lambda: "no answer",
    "grade.below_b": lambda value: f"does not meet B ({value!r})",
    "grade.meets": lambda grade, value: f"meets {grade} ({value!r})",
    # R-G-09 / R-G-10 (003:17), fraud in the ultra-low evaluation
    "grade.fraud_to_c": lambda: "fraud in the ultra-low evaluation: emergency grade lowered to C",
    "grade.preferences_cancelled":
        lambda: "preferential policies cancelled: no differentiated emergency measures for ultra-low emission",
    # R-G-02 with the local setting GRADE_VIOLATION_DOWNGRADE (registry/grades/settings.py)
    "grade.violation_downgrade": lambda rule: f"violation: downgrade rule {rule}",
    # R-G-02 (003:51)
    "grade.short_board": lambda: ("short-board principle: each industry takes its worst indicator; "
                                  "a multi-industry enterprise takes its worst industry"),
    # R-E-01 (003:52): the conditions an enterprise fails (grading.rules.grade.EXCLUSION_CONDITIONS keys)
    "grade.excluded": lambda conditions: ("not within grading: fails " + ", ".join(conditions)
                                          + "; shutdown or the strictest curtailment per production line"),
    # R-V-05 (000:71): why a county is listed for supervision (grading.rules.supervision)
    "supervision.low_transmission":
        lambda min_rate, reading, mean: f"effective transmission below {min_rate} % ({reading}: mean {mean})",
    "supervision.exceeding": lambda count, several: f"{count} enterprises exceeding (≥{several})",
    # the listing's two declared readings (pack settings), cited on every row
    "supervision.reading": lambda setting, value: f"local reading (pack setting {setting}={value!r})",
}


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def render(code: str, params: Mapping[str, Any]) -> str:
    """The English sentence of a note code (KeyError for a code not listed: the engine emits listed codes only)."""
    return NOTES[code](**dict(params))


def freeze(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Params as sorted (name, value) pairs, lists as tuples: a Reason stays hashable."""
    return tuple(sorted((k, _frozen(v)) for k, v in params.items()))


def note_parts(code: str, /, **params: Any) -> tuple[str, str, tuple[tuple[str, Any], ...]]:
    """(note, code, params) of a code: the last three fields of an indicator result."""
    return render(code, params), code, freeze(params)


def note_reason(rule: str, source: str, code: str, /, **params: Any) -> Reason:
    """A Reason whose note is a code with params (its English rendering kept as `note`)."""
    return Reason(rule, source, *note_parts(code, **params))
