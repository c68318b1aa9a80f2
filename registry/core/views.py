"""Home, language switch, health check, and the audit log's search, export and verification pages."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from registry.core import audit_search
from registry.core.errors import ValidationFailed
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
            return redirect(url_for("core.audit_log"))
        return redirect(url_for("enterprises.index"))
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


# ---- the audit log (等保 2.0 安全审计): search, CSV export, chain verification ----

def _audit_reader():
    me = current_user._get_current_object()
    if not audit_search.can_search(me):
        abort(403)
    return me


def _audit_filters():
    """The search's filters from the URL, or the search page with the field errors (422) to answer instead."""
    try:
        return audit_search.parse_filters(request.args), None
    except ValidationFailed as err:
        return None, (render_template("audit/search.html", entries=[], page=None, args={}, values=request.args,
                                      message=err.message, errors=err.errors), 422)


@bp.get("/audit/")
@login_required
def audit_log():
    me = _audit_reader()
    filters, refusal = _audit_filters()
    if refusal:
        return refusal
    page = audit_search.search(me, filters)
    return render_template("audit/search.html", entries=audit_search.entry_rows(page.items), page=page,
                           args=filters.query_args(), values=request.args, message=None, errors={},
                           whole_log=me.role == "audit_admin")


@bp.get("/audit/export.csv")
@login_required
def audit_export():
    me = _audit_reader()
    filters, refusal = _audit_filters()
    if refusal:
        return refusal
    body, _n = audit_search.export_csv(me, filters, current_app.config.get("AUDIT_EXPORT_MAX_ROWS", 100_000))
    db.session.commit()  # the export's own audit entry
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=audit-log.csv", "Cache-Control": "no-store"})


@bp.get("/audit/verify")
@login_required
def audit_verify():
    """The audit administrator checks the hash chain from the browser (as `flask audit verify` does)."""
    from registry.accounts.auth import can_read_whole_audit_log
    from registry.core.audit import verify_chain

    if not can_read_whole_audit_log(current_user._get_current_object()):
        abort(403)
    from registry.core import audit_checkpoints

    checked, broken = verify_chain()
    checkpoints = audit_checkpoints.stored()
    problems = audit_checkpoints.problems(checkpoints) if broken is None else []
    return render_template("audit/verify.html", checked=checked, broken=broken, checkpoints=checkpoints,
                           checkpoint_problems=problems)


@bp.get("/audit/checkpoints.jsonl")
@login_required
def audit_checkpoints_export():
    """The audit administrator downloads the signed checkpoints to keep outside the database
    (issue 13, Low 3); `flask audit verify --checkpoints FILE` checks the chain against them."""
    from registry.accounts.auth import can_read_whole_audit_log
    from registry.core import audit_checkpoints

    if not can_read_whole_audit_log(current_user._get_current_object()):
        abort(403)
    return Response(audit_checkpoints.export_lines(), mimetype="application/x-ndjson", headers={
        "Content-Disposition": "attachment; filename=audit-checkpoints.jsonl", "Cache-Control": "no-store"})
