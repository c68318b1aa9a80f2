"""What the engine's code can do, by name: the kinds of rule a pack may ask for (issue 20, docs/packs.md).

A pack is data; some of its values name code — a trigger's predicate and its consequence. The loader
(grading/packs.py) refuses a pack naming anything not listed here, so a pack never asks for a rule the engine does
not have; grading/rules/triggers.py implements exactly these (tests/unit/test_policy_drafts.py holds them equal).
This module imports nothing of the engine, so the loader can read it without an import cycle.
"""
from __future__ import annotations

# grading/rules/triggers.PREDICATES: one function per kind of trigger (F-01…F-16)
TRIGGER_PREDICATES = frozenset({
    "fugitive_controls_not_done", "voc_remediation_not_done", "coal_project_without_replacement",
    "coal_unit_or_boiler_below_required_status", "exceeds_standard", "no_permit", "not_per_permit",
    "scattered_rectify", "unlisted_furnace", "furnace_non_compliant", "elevated_source_without_cems",
    "cems_transmission_below", "key_area_exceeder", "relocation_overdue", "staggering_list_not_filed",
})

# grading/rules/triggers.trigger_proposals: what a fired trigger does to a line; flag_not_implementing belongs to
# staggering_list_not_filed, decided per enterprise (triggers.staggering_list_flags)
TRIGGER_CONSEQUENCES = ("stop", "staggering_plan", "flag_correct_or_stop", "penalty_only",
                        "prosecute_abnormal_monitoring", "flag_no_permit", "flag_not_implementing")
