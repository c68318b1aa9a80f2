"""Home, language switch and health check (the audit pages: registry/audit/views.py)."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from registry.core.redirects import safe_path
from registry.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        if current_user.is_admin:
            return redirect(url_for("accounts.users"))
        if current_user.role == "security_admin":
            return redirect(url_for("accounts.security"))
        if current_user.role == "audit_admin":
            return redirect(url_for("audit.search"))
        return redirect(url_for("dashboard.index"))  # officials and enterprises: their dashboard (issue 16)
    return render_template("home.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen interface language and go back where the user was."""
    if code in ("zh", "en"):
        session["lang"] = code
    # Only a path on this site, by the same check as the login's next= (issue 13 M6: `/%09/evil.example`
    # became `Location: //evil.example`, and %0D/%0A a 500).
    return redirect(safe_path(request.args.get("next")) or url_for("core.home"))


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


# ---- region picker (issue 16): the public GB/T 2260 table, served a level or a search at a time ----

def _region_args() -> tuple[str, str]:
    """`within` is a code prefix (scope_prefix's form) or a region code; anything else is ignored."""
    from registry.core.regions import region_prefix

    within = (request.args.get("within") or "").strip()[:6]
    if within.isdigit() and len(within) == 6:
        within = region_prefix(within)
    elif not within.isdigit():
        within = ""
    return within, (request.args.get("level") or "").strip()[:12]


@bp.get("/regions/children")
def region_children():
    """The regions directly below ?parent= (none: the provinces), inside ?within= when given.

    The national table is public (GB/T 2260): no login, no database query. A picker narrows itself to the
    user's region with `within`; what a user may act on is still decided by the operation that receives it."""
    from registry.core.regions import children

    within, _level = _region_args()
    parent = (request.args.get("parent") or "").strip()[:6]
    response = jsonify({"items": children(parent, within)})
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/regions/search")
def region_search():
    """Regions whose name, full name or code matches ?q= (at most 20), inside ?within=, of ?level=."""
    from registry.core.regions import search

    within, level = _region_args()
    response = jsonify({"items": search((request.args.get("q") or "")[:40], within, level)})
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
