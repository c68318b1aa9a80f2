"""The procedure's local settings (not in the sources, DOMAIN.md §4.1 [AMBIGUOUS] #14), overridable in config.

Each default says why; docs/grading.md lists them with the indicators' local settings.
"""
from __future__ import annotations

from flask import current_app

from registry.policy.packs import REGION_PACK_DEFAULTS, GradeWorkflow, check_region_packs, get_pack, pack_for_region

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
    # Objections may not hold a grade hostage (issue 13 M10). The sources name no publicity period, objection
    # or appeal (DOMAIN.md §4.1, §5 item 14: [AMBIGUOUS]), so this is a LOCAL SETTING: officials answer the
    # objections within this many working days (Monday–Friday; public holidays are not in the calendar) after
    # the publicity period ends. Until then an open objection blocks the grade; after it, the publishing
    # official may make the grade effective, giving a reason that is recorded on every objection still open
    # (status answered, `lapsed`), in the audit log and on the application page.
    "GRADE_OBJECTION_ANSWER_WORKING_DAYS": 5,
    # Which policy pack governs a region (its `grade_workflow`: who reviews, approves per grade, publishes,
    # answers objections, re-grades): GRADE_WORKFLOW_PACKS / GRADE_WORKFLOW_DEFAULT_PACK, owned by
    # registry/policy/packs.py (schedules and emergency read the same table there).
    **REGION_PACK_DEFAULTS,
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def workflow_pack_id(region_code: str) -> str:
    """The pack whose grade_workflow governs an application in `region_code` (registry/policy/packs.py)."""
    return pack_for_region(region_code)


def grade_workflow(region_code: str) -> GradeWorkflow:
    """Who acts at each step for an application in `region_code`; a misconfiguration fails loudly."""
    pack_id = workflow_pack_id(region_code)
    pack = get_pack(pack_id)
    if pack is None:
        raise RuntimeError(f"GRADE_WORKFLOW_PACKS names an unknown pack {pack_id!r}")
    if pack.grade_workflow is None:
        raise RuntimeError(f"pack {pack_id!r} has no grade_workflow section")
    return pack.grade_workflow


def check_workflow_settings(config) -> None:
    """Every configured pack exists and sets grade_workflow (called at start, so a typo never reaches a user)."""
    check_region_packs(config)
