"""The procedure's local settings (not in the sources, DOMAIN.md §4.1 [AMBIGUOUS] #14), overridable in config.

Each default says why; docs/grading.md lists them with the indicators' local settings.
"""
from __future__ import annotations

from flask import current_app

DEFAULTS = {
    # Publicity (公示) before a grade takes effect: 7 calendar days, the common local practice.
    "GRADE_PUBLICITY_DAYS": 7,
    # Grades are re-checked yearly (动态管理, R-G-02, 003:51): valid 365 days from the effective date.
    "GRADE_VALIDITY_DAYS": 365,
    # A violation other than fraud lowers the grade one step (A→B, B→C); "to_c" lowers it to C at once.
    # Fraud in the ultra-low evaluation always lowers to C (R-G-09, 003:17) whatever this says.
    "GRADE_VIOLATION_DOWNGRADE": "one_step",
    # Evidence files up to 5 MiB (requests are capped at 8 MiB by MAX_CONTENT_LENGTH).
    "GRADE_EVIDENCE_MAX_BYTES": 5 * 1024 * 1024,
    # Objections from the public page: at most this many per minute and address.
    "GRADE_OBJECTION_RATE_LIMIT": "5 per minute",
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])
