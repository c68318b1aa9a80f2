"""The compliance dashboard panels (registry/core/dashboard.py): an official sees the open anomalies in scope by
check and the county's inspection tasks due; an enterprise sees the anomalies it is asked to explain."""
from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.compliance.models import OPEN_STATUSES, Anomaly, Explanation, InspectionTask
from registry.core import codes
from registry.core.dashboard import register_dashboard_panel, within
from registry.extensions import db


def official_panel(user) -> dict[str, Any] | None:
    if getattr(user, "is_system", False) or not getattr(user, "is_authenticated", False) or not user.is_official:
        return None
    prefix = scope_prefix(user) or ""
    where = [Anomaly.status.in_(OPEN_STATUSES), Anomaly.region_code.startswith(prefix), *within(Anomaly.region_code, prefix)]
    items = []
    for check, n in db.session.execute(select(Anomaly.check_code, func.count()).where(*where)
                                       .group_by(Anomaly.check_code).order_by(Anomaly.check_code)):
        items.append({"label": codes.label("compliance.check", check), "url": url_for("compliance.index", check=check),
                      "detail": None, "due": None, "count": int(n), "tone": "urgent"})
    tasks = db.session.scalar(select(func.count()).select_from(InspectionTask).where(
        InspectionTask.status == "open", InspectionTask.region_code.startswith(prefix)))
    if tasks:
        items.append({"label": _("Inspection tasks to do"), "url": url_for("compliance.inspections"), "detail": None,
                      "due": None, "count": int(tasks), "tone": "urgent"})
    return {"key": "compliance", "title": _("Verification of orders"), "order": 6, "items": items,
            "empty": _("No open anomaly."), "more_url": url_for("compliance.index")}


def enterprise_panel(user) -> dict[str, Any] | None:
    if getattr(user, "role", None) != Role.ENTERPRISE.value or not getattr(user, "enterprise_id", None):
        return None
    items = []
    for ex in db.session.scalars(select(Explanation).where(Explanation.enterprise_id == user.enterprise_id,
                                                           Explanation.answered_at.is_(None))):
        items.append({"label": codes.label("compliance.check", ex.anomaly.check_code),
                      "url": url_for("compliance.anomaly", anomaly_id=ex.anomaly_id),
                      "detail": _("Please explain"), "due": ex.due_at.date(), "count": None, "tone": "urgent"})
    return {"key": "compliance", "title": _("Anomalies to explain"), "order": 6, "items": items,
            "empty": _("Nothing to explain."), "more_url": url_for("compliance.index")}


def register_panels(app: Flask) -> None:
    register_dashboard_panel(app, "compliance.official", official_panel)
    register_dashboard_panel(app, "compliance.enterprise", enterprise_panel)
