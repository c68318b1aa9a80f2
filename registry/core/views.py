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
