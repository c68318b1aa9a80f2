"""The emergency list's own vocabularies in the label registry (registry/core/codes.py, issue 16 item 1).

Levels, pollutants, measures and industries are the engine's vocabularies (grading.vocab) and need no
registering; these are the list's: a line's baseline class (R-A-02 days) and the base a target is a share of.
Imported by the emergency pages and the export, so the labels exist wherever they are shown.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core import codes

BASELINE_CLASS = {
    "industrial": _l("industrial source"),
    "heating_boiler": _l("residential heating boiler"),
    "residential_coal": _l("residential coal burning"),
    "mobile": _l("mobile source"),
    "dust": _l("dust source"),
}
TARGET_BASE = {
    "industrial": _l("industrial base"),
    "society_wide": _l("society-wide base"),
}
LIST_STATUS = {"draft": _l("draft"), "filed": _l("filed")}

codes.register("emergency.baseline_class", BASELINE_CLASS)
codes.register("emergency.target_base", TARGET_BASE)
codes.register("emergency.list_status", LIST_STATUS)
