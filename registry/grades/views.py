"""Grade pages: applications, self-assessment with evidence, review, approval, publicity, history, public list.

Handlers are thin: parse the form → one operation (unit_of_work.run; the request commits once) → flash + redirect. A
ValidationFailed re-renders the application page (422) with the messages; a Conflict or a
permission error becomes the error page through the app's DomainError handler.
"""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.accounts.reauth import require_recent_login
from registry.core import confirm, timeutil, unit_of_work
from registry.core.audit_scope import register_visible_objects
from registry.core.dashboard import register_dashboard_panel
from registry.core.errors import Conflict, Forbidden, ValidationFailed
from registry.core.labels import register_history_labels
from registry.core.templating import is_zh
from registry.core.versions import form_version
from registry.enterprises.models import Enterprise
from registry.extensions import db, limiter
from registry.grades import auth, confirmations, dashboard, evidence, export, labels, queries
from registry.grades import operations as ops
from registry.grades.current import effective_grades
from registry.grades.models import SYSTEM_VALUES, Evidence, GradeApplication, GradeSystem, Objection
from registry.grades.settings import setting
from registry.grades.unit import word_conflicts
from registry.policy.grades import DIMENSIONS, GRADED_INDUSTRIES, get_criteria

bp = Blueprint("grades", __name__, url_prefix="/grades")


def _grade_history(entry: dict) -> dict | None:
    return labels.history_view(entry) if str(entry.get("action", "")).startswith("grade.") else None


def _register_hooks(state) -> None:
    """What core shows of grades: their events in an enterprise's history, and which applications an
    official may read in the audit log (never-submitted drafts: none, issue 13 Medium 8)."""
    register_history_labels(state.app, "grades", _grade_history)
    register_dashboard_panel(state.app, "grades", dashboard.panel)  # issue 16
    register_visible_objects(state.app, "grade_application",
                             lambda actor: queries.visible_applications(actor).with_only_columns(GradeApplication.id))


bp.record_once(_register_hooks)
bp.before_request(word_conflicts)  # a lost race on a decision: "another official decided this at the same moment"
labels.register(bp)  # grade_label / grade_value / grade_note filters: codes and engine notes in the reader's language
public_bp = Blueprint("public_grades", __name__, url_prefix="/public")
public_bp.before_request(word_conflicts)


def _me():
    return current_user._get_current_object()


def _label(zh: str, en: str) -> str:
    return zh if is_zh() else en


# ---- presenting ----

def criteria_view(industry: str, answers: dict, results: dict, review: dict, *, typed: dict | None = None,
                  registered: dict | None = None) -> dict[str, Any]:
    """One industry's indicator rows. `typed`: what the user just submitted (a refused form keeps it);
    `registered`: values the registration gives (prefill.py), shown where nothing is answered yet."""
    crit = get_criteria(industry)
    typed = typed or {}
    registered = registered or {}
    dims = []
    for dim, (zh, en) in DIMENSIONS.items():
        items = []
        for ind in crit.indicators:
            if ind.dimension != dim:
                continue
            r = results.get(ind.key)
            answer, from_registration = answers.get(ind.key), False
            if ind.key in typed:
                answer = typed[ind.key]
            elif answer is None and ind.key in registered and _fits(ind, registered[ind.key]):
                answer, from_registration = registered[ind.key], True
            if ind.kind == "bool" and isinstance(answer, str):  # a refused form's "yes"/"no" shown as it was chosen
                answer = {"yes": True, "no": False}.get(answer, answer)
            items.append({
                "key": ind.key, "label": _label(ind.label, ind.label_en), "kind": ind.kind, "unit": ind.unit,
                "options": [(c, _label(zh_, en_)) for c, zh_, en_ in ind.options],
                "answer": answer, "from_registration": from_registration, "percentage": ops.is_percentage(ind),
                "grade": r.grade.value if r else None,
                "rule": r.rule if r else ind.a.rule, "source": r.source if r else ind.a.source,
                "local": r.local_setting if r else ind.a.local_setting, "note": r.note if r else "",
                "code": r.code if r else "", "params": dict(r.params) if r else {},
                "a": ind.a.value, "b": ind.b.value, "a_cite": ind.a.cite(), "b_cite": ind.b.cite(),
                "basis": [{"grade": g, "rule": t.rule, "text": labels.basis_text(t.source, t.rule, t.local_setting)}
                          for g, t in (("A", ind.a), ("B", ind.b))],
                "review": review.get(f"{industry}.{ind.key}"),
            })
        dims.append({"key": dim, "label": _label(zh, en), "indicators": items})
    return {"industry": industry, "title": _label(crit.title, crit.title_en), "version": crit.version,
            "sha256": crit.sha256, "dimensions": dims}


