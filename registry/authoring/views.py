"""Officials' packs pages (issue 20): the pack list (shipped and authored, with status), copy and import, a draft's
overview, the section editor (forms generated from the pack's schema: registry/authoring/schema_form.py), the
policy documents with their numbered lines, the loader's problems by field, the diff against the parent, the impact
preview, review, activation (with confirmation) and new versions. A public page lists the packs in force.

Handlers are thin: form → one operation → flash + redirect; the request's unit of work commits.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from registry.authoring import auth, confirmations, editor, labels  # noqa: F401  (labels registers the vocabularies)
from registry.authoring import operations as ops
from registry.authoring.models import PolicyDocument
from registry.core import codes, confirm, timeutil, unit_of_work
from registry.core.errors import Forbidden, ValidationFailed
from registry.core.regions import get_region
from registry.core.validation import stored_id
from registry.extensions import db
from registry.policy import packs as policy_packs

bp = Blueprint("authoring", __name__, url_prefix="/packs")
public_bp = Blueprint("authoring_public", __name__, url_prefix="/public/packs")
IMPACT_PAGE = 50


def _me():
    return current_user._get_current_object()


@bp.app_template_filter("pack_field")
def _pack_field(path: str) -> str:
    from registry.policy.drafts import field_label

    return field_label(path)


@bp.app_template_filter("pack_value")
def _pack_value(value, choices=()) -> Markup:
    """A pack value for reading: a choice by its label, a list joined, other text verbatim (as data, in <code>)."""
    names = dict(choices or ())
    if value is None or value == "":
        return Markup("—")
    if isinstance(value, list):
        return Markup("、").join(_pack_value(v, choices) for v in value)
    if isinstance(value, dict):
        return Markup("；").join(Markup("{}：{}").format(k, _pack_value(v, choices)) for k, v in value.items())
    if isinstance(value, bool):
        return escape(_("Yes") if value else _("No"))
    if str(value) in names:
        return escape(names[str(value)])
    text = str(value)
    if any("a" <= c.lower() <= "z" for c in text):
        return Markup("<code>{}</code>").format(text)
    return escape(text)


def _sources(me, changes) -> dict:
    out = {}
    for c in changes:
        for cite in (c.old_citation, c.new_citation):
            if cite and cite.get("source"):
                out[cite["source"]] = ops.source_text(me, cite["source"])
    return out


def _official():
    me = _me()
    if not me.is_official:
        abort(403)
    return me


@bp.record_once
def _setup(state) -> None:
    from registry.authoring.setup import register

    register(state.app)


# ---- list, copy, import ---------------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    me = _me()
    if not me.is_official:
        return redirect(url_for("authoring_public.index"))
    authored = ops.list_visible(me)
    can_author = bool(me.region_code) and auth.can_author(me, me.region_code)
    region = get_region(me.region_code) if me.region_code else None
    today = timeutil.beijing_today()
    return render_template("authoring/index.html", shipped=ops.shipped_packs(), authored=authored,
                           can_author=can_author, region=region,
                           default_year=today.year if today.month >= 7 else today.year - 1,
                           default_parent=policy_packs.pack_for_region(me.region_code) if me.region_code else "")


@bp.post("/copy")
@login_required
@confirm.keeps_input(lambda: index())
def copy():
    me = _official()
    try:
        year = int(request.form.get("season_year") or 0)
    except ValueError:
        raise ValidationFailed(_("Some fields are invalid."), {"season_year": [_("Give the year the heating season starts in.")]}) from None
    pack = unit_of_work.run(ops.copy_pack, me, parent=request.form.get("parent", ""), region_code=me.region_code or "",
                            season_year=year, pack_id=(request.form.get("pack_id") or "").strip() or None,
                            title=(request.form.get("title") or "").strip() or None)
    flash(_("Draft %(name)s created. Upload the new policy document, then change its values citing it.", name=pack.name), "success")
    return redirect(url_for("authoring.overview", authored_id=pack.id))


@bp.post("/import")
@login_required
@confirm.keeps_input(lambda: index())
def import_file():
    me = _official()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("Some fields are invalid."), {"file": [_("Choose a YAML file.")]})
    data = upload.read(ops.MAX_DOCUMENT_BYTES + 1)
    try:
        text = data.decode("utf-8")
        year = int(request.form.get("season_year") or 0)
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed(_("Some fields are invalid."), {"file": [_("The file is not UTF-8 YAML text.")]}) from None
    pack = unit_of_work.run(ops.import_text, me, region_code=me.region_code or "", season_year=year, text=text,
                            filename=upload.filename)
    flash(_("Draft %(name)s imported.", name=pack.name), "success")
    return redirect(url_for("authoring.overview", authored_id=pack.id))


# ---- one version ----------------------------------------------------------------------------------------------

def _context(pack) -> dict:
    me = _me()
    return {"pack": pack, "me": me, "can_edit": auth.can_edit(me, pack), "can_review": auth.can_review(me, pack),
            "can_activate": pack.status == "approved" and auth.may_activate(me, pack),
            "can_new_version": not pack.editable and pack.status != "rejected" and auth.can_author(me, pack.region_code),
            "four_eyes": auth.four_eyes(me, pack), "used": ops.used_by(pack)}


@bp.get("/<int:authored_id>")
@login_required
def overview(authored_id: int):
    pack = ops.get_pack(_me(), authored_id)
    found = ops.problems(pack)
    return render_template("authoring/overview.html", problems=found, sections=editor.sections(pack.yaml_text),
                           edits=[(e, ops.source_text(_me(), e.citation)) for e in pack.edits], **_context(pack))


@bp.get("/<int:authored_id>/edit/<section>")
@login_required
def edit(authored_id: int, section: str):
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.can_view(me, pack):
        abort(404)
    fields = editor.fields(pack.yaml_text, section)
    if fields is None:
        abort(404)
    doc_id = request.args.get("document", type=int)
    line = request.args.get("line", type=int)
    chosen = db.session.get(PolicyDocument, doc_id) if doc_id else None
    if chosen is not None and chosen.authored_pack_id != pack.id:
        chosen = None
    cited = {f.path: ops.source_text(me, (f.citation or {}).get("source", "")) for f in fields}
    return render_template("authoring/edit.html", section=section, section_label=editor.section_label(section),
                           fields=fields, cited=cited, chosen=chosen, chosen_line=line,
                           problems=[p for p in ops.problems(pack) if p.path.split(".")[0].split("[")[0] == section],
                           **_context(pack))


@bp.post("/<int:authored_id>/edit/<section>")
@login_required
@confirm.keeps_input(lambda authored_id, section: edit(authored_id, section))
def save(authored_id: int, section: str):
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.can_edit(me, pack):
        raise Forbidden(_("You do not have permission to do this.") if pack.editable else
                        _("This version can no longer be changed: start a new version."))
    changes = editor.parse(pack.yaml_text, section, request.form)
    made = unit_of_work.run(ops.edit_values, me, authored_id, changes,
                            document_id=stored_id(request.form.get("document_id")),
                            line=stored_id(request.form.get("line")),
                            reason=request.form.get("reason", ""))
    if made:
        flash(_("%(n)s values changed.", n=len(made)), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("authoring.edit", authored_id=authored_id, section=section))


@bp.post("/<int:authored_id>/documents")
@login_required
@confirm.keeps_input(lambda authored_id: overview(authored_id))
def upload(authored_id: int):
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.can_edit(me, pack):
        raise Forbidden(_("You do not have permission to do this."))
    f = request.files.get("file")
    if f is None or not f.filename:
        raise ValidationFailed(_("Some fields are invalid."), {"file": [_("Choose a PDF, .docx or .txt file.")]})
    doc = unit_of_work.run(ops.upload_document, me, authored_id, f.filename, f.read(ops.MAX_DOCUMENT_BYTES + 1))
    flash(_("%(name)s uploaded: %(n)s lines of text.", name=doc.filename, n=len(doc.lines)), "success")
    return redirect(url_for("authoring.document", authored_id=authored_id, document_id=doc.id))


@bp.get("/<int:authored_id>/documents/<int:document_id>")
@login_required
def document(authored_id: int, document_id: int):
    me = _me()
    doc = ops.document(me, document_id)
    if doc.authored_pack_id != authored_id:
        abort(404)
    pack = ops.get_pack(me, authored_id)
    return render_template("authoring/document.html", doc=doc, sections=editor.sections(pack.yaml_text),
                           section=request.args.get("section", ""), **_context(pack))


@bp.get("/<int:authored_id>/problems")
@login_required
def problems(authored_id: int):
    pack = ops.get_pack(_me(), authored_id)
    return render_template("authoring/problems.html", problems=ops.problems(pack), **_context(pack))


@bp.get("/<int:authored_id>/diff")
@login_required
def diff(authored_id: int):
    me = _me()
    pack = ops.get_pack(me, authored_id)
    from registry.policy.drafts import diff as compare

    changes = compare(ops.parent_text(pack), pack.yaml_text)
    return render_template("authoring/diff.html", changes=changes, sources=_sources(me, changes), **_context(pack))


@bp.get("/<int:authored_id>/impact")
@login_required
def impact(authored_id: int):
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not me.is_official:
        abort(403)
    result, error, dates, levels = None, None, [], []
    from registry.policy.drafts import load_draft

    try:
        draft = load_draft(pack.yaml_text, f"{pack.pack_id}.yaml")
    except ValueError:
        draft = None
    level_choices = [(lv.value, codes.label("AlertLevel", lv.value)) for lv in (draft.alert_levels if draft else ())]
    if draft is not None and request.args.get("dates"):
        try:
            dates = [date.fromisoformat(d.strip()) for d in request.args.get("dates", "").replace("，", ",").split(",") if d.strip()][:5]
        except ValueError:
            error = _("Give the dates as YYYY-MM-DD, separated by commas.")
        levels = [lv for lv in request.args.getlist("levels") if lv in dict(level_choices)] or ["none"]
        if dates and error is None:
            result, error = ops.impact_preview(me, pack, draft, dates, levels,
                                               offset=max(0, request.args.get("offset", 0, type=int)), limit=IMPACT_PAGE)
    default_dates = ""
    if draft is not None:
        default_dates = policy_packs.first_season_day(draft).isoformat()
    return render_template("authoring/impact.html", result=result, error=error, draft=draft, level_choices=level_choices,
                           dates_text=request.args.get("dates", default_dates), levels=levels or ["none"],
                           page=IMPACT_PAGE, **_context(pack))


# ---- submit, review, activate, versions ------------------------------------------------------------------------

@bp.post("/<int:authored_id>/submit")
@login_required
@confirm.required(confirmations.submit)
def submit(authored_id: int):
    pack = unit_of_work.run(ops.submit, _me(), authored_id)
    flash(_("%(name)s submitted for review.", name=pack.name), "success")
    return redirect(url_for("authoring.overview", authored_id=authored_id))


@bp.get("/<int:authored_id>/review")
@login_required
def review_page(authored_id: int):
    me = _me()
    pack = ops.get_pack(me, authored_id)
    from registry.policy.drafts import diff as compare

    changes = compare(ops.parent_text(pack), pack.yaml_text)
    return render_template("authoring/review.html", changes=changes, sources=_sources(me, changes),
                           edits=[(e, ops.source_text(me, e.citation)) for e in pack.edits], **_context(pack))


@bp.post("/<int:authored_id>/review")
@login_required
@confirm.keeps_input(lambda authored_id: review_page(authored_id))
@confirm.required(confirmations.review)
def review(authored_id: int):
    decision = request.form.get("decision", "")
    pack = unit_of_work.run(ops.review, _me(), authored_id, decision, request.form.get("note", ""))
    flash(_("%(name)s: %(decision)s.", name=pack.name, decision=codes.label("authoring.decision", decision)), "success")
    return redirect(url_for("authoring.overview", authored_id=authored_id))


@bp.post("/<int:authored_id>/activate")
@login_required
@confirm.required(confirmations.activate)
def activate(authored_id: int):
    pack = unit_of_work.run(ops.activate, _me(), authored_id)
    flash(_("%(name)s is in force: schedules and emergency lists can now use it.", name=pack.name), "success")
    return redirect(url_for("authoring.overview", authored_id=authored_id))


@bp.post("/<int:authored_id>/new-version")
@login_required
def new_version(authored_id: int):
    pack = unit_of_work.run(ops.new_version, _me(), authored_id)
    flash(_("Version %(n)s started as a draft.", n=pack.version), "success")
    return redirect(url_for("authoring.overview", authored_id=pack.id))


@bp.post("/<int:authored_id>/withdraw")
@login_required
@confirm.required(confirmations.withdraw)
def withdraw(authored_id: int):
    pack = unit_of_work.run(ops.withdraw, _me(), authored_id)
    flash(_("%(name)s withdrawn.", name=pack.name), "success")
    return redirect(url_for("authoring.index"))


@bp.get("/<int:authored_id>/export.yaml")
@login_required
def export(authored_id: int):
    name, text = ops.export_text(_me(), authored_id)
    return Response(text, mimetype="application/x-yaml", headers={"Content-Disposition": f"attachment; filename={name}"})


# ---- public ----------------------------------------------------------------------------------------------------

@public_bp.get("/", endpoint="index")
def index_public():
    active = [p for p in policy_packs.list_packs() if p.get("authored")]
    return render_template("authoring/public.html", shipped=ops.shipped_packs(), active=active)

