"""Home, language switch and health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from registry.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        if current_user.is_admin:
            return redirect(url_for("accounts.users"))
        return redirect(url_for("enterprises.index"))
    return render_template("home.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen interface language and go back where the user was."""
    if code in ("zh", "en"):
        session["lang"] = code
    target = request.args.get("next") or url_for("core.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.home")
    return redirect(target)


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