def _fits(ind, value) -> bool:
    """A registration value the indicator can take (a choice among its options; a number within its range)."""
    if value is None:
        return False
    if ind.kind == "choice":
        return value in {o[0] for o in ind.options}
    if ind.kind == "bool":
        return isinstance(value, bool)
    try:
        ops.check_answer_range(ind, float(value))
    except (TypeError, ValueError):
        return False
    return True


def county_review_view(app) -> dict[str, Any] | None:
    """The county's latest review of the application — who, when, outcome — from the audit log (grade.accept /
    grade.return); None before any review (issue 16 item 7: the 县（区）审核 column stayed empty)."""
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.core.models import AuditEntry

    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == GradeApplication.__tablename__, AuditEntry.object_id == app.id,
        AuditEntry.action.in_(("grade.accept", "grade.return"))).order_by(AuditEntry.id.desc()).limit(1)).first()
    if entry is None:
        return None
    who = db.session.get(User, entry.user_id) if entry.user_id else None
    returned = entry.action == "grade.return"
    return {"who": (who.full_name or who.username) if who else "", "at": entry.at, "returned": returned,
            "outcome": _("returned to the enterprise") if returned else _("documents accepted"),
            "note": entry.summary or "", "items": (entry.after or {}).get("returned") or {}}


def _decision_dict(d) -> dict[str, Any]:
    from registry.accounts.models import User

    who = db.session.get(User, d.decided_by_id) if d.decided_by_id else None
    return {"id": d.id, "system": d.system, "industry": d.industry, "grade": d.grade, "proposed_grade": d.proposed_grade,
            "kind": d.kind, "reason": d.reason, "reasons": d.reasons, "criteria": d.criteria,
            "effective_from": d.effective_from, "valid_until": d.valid_until, "supersedes_id": d.supersedes_id,
            "decided_at": d.decided_at, "who": (who.full_name or who.username) if who else "",
            "application_id": d.application_id}


def application_context(app, typed: dict | None = None) -> dict[str, Any]:
    from registry.grades.prefill import from_registration

    ent = db.session.get(Enterprise, app.enterprise_id)
    result = ops.proposal(app, ent)
    results = {(r.industry, r.key): r for r in result.indicators}
    me = _me()
    industries = []
    editable = auth.can_edit_application(me, app)
    for industry, entry in sorted(app.industries.items()):
        registered = from_registration(ent, industry, entry.get("line_ids")) if editable else {}
        view = criteria_view(industry, entry.get("answers", {}),
                             {k: r for (i, k), r in results.items() if i == industry}, app.county_review or {},
                             typed=(typed or {}).get(industry, {}).get("answers"), registered=registered)
        view["line_ids"] = entry.get("line_ids", [])
        view["grade"] = dict(result.by_industry).get(industry)
        industries.append(view)
    return {
        "app": {"id": app.id, "version": app.version, "status": app.status, "status_label": ops.status_label(app.status),
                "proposed_grade": app.proposed_grade, "publicity_until": app.publicity_until,
                "county_note": app.county_note, "submitted_at": app.submitted_at, "region_code": app.region_code,
                "answer_deadline": ops.objection_answer_deadline(app) if app.publicity_until else None},
        "enterprise": {"id": ent.id, "name": ent.name, "uscc": ent.uscc, "region_code": ent.region_code},
        "lines": [{"id": line.id, "code": line.code, "name": line.name, "sector": line.sector} for line in ent.lines],
        "industries": industries,
        "proposal": {"grade": result.grade.value if result.grade else None,
                     "by_industry": [(i, g.value) for i, g in result.by_industry],
                     "reasons": [r.as_dict() for r in result.reasons], "excluded": result.excluded},
        "reasons_basis": [{"rule": r.rule, "text": labels.basis_text(r.source, r.rule)} for r in result.reasons],
        "county": county_review_view(app),
        "evidence": ops.evidence_rows(app.evidence),
        "decisions": [_decision_dict(d) for d in ops.application_decisions(app)],
        "objections": [{"id": o.id, "version": o.version, "name": o.name, "text": o.text, "status": o.status,
                        "answer": o.answer, "created_at": o.created_at, "lapsed": o.lapsed} for o in app.objections],
        "can": {"edit": auth.can_edit_application(me, app), "delete": auth.can_delete_application(me, app) and app.submitted_at is None,
                "review": auth.can_review_documents(me, app), "approve": auth.can_approve(me, app),
                "effective": auth.can_make_effective(me, app), "answer": auth.can_answer_objection(me, app),
                # shown disabled with why and from when (issue 16 item 3): during publicity, before the answer deadline
                "effective_wait": ((auth.four_eyes_reason(me, app, "publish"), None) if auth.four_eyes_reason(me, app, "publish")
                                   else auth.effective_blocker(app, timeutil.beijing_today())) if auth.can_make_effective(me, app) else None,
                "approve_wait": auth.four_eyes_reason(me, app, "approve") if auth.can_approve(me, app) else None},
    }


