"""The alerts' dashboard panels (registry/core/dashboard.py): an enterprise sees its orders in force and those not
yet acknowledged; an official sees the active episodes in scope with their acknowledgement counts."""
from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _

from registry.accounts.models import Role
from registry.alerts import auth, queries
from registry.core import codes
from registry.core.dashboard import register_dashboard_panel


def enterprise_panel(user) -> dict[str, Any] | None:
    if getattr(user, "role", None) != Role.ENTERPRISE.value or not getattr(user, "enterprise_id", None):
        return None
    items = []
    for o in queries.orders_in_force(user.enterprise_id):
        acked = o.receipt is not None
        items.append({"label": _("%(level)s alert order in force", level=codes.label("AlertLevel", o.level)),
                      "url": url_for("alerts.order", order_id=o.id),
                      "detail": _("Acknowledged") if acked else _("Not acknowledged yet"),
                      "due": None, "count": len(o.content.get("lines") or []),
                      "tone": "done" if acked else "urgent"})
    return {"title": _("Heavy-pollution alerts"), "order": 5, "items": items,
            "empty": _("No alert order in force."), "more_url": url_for("alerts.today")}


def official_panel(user) -> dict[str, Any] | None:
    if not auth.can_list_episodes(user) or getattr(user, "is_system", False):
        return None
    items = []
    for ep in queries.episodes(user, status="active"):
        c = queries.counts(ep)
        items.append({"label": _("%(level)s alert, %(area)s", level=codes.label("AlertLevel", ep.level),
                                 area=", ".join(ep.area_codes)),
                      "url": url_for("alerts.episode", episode_id=ep.id),
                      "detail": _("%(ack)s of %(n)s enterprises acknowledged", ack=c["acknowledged"], n=c["enterprises"]),
                      "due": None, "count": c["enterprises"] - c["acknowledged"],
                      "tone": "urgent" if c["acknowledged"] < c["enterprises"] else "done"})
    return {"title": _("Heavy-pollution alerts"), "order": 5, "items": items,
            "empty": _("No alert in force."), "more_url": url_for("alerts.index")}


def history_view(entry: dict) -> dict[str, Any] | None:
    """The alert steps in an enterprise's history (its receipts and readings are rooted at it), labelled."""
    action = str(entry.get("action", ""))
    if action.startswith("alert."):
        from registry.alerts.labels import summary_text

        return {"action_label": codes.label("audit.action", action), "diff": [], "summary": summary_text(entry) or ""}
    return None


def register_panels(app: Flask) -> None:
    from registry.core.labels import register_history_labels

    register_dashboard_panel(app, "alerts.enterprise", enterprise_panel)
    register_dashboard_panel(app, "alerts.official", official_panel)
    register_history_labels(app, "alerts", history_view)
