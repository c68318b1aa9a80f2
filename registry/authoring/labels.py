"""The authoring domain's vocabularies in the label registry (registry/core/codes.py): a pack version's status, the
review decisions and the audit actions (issue 20). Pack field names and loader problems are registry/policy's
(pack_labels.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from registry.core import codes

STATUS = {
    "draft": lazy_pgettext("pack", "Draft"),
    "submitted": lazy_pgettext("pack", "Submitted for review"),
    "returned": lazy_pgettext("pack", "Returned for changes"),
    "approved": lazy_pgettext("pack", "Approved, not yet in force"),
    "active": lazy_pgettext("pack", "In force"),
    "superseded": lazy_pgettext("pack", "Superseded by a newer version"),
    "rejected": lazy_pgettext("pack", "Withdrawn"),
}
DECISION = {"approve": _l("Approved"), "return": _l("Returned for changes")}
CHANGE_KIND = {"changed": _l("Changed"), "added": _l("Added"), "removed": _l("Removed"), "citation": _l("Citation only")}
IMPACT_SKIP = {
    "parent_date_outside": _l("The parent pack has no matching day"),
    "level_not_in_parent": _l("The parent pack has no such alert level"),
    "level_not_in_draft": _l("The draft has no such alert level"),
    "date_outside_draft": _l("Outside the draft's period"),
}
AUDIT = {
    "pack.copy": _l("Policy pack draft copied"),
    "pack.new_version": _l("New version of a policy pack started"),
    "pack.document": _l("Policy document uploaded"),
    "pack.edit": _l("Policy pack value changed"),
    "pack.submit": _l("Policy pack submitted for review"),
    "pack.approve": _l("Policy pack approved"),
    "pack.return": _l("Policy pack returned for changes"),
    "pack.activate": _l("Policy pack put in force"),
    "pack.supersede": _l("Policy pack superseded"),
    "pack.withdraw": _l("Policy pack draft withdrawn"),
    "pack.import": _l("Policy pack imported from a file"),
}

OBJECTS = {"authored_pack": _l("Authored policy pack"), "policy_document": _l("Policy document"),
           "pack_edit": _l("Pack value change"), "pack_review": _l("Policy pack review")}


def register() -> None:
    codes.register("authoring.status", STATUS)
    codes.register("authoring.decision", DECISION)
    codes.register("authoring.change", CHANGE_KIND)
    codes.register("authoring.impact_skip", IMPACT_SKIP)
    codes.register("audit.action", AUDIT)
    codes.register("audit.object", OBJECTS)


register()