def _render_app(app, status: int = 200, errors: dict | None = None, message: str = "", typed: dict | None = None):
    return render_template("grades/application.html", errors=errors or {}, message=message,
                           **application_context(app, typed)), status


def _act(application_id: int, operation, *args, ok: str, queue: bool = False, **kwargs):
    """Run a page action on an application; validation problems re-render the page with them. `queue`: an
    official's decision, after which they go on to the next application waiting for them, or to the dashboard
    when none is left (issue 16)."""
    try:
        unit_of_work.run(operation, *args, **kwargs)
    except ValidationFailed as exc:
        db.session.rollback()
        confirm.keep(exc)  # the page shows what was typed, not the saved values (issue 16 item 3)
        app = ops.get_application(_me(), application_id)
        return _render_app(app, 422, exc.errors, exc.message)
    if queue:
        return redirect(dashboard.after_decision(_me(), application_id, ok))
    flash(ok, "success")
    return redirect(url_for("grades.detail", application_id=application_id))


def _confirm_first(explain):
    """Ask before an irreversible step (issue 16 item 3, registry/core/confirm.py); an input the step would refuse comes
    back on the application page with its messages (as _act does), never as a confirmation."""
    def decorator(view):
        @wraps(view)
        def wrapper(application_id: int):
            if not confirm.confirmed():
                try:
                    return confirm.ask(explain(application_id))
                except ValidationFailed as exc:
                    db.session.rollback()
                    confirm.keep(exc)
                    return _render_app(ops.get_application(_me(), application_id), 422, exc.errors, exc.message)
            return view(application_id)
        return wrapper
    return decorator


def _answers_from_form(app) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for industry in app.industries:
        crit = get_criteria(industry)
        answers = {}
        for ind in crit.indicators:
            name = f"a-{industry}-{ind.key}"
            if ind.kind == "bool":
                if name in request.form:
                    answers[ind.key] = request.form.get(name) or ""
            elif name in request.form:
                answers[ind.key] = request.form.get(name, "").strip()
        lines = request.form.getlist(f"lines-{industry}")
        out[industry] = {"line_ids": [int(x) for x in lines if x.isdigit()] if lines else app.industries[industry].get("line_ids", []),
                         "answers": answers}
    return out


# ---- pages for signed-in users ----

