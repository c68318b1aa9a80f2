"""Other domains' events in an enterprise's history, shown with translated labels instead of raw codes.

The enterprise history (registry/enterprises/views.py) lists every audit entry rooted at the enterprise; its
own actions (enterprise.*, line.*, permit.*) it labels itself. Grade events get their labels from
registry/grades/labels.py; emergency-plan events show a label only (their detail lives on the plan's page).
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

EMERGENCY_ACTIONS = {
    "emergency.plan.save": _l("Emergency plan (one plant, one policy) saved"),
    "emergency.plan.file": _l("Emergency plan (one plant, one policy) filed"),
}


def history_view(entry: dict) -> dict[str, Any] | None:
    """{action_label, diff} for an entry of another domain; None for the enterprise's own actions."""
    action = str(entry.get("action", ""))
    if action.startswith("grade."):
        from registry.grades.labels import history_view as grade_history_view

        return grade_history_view(entry)
    if action in EMERGENCY_ACTIONS:
        return {"action_label": str(EMERGENCY_ACTIONS[action]), "diff": []}
    return None
