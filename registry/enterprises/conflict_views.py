"""Pages for conflicts over a USCC (issue 13 M7); the use cases are in conflicts.py. Routes live on the
enterprises blueprint (blueprint.py); views.py imports this module at its end so they are registered."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.accounts.reauth import require_recent_login
from registry.core import unit_of_work
from registry.core.errors import Conflict, ValidationFailed
from registry.core.versions import form_version
from registry.enterprises import auth
from registry.enterprises import conflicts as ops
from registry.enterprises.blueprint import bp
from registry.extensions import db
from registry.grades import evidence


def _me():
    return current_user._get_current_object()


def _conflicts_page(status: int = 200, **context):
    me = _me()
    data = ops.conflicts(me)
    uscc = (request.values.get("uscc") or "").strip().upper()
    lookup, lookup_errors = None, {}
    if uscc:
        try:
            lookup = ops.code_status(me, uscc)
        except ValidationFailed as exc:
            lookup_errors = exc.errors
    return render_template("enterprises/conflicts.html", claims=data["claims"], drafts=data["drafts"], uscc=uscc,
                           lookup=lookup, lookup_errors=lookup_errors, **context), status


@bp.get("/conflicts")
@login_required
def conflicts():
    return _conflicts_page()


@bp.post("/conflicts/release")
@login_required
@require_recent_login
def release():
    data = {"uscc": request.form.get("uscc", ""), "reason": request.form.get("reason", "")}
    try:
        ops.release_draft(_me(), data)
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        return _conflicts_page(exc.status, message=exc.message, errors=exc.errors)
    unit_of_work.flush()
    flash(_("The draft was released: the code is free. Its account sees why."), "success")
    return redirect(url_for("enterprises.conflicts", uscc=data["uscc"].strip().upper()))


@bp.post("/claims/<int:claim_id>/decide")
@login_required
@require_recent_login
def decide_claim(claim_id: int):
    data = {"decision": request.form.get("decision", ""), "reason": request.form.get("reason", ""),
            "version": form_version(request.form.get("version"))}
    try:
        claim = ops.decide_claim(_me(), claim_id, data)
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        return _conflicts_page(exc.status, message=exc.message, errors=exc.errors)
    unit_of_work.flush()
    flash(_("Claim granted: the code is reserved for the company.") if claim.status == "granted"
          else _("Claim rejected."), "success")
    return redirect(url_for("enterprises.conflicts", uscc=claim.uscc))


@bp.route("/claims/new", methods=["GET", "POST"])
@login_required
def new_claim():
    me = _me()
    if not auth.can_claim_code(me):
        abort(403)
    form = {k: request.values.get(k, "") for k in ("uscc", "company_name", "contact")}
    if request.method == "POST":
        f = request.files.get("file")
        filename, content = (f.filename or "", f.read()) if f is not None else ("", b"")
        try:
            ops.file_claim(me, form, filename, content)
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            return render_template("enterprises/claim.html", form=form, errors=exc.errors, message=exc.message), exc.status
        unit_of_work.flush()
        flash(_("Your claim was filed; an official of the code's region reviews it. Its status is shown on this page."),
              "success")
        return redirect(url_for("enterprises.index"))
    return render_template("enterprises/claim.html", form=form, errors={}, message="")


@bp.get("/claims/<int:claim_id>/licence")
@login_required
def claim_licence(claim_id: int):
    claim = ops.get_claim(_me(), claim_id)
    path = evidence.path_for(claim.evidence_sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=claim.evidence_content_type, as_attachment=True, download_name=claim.evidence_filename)