@bp.get("/")
@login_required
def index():
    me = _me()
    ent = db.session.get(Enterprise, me.enterprise_id) if me.enterprise_id else None
    items = queries.list_applications(me, request.args.get("status", ""))
    # The standing grade (registry/grades/current.py) — what binds the enterprise today, a fraud finding's C
    # included — with the proposed grade beside it while an application is open (issue 16 item 9).
    standing = effective_grades(sorted({a["enterprise_id"] for a in items})) if items else {}
    for a in items:
        a["standing_grade"] = standing.get(a["enterprise_id"])
        a["open"] = a["status"] not in ("effective", "rejected")
    return render_template("grades/index.html", items=items,
                           status_label=ops.status_label, enterprise=ent,
                           can_create=ent is not None and auth.can_create_application(me, ent),
                           create_blocker=auth.create_blocker(ent) if ent is not None else None,
                           official=auth.can_see_statistics(me))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    me = _me()
    ent = db.session.get(Enterprise, me.enterprise_id) if me.enterprise_id else None
    if ent is None or not auth.can_create_application(me, ent):
        raise Forbidden(_("Only the enterprise itself applies for a grade."))
    choices = [(s.value, s.label_zh if is_zh() else s.value.replace("_", " ")) for s in GRADED_INDUSTRIES]
    lines = [{"id": line.id, "code": line.code, "name": line.name, "sector": line.sector} for line in ent.lines]
    errors: dict = {}
    if request.method == "POST":
        industries: dict[str, Any] = {}
        for line in lines:  # one select per line: line-<id> = industry
            industry = request.form.get(f"line-{line['id']}", "")
            if industry:
                industries.setdefault(industry, {"line_ids": [], "answers": {}})["line_ids"].append(line["id"])
        for code, _label in choices:  # or per industry: lines-<industry> = line ids (scripts, tests)
            for raw in request.form.getlist(f"lines-{code}"):
                if raw.isdigit():
                    industries.setdefault(code, {"line_ids": [], "answers": {}})["line_ids"].append(int(raw))
        try:
            app = unit_of_work.run(ops.create_application, me, {"enterprise_id": ent.id, "industries": industries})
        except (ValidationFailed, Conflict) as exc:  # a refusal stays on the form, not a bare error page (issue 16)
            db.session.rollback()
            chosen = {line["id"]: request.form.get(f"line-{line['id']}", "") for line in lines}  # kept as chosen
            return render_template("grades/new.html", lines=lines, choices=choices, errors=exc.errors,
                                   message=exc.message, enterprise=ent, chosen=chosen, blocker=auth.create_blocker(ent)), exc.status
        flash(_("Application created. Fill in the indicators and attach evidence."), "success")
        return redirect(url_for("grades.detail", application_id=app.id))
    return render_template("grades/new.html", lines=lines, choices=choices, errors=errors, message="", enterprise=ent,
                           blocker=auth.create_blocker(ent))


@bp.get("/<int:application_id>")
@login_required
def detail(application_id: int):
    return _render_app(ops.get_application(_me(), application_id))


@bp.post("/<int:application_id>/answers")
@login_required
def answers(application_id: int):
    app = ops.get_application(_me(), application_id)
    data = {"version": form_version(request.form.get("version")), "industries": _answers_from_form(app)}
    try:
        unit_of_work.run(ops.save_answers, _me(), application_id, data)
    except ValidationFailed as exc:  # the error next to its field, what was typed kept (issue 16 item 10)
        db.session.rollback()
        return _render_app(ops.get_application(_me(), application_id), 422, exc.errors, exc.message,
                           typed=data["industries"])
    flash(_("Self-assessment saved."), "success")
    return redirect(url_for("grades.detail", application_id=application_id))


@bp.post("/<int:application_id>/evidence")
@login_required
def upload(application_id: int):
    f = request.files.get("file")
    industry, _sep, indicator = request.form.get("indicator", "").partition(".")
    filename, data = (f.filename or "", f.read()) if f is not None else ("", b"")
    return _act(application_id, ops.add_evidence, _me(), application_id, filename, data,
                industry=industry, indicator=indicator, ok=_("Evidence attached."))


