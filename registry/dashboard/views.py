"""The dashboard page: what the signed-in official or enterprise must do or know today (issue 16).

Thin: it asks registry/core/dashboard for the panels registered by the domains (and the province overview,
registered here) and renders them; administrators (三员分立) have no business dashboard and go to their page.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from registry.core import timeutil
from registry.core.dashboard import dashboard_panels, register_dashboard_panel
from registry.dashboard import overview

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.record_once(lambda state: register_dashboard_panel(state.app, "province_overview", overview.panel))


def landing_endpoint(user) -> str:
    """Where a signed-in user lands: the administrators on their own page, everyone else on the dashboard."""
    if user.is_admin:
        return "accounts.users"
    if user.role == "security_admin":
        return "accounts.security"
    if user.role == "audit_admin":
        return "audit.search"
    return "dashboard.index"


@bp.get("/")
@login_required
def index():
    me = current_user._get_current_object()
    endpoint = landing_endpoint(me)
    if endpoint != "dashboard.index":
        return redirect(url_for(endpoint))
    panels = dashboard_panels(me)
    return render_template("dashboard/index.html", panels=panels, today=timeutil.beijing_today(),
                           cleared=request.args.get("cleared") == "1")
