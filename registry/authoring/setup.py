"""Wiring at app setup (from the blueprint's record_once): activated packs become a pack source of registry/policy,
uploaded documents a citation source of registry/core, and the officials' dashboard gets a panel of packs waiting
for them (issue 20)."""
from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _

from registry.core.citations import register_document_resolver
from registry.core.dashboard import register_dashboard_panel
from registry.policy.packs import register_pack_source


def _panel(user):
    from registry.authoring import auth
    from registry.authoring import operations as ops

    if not getattr(user, "is_official", False):
        return None
    mine = ops.list_visible(user)
    to_review = [p for p in mine if auth.can_review(user, p)]
    to_activate = [p for p in mine if p.status == "approved" and auth.can_author(user, p.region_code)]
    returned = [p for p in mine if p.status == "returned" and auth.can_author(user, p.region_code)]
    items = ([{"label": _("Review %(name)s", name=p.name), "url": url_for("authoring.review_page", authored_id=p.id),
               "tone": "urgent"} for p in to_review]
             + [{"label": _("Put %(name)s in force", name=p.name), "url": url_for("authoring.overview", authored_id=p.id),
                 "tone": "normal"} for p in to_activate]
             + [{"label": _("Returned for changes: %(name)s", name=p.name),
                 "url": url_for("authoring.overview", authored_id=p.id), "tone": "urgent"} for p in returned])
    if not items:
        return None
    return {"key": "packs", "title": _("Policy packs"), "order": 60, "items": items, "count": len(items),
            "empty": _("Nothing to do."), "more_url": url_for("authoring.index")}


def register(app: Flask) -> None:
    from registry.authoring import operations as ops

    register_pack_source(ops.active_records)
    register_document_resolver(ops.document_title)
    register_dashboard_panel(app, "packs", _panel)