@bp.get("/evidence/<int:evidence_id>")
@login_required
def download(evidence_id: int):
    row: Evidence = ops.get_evidence(_me(), evidence_id)
    path = evidence.path_for(row.sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.post("/<int:application_id>/submit")
@login_required
def submit(application_id: int):
    return _act(application_id, ops.submit_application, _me(), application_id,
                {"version": form_version(request.form.get("version"))}, ok=_("Application submitted to the county."))


@bp.post("/<int:application_id>/delete")
@login_required
@_confirm_first(confirmations.delete)
def delete(application_id: int):
    unit_of_work.run(ops.delete_application, _me(), application_id, {"version": form_version(request.form.get("version"))})
    flash(_("Draft application deleted."), "success")
    return redirect(url_for("grades.index"))


@bp.post("/<int:application_id>/review")
@login_required
@require_recent_login
@_confirm_first(confirmations.review)
def review(application_id: int):
    app = ops.get_application(_me(), application_id)
    verdicts = {}
    for industry in app.industries:
        for ind in get_criteria(industry).indicators:
            key = f"{industry}.{ind.key}"
            if request.form.get(f"v-{key}") == "returned":
                verdicts[key] = {"verdict": "returned", "reason": request.form.get(f"r-{key}", "")}
    data = {"version": form_version(request.form.get("version")), "verdicts": verdicts, "note": request.form.get("note", "")}
    return _act(application_id, ops.review_documents, _me(), application_id, data, ok=_("Review recorded."), queue=True)


@bp.post("/<int:application_id>/approve")
@login_required
@require_recent_login
@_confirm_first(confirmations.approve)
def approve(application_id: int):
    data = {"version": form_version(request.form.get("version")), "grade": request.form.get("grade", ""),
            "reason": request.form.get("reason", "")}
    return _act(application_id, ops.approve, _me(), application_id, data, ok=_("Grade approved; the publicity period is open."),
                queue=True)


@bp.post("/<int:application_id>/effective")
@login_required
@require_recent_login
@_confirm_first(confirmations.effective)
def effective(application_id: int):
    return _act(application_id, ops.make_effective, _me(), application_id,
                {"version": form_version(request.form.get("version")), "note": request.form.get("note", "")},
                ok=_("The grade is effective."))


@bp.post("/<int:application_id>/objections/answer")
@login_required
def answer_all(application_id: int):
    """One answer for the ticked objections (issue 13 M10); each checkbox carries the objection's version."""
    chosen = {}
    for raw in request.form.getlist("objection"):
        oid, _sep, version = raw.partition(":")
        if oid.isdigit():
            chosen[oid] = form_version(version)
    data = {"answer": request.form.get("answer", ""), "objections": chosen}
    return _act(application_id, ops.answer_objections, _me(), application_id, data, ok=_("Objections answered."))


@bp.post("/objections/<int:objection_id>/answer")
@login_required
def answer(objection_id: int):
    row = db.session.get(Objection, objection_id)
    if row is None:
        abort(404)
    data = {"version": form_version(request.form.get("version")), "answer": request.form.get("answer", "")}
    return _act(row.application_id, ops.answer_objection, _me(), objection_id, data, ok=_("Objection answered."))


@bp.get("/enterprise/<int:enterprise_id>")
@login_required
def enterprise(enterprise_id: int):
    me = _me()
    ent = ops.get_enterprise(me, enterprise_id)
    current = {d.id for d in ops.current_decisions(ent.id)}
    decisions = [{**_decision_dict(d), "current": d.id in current} for d in ops.history(ent.id)]
    systems = {s.value: SYSTEM_VALUES[s.value] for s in GradeSystem}
    return render_template("grades/enterprise.html", enterprise={"id": ent.id, "name": ent.name, "uscc": ent.uscc,
                           "region_code": ent.region_code, "sector": ent.sector}, decisions=decisions, systems=systems,
                           can_finding=auth.can_record_finding(me, ent.region_code), can_regrade=auth.can_regrade(me, ent.region_code),
                           excluded=ops.failed_conditions(ent), downgrade_rule=setting("GRADE_VIOLATION_DOWNGRADE"))


@bp.post("/enterprise/<int:enterprise_id>/finding")
@login_required
@require_recent_login
@confirm.keeps_input(lambda enterprise_id: enterprise(enterprise_id))
@confirm.required(confirmations.finding)
def finding(enterprise_id: int):
    unit_of_work.run(ops.record_finding, _me(), enterprise_id, {"kind": request.form.get("kind", ""), "reason": request.form.get("reason", "")})
    flash(_("Finding recorded; the grade history shows the new decision."), "success")
    return redirect(url_for("grades.enterprise", enterprise_id=enterprise_id))


@bp.post("/enterprise/<int:enterprise_id>/record")
@login_required
@require_recent_login
@confirm.keeps_input(lambda enterprise_id: enterprise(enterprise_id))
@confirm.required(confirmations.record)
def record(enterprise_id: int):
    data = {k: request.form.get(k, "") for k in ("system", "industry", "grade", "reason")}
    unit_of_work.run(ops.record_grade, _me(), enterprise_id, data)
    flash(_("Grade recorded."), "success")
    return redirect(url_for("grades.enterprise", enterprise_id=enterprise_id))


def _official():
    me = _me()
    if not auth.can_see_statistics(me):
        raise Forbidden(_("You do not have permission to do this."))
    return me


@bp.get("/ungraded")
@login_required
def ungraded():
    from registry.core.pagination import Page

    # issue 16: a page of 50 at a time (the province has thousands); issue 18: filtered and counted in SQL
    number = max(1, request.args.get("page", 1, type=int) or 1)
    items, counts = queries.ungraded_page(_official(), number, 50)
    page = Page(items=items, page=number, per_page=50, total=counts["total"])
    return render_template("grades/ungraded.html", items=page.items, page=page, counts=counts)


@bp.get("/chart")
@login_required
def chart():
    return render_template("grades/chart.html", data=queries.distribution(_official()))


def _lang() -> str:
    return "zh" if is_zh() else "en"


def _xlsx(kind: str, rows: list[dict]):
    import io

    rows = labels.for_export(kind, rows)  # system, kind, status, industry, tiers as words, not codes
    return send_file(io.BytesIO(export.to_xlsx(kind, rows, _lang())), as_attachment=True, download_name=f"grades-{kind}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/export/<kind>.xlsx")
@login_required
def export_xlsx(kind: str):
    if kind not in ("applications", "decisions", "objections"):
        abort(404)
    return _xlsx(kind, export_rows(_me(), kind))


def export_rows(actor, kind: str) -> list[dict]:
    """Rows of the actor's scope for an export (the same scope as the pages)."""
    from registry.core.regions import region_label

    apps = queries.list_applications(actor)
    if kind == "applications":
        return [{**a, "region": region_label(a["region_code"]), "industries": ", ".join(a["industries"])} for a in apps]
    ids = [a["id"] for a in apps]
    names = {a["id"]: a for a in apps}
    if kind == "objections":
        from sqlalchemy import select

        rows = db.session.scalars(select(Objection).where(Objection.application_id.in_(ids)).order_by(Objection.id))
        return [{"id": o.id, "application_id": o.application_id, "enterprise_name": names[o.application_id]["enterprise_name"],
                 "name": o.name, "text": o.text, "status": o.status, "answer": o.answer, "created_at": o.created_at,
                 "answered_at": o.answered_at} for o in rows]
    from sqlalchemy import select

    from registry.grades.models import GradeDecision

    ent_ids = {a["enterprise_id"] for a in apps}
    if actor.role == "enterprise":
        ent_ids |= {actor.enterprise_id}
    out = []
    ents = {e.id: e for e in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ent_ids)))}
    for d in db.session.scalars(select(GradeDecision).where(GradeDecision.enterprise_id.in_(ent_ids)).order_by(GradeDecision.id)):
        dd = _decision_dict(d)
        e = ents[d.enterprise_id]
        out.append({**dd, "enterprise_name": e.name, "uscc": e.uscc, "region": region_label(d.region_code),
                    "criteria": "; ".join(f"{c['id']} {c['version']} {c['sha256'][:12]}" for c in d.criteria),
                    "decided_by": dd["who"]})
    return out


