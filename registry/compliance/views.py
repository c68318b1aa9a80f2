"""Compliance pages (issue 19). Officials: the anomaly list with filters and the checks' run, an anomaly with its
evidence chart (baseline vs actual, the order's window shaded), asking the enterprise to explain, assigning the
county's inspection, the county's inspection tasks and the record form (photos, signatures), the compliance
summary per episode and season. Enterprises: their own anomalies and the explanation form.

Handlers are thin: form → one operation (unit_of_work.run) → flash + redirect."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.accounts.models import Role
from registry.compliance import labels, queries
from registry.compliance import operations as ops
from registry.compliance.models import CHECKS, OUTCOMES, SEVERITIES, STATUSES, InspectionPhoto
from registry.compliance.panels import register_panels
from registry.core import codes, confirm, timeutil, unit_of_work
from registry.core.confirm import Confirmation
from registry.core.errors import ValidationFailed
from registry.extensions import db

bp = Blueprint("compliance", __name__, url_prefix="/compliance")
bp.record_once(lambda state: register_panels(state.app))


def _me():
    return current_user._get_current_object()


def _official_or_enterprise(me) -> None:
    if not (me.is_official or me.role == Role.ENTERPRISE.value):
        abort(403)


def _day(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.values.get(name) or default.isoformat())
    except ValueError:
        return default


@bp.get("/")
@login_required
def index():
    me = _me()
    _official_or_enterprise(me)
    f = {k: request.args.get(k, "") for k in ("status", "check", "severity", "region")}
    f = {k: v for k, v in f.items() if v in {"status": STATUSES, "check": CHECKS, "severity": SEVERITIES}.get(k, (v,))}
    rows = queries.anomalies(me, **f)
    today = timeutil.beijing_today()
    return render_template("compliance/index.html", rows=rows, filters=f, names=queries.enterprise_names(
        r.enterprise_id for r in rows), checks=CHECKS, statuses=STATUSES, severities=SEVERITIES,
        first=today - timedelta(days=1), last=today, official=me.is_official, detail=queries.evidence_text)


@bp.post("/run")
@login_required
def run():
    me = _me()
    if not me.is_official:
        abort(403)
    today = timeutil.beijing_today()
    first, last = _day("first", today - timedelta(days=1)), _day("last", today)
    try:
        counts = unit_of_work.run(ops.run_checks, me, first, last)
    except ValidationFailed as err:
        for messages in err.errors.values():
            for m in messages:
                flash(m, "error")
        return redirect(url_for("compliance.index"))
    flash(_("Checked %(windows)s order and schedule windows: %(new)s new anomalies, %(open)s open in all.",
            windows=counts["windows"], new=counts["new"], open=counts["anomalies"]), "success")
    return redirect(url_for("compliance.index"))


@bp.get("/anomalies/<int:anomaly_id>")
@login_required
def anomaly(anomaly_id: int):
    me = _me()
    a = ops.get_anomaly(me, anomaly_id)
    name = queries.enterprise_names([a.enterprise_id]).get(a.enterprise_id, "")
    return render_template("compliance/anomaly.html", a=a, name=name, chart=queries.chart(a),
                           evidence=queries.evidence_text(a), official=me.is_official,
                           owner=me.role == Role.ENTERPRISE.value and me.enterprise_id == a.enterprise_id,
                           reasons=[{"rule": r.get("rule"), "source": r.get("source")} for r in a.reasons or []],
                           now=timeutil.utcnow(), setting_value=_setting_value)


def _setting_value(s: dict) -> str:
    v = s.get("value")
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    return str(v)


@bp.post("/anomalies/<int:anomaly_id>/ask")
@login_required
def ask(anomaly_id: int):
    me = _me()
    try:
        hours = int(request.form.get("hours") or 0) or None
    except ValueError:
        hours = None
    unit_of_work.run(ops.ask_explanation, me, anomaly_id, hours)
    flash(_("The enterprise has been asked to explain."), "success")
    return redirect(url_for("compliance.anomaly", anomaly_id=anomaly_id))


@bp.post("/anomalies/<int:anomaly_id>/explain")
@login_required
def explain(anomaly_id: int):
    me = _me()
    try:
        unit_of_work.run(ops.explain, me, anomaly_id, request.form.get("text", ""))
    except ValidationFailed as err:
        for messages in err.errors.values():
            for m in messages:
                flash(m, "error")
        return redirect(url_for("compliance.anomaly", anomaly_id=anomaly_id))
    flash(_("Your explanation has been sent."), "success")
    return redirect(url_for("compliance.anomaly", anomaly_id=anomaly_id))


@bp.post("/anomalies/<int:anomaly_id>/task")
@login_required
def task(anomaly_id: int):
    me = _me()
    try:
        days = int(request.form.get("days") or 0) or None
    except ValueError:
        days = None
    t = unit_of_work.run(ops.assign_inspection, me, anomaly_id, None, days)
    flash(_("Inspection task assigned to the county."), "success")
    return redirect(url_for("compliance.record", task_id=t.id))


@bp.get("/inspections")
@login_required
def inspections():
    me = _me()
    if not me.is_official:
        abort(403)
    status = request.args.get("status", "open")
    status = status if status in ("open", "done", "") else "open"
    rows = queries.tasks(me, status)
    return render_template("compliance/inspections.html", rows=rows, status=status,
                           names=queries.enterprise_names(t.anomaly.enterprise_id for t in rows))


def _record_confirmation(task_id: int) -> Confirmation:
    me = _me()
    from registry.compliance.models import InspectionTask

    t = db.session.get(InspectionTask, task_id)
    if t is None or not ops.can_view(me, t.anomaly) or not me.is_official:
        from registry.core.errors import NotFound

        raise NotFound(_("Not found."))
    outcome = request.form.get("outcome", "")
    name = queries.enterprise_names([t.anomaly.enterprise_id]).get(t.anomaly.enterprise_id, "")
    consequences = [_("The inspection record cannot be changed once saved.")]
    if outcome in OUTCOMES:
        consequences.append(codes.label("compliance.outcome", outcome))
    if request.files.getlist("photos"):
        consequences.append(_("Attach the photos again on the next page if they were not kept."))
    return Confirmation(title=_("Record the inspection · %(name)s", name=name), consequences=consequences,
                        action=_("Save the record"), back=url_for("compliance.record", task_id=task_id),
                        danger=outcome in ("violation", "falsified"))


@bp.route("/inspections/<int:task_id>/record", methods=["GET", "POST"])
@login_required
@confirm.required(_record_confirmation)
def record(task_id: int):
    me = _me()
    from registry.compliance.models import InspectionTask

    t = db.session.get(InspectionTask, task_id)
    if t is None or not me.is_official or not ops.can_view(me, t.anomaly):
        abort(404)
    errors: dict = {}
    if request.method == "POST":
        photos = [(f.filename or "photo", f.read()) for f in request.files.getlist("photos") if f and f.filename]
        try:
            unit_of_work.run(ops.record_inspection, me, task_id, request.form.to_dict(), photos)
            flash(_("Inspection recorded."), "success")
            return redirect(url_for("compliance.anomaly", anomaly_id=t.anomaly_id))
        except ValidationFailed as err:
            db.session.rollback()
            errors = err.errors
    name = queries.enterprise_names([t.anomaly.enterprise_id]).get(t.anomaly.enterprise_id, "")
    return render_template("compliance/record.html", t=t, name=name, errors=errors, outcomes=OUTCOMES,
                           values=request.form, now=timeutil.beijing_now().strftime("%Y-%m-%dT%H:%M"),
                           evidence=queries.evidence_text(t.anomaly)), (422 if errors else 200)


@bp.get("/photos/<int:photo_id>")
@login_required
def photo(photo_id: int):
    me = _me()
    p = db.session.get(InspectionPhoto, photo_id)
    if p is None:
        abort(404)
    ops.get_anomaly(me, p.record.anomaly_id)
    return Response(p.data, mimetype=p.content_type, headers={"X-Content-Type-Options": "nosniff",
                                                               "Content-Disposition": "inline"})


@bp.get("/summary")
@login_required
def summary():
    me = _me()
    if not me.is_official:
        abort(403)
    from registry.alerts.queries import episodes

    eps = episodes(me)
    try:
        episode_id = int(request.args.get("episode") or 0) or None
    except ValueError:
        episode_id = None
    today = timeutil.beijing_today()
    season = None
    if not episode_id:
        first = _day("first", date(today.year if today.month >= 10 else today.year - 1, 10, 1))
        last = _day("last", today)
        season = (first, last)
    data = queries.summary(me, episode_id, season)
    return render_template("compliance/summary.html", data=data, episodes=eps, episode_id=episode_id, season=season)


__all__ = ["bp", "labels"]
