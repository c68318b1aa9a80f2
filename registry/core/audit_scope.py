"""Which audit entries an official may read: only those whose object and root they may see by the objects' own
rules (issue 13, Medium 8). The rules belong to the domains: each registers, for its object type, the query of
the ids the actor may see (`register_visible_objects`: enterprises → `visible_enterprises`, grades →
`visible_applications`); the audit search (registry/audit/search.py) and the enterprise's history
(`enterprises.queries.enterprise_history`) apply them here, without `core` importing a domain.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import Select, or_

from registry.core.hooks import registered
from registry.core.models import AuditEntry

KIND = "audit.visible_objects"
# The object types whose drafts officials must not read, registered by their domains (enterprises/views.py,
# grades/views.py). Missing one is a wiring error: refuse, never show more.
SCOPED_OBJECT_TYPES = ("enterprise", "grade_application")


def register_visible_objects(app: Flask, object_type: str, ids: Callable[[object], Select]) -> None:
    """`ids(actor)`: a SELECT of the ids of `object_type` objects the actor may see."""
    registered(KIND, app)[object_type] = ids


def visible_object_conditions(actor) -> list:
    """Issue 13, Medium 8: an official sees an entry only if they may see both its object and its root: a draft
    never submitted — an enterprise or a grade application, with everything rooted in it (lines, permits, plans,
    evidence) — is invisible to officials, in the audit log as on its pages (404)."""
    rules = registered(KIND)
    missing = [kind for kind in SCOPED_OBJECT_TYPES if kind not in rules]
    if missing:
        raise RuntimeError(f"audit visibility rules not registered for {missing}")
    conditions = []
    for kind, ids_of in rules.items():
        ids = ids_of(actor)
        for type_col, id_col in ((AuditEntry.object_type, AuditEntry.object_id), (AuditEntry.root_type, AuditEntry.root_id)):
            conditions.append(or_(type_col != kind, id_col.in_(ids)))
    return conditions