# ---- public pages (no login) ----

def _public_filters() -> dict[str, str]:
    """The public list's filters; the region box takes a code or a name (安次区) and is applied as a code."""
    from registry.core.regions import resolve

    filters = {k: request.args.get(k, "").strip()[:60] for k in ("grade", "region", "industry")}
    filters["region"], _problem = resolve(filters["region"])
    return filters


def _region_problem(filters: dict[str, str]) -> str | None:
    from registry.core.regions import resolve

    return resolve(filters["region"])[1] if filters["region"] else None


@public_bp.get("/grades")
def public_list():
    filters = _public_filters()
    problem = _region_problem(filters)
    items = [] if problem else queries.public_grades(**filters)
    return render_template("grades/public.html", items=items, filters=filters, region_errors=[problem] if problem else [],
                           industries=[(s.value, s.label_zh if is_zh() else s.value.replace("_", " ")) for s in GRADED_INDUSTRIES])


@public_bp.get("/grades.xlsx")
def public_xlsx():
    filters = _public_filters()
    return _xlsx("public", [] if _region_problem(filters) else queries.public_grades(**filters))


@public_bp.route("/grades/<int:application_id>/objection", methods=["GET", "POST"])
@limiter.limit(lambda: setting("GRADE_OBJECTION_RATE_LIMIT"), methods=["POST"])
def objection(application_id: int):
    from registry.grades.models import GradeApplication

    app = db.session.get(GradeApplication, application_id)
    if app is None or app.status not in ("publicity", "effective"):
        abort(404)
    ent = db.session.get(Enterprise, app.enterprise_id)
    grades = [d for d in ops.application_decisions(app)]
    ctx = {"application_id": app.id, "enterprise": ent.name, "publicity_until": app.publicity_until,
           "open": app.status == "publicity", "grades": [(d.industry, d.grade) for d in grades]}
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("name", "contact", "text")}
        try:
            unit_of_work.run(ops.file_objection, application_id, data, address=request.remote_addr or "")
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            errors = exc.errors or {"text": [exc.message]}  # a duplicate (issue 13 M10): said beside the form
            return render_template("grades/objection.html", errors=errors, form=data, **ctx), exc.status
        flash(_("Thank you. Your objection was filed and will be answered."), "success")
        return redirect(url_for("public_grades.public_list"), code=303)  # See Other: POST → GET
    return render_template("grades/objection.html", errors={}, form={}, **ctx)
