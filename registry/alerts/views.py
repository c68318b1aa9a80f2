"""Alert pages. Officials: episodes (issue, history of levels and times, per enterprise delivered / read /
acknowledged, the unacknowledged filter, re-send, print). Enterprises: the inbox, an order with its receipt (回执)
and "今日须执行" — what to do now, in plain words.

Handlers are thin: form → one operation (unit_of_work.run) → flash + redirect; the request's unit of work commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.accounts.models import Role
from registry.alerts import auth, labels, queries
from registry.alerts import operations as ops
from registry.alerts.forms import AckForm, IssueForm, LevelForm, LiftForm
from registry.alerts.panels import register_panels
from registry.core import codes, timeutil, unit_of_work
from registry.core.errors import ValidationFailed
from registry.core.pagination import Page
from registry.core.regions import counties_under, get_region
from registry.emergency.presenting import pack_title
from registry.extensions import db
from registry.notices import page as notice_page
from registry.notices.pdf import pdf_response, render_pdf, safe_filename
from registry.policy.packs import get_pack, pack_for_region

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
PER_PAGE = 200  # enterprises per page of an episode (a city has thousands)
bp.record_once(lambda state: register_panels(state.app))


@bp.app_template_filter("alert_ground")
def _ground(g: dict) -> str:
    return labels.ground_text(g)


@bp.app_template_filter("alert_ground_reasons")
def _ground_reasons(g: dict) -> list[dict]:
    return labels.ground_reasons(g)


@bp.app_template_filter("alert_transport")
def _transport(t: dict) -> str:
    return labels.transport_text(t)


def _me():
    return current_user._get_current_object()


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timeutil.beijing_now().tzinfo)


def _levels(pack_id: str) -> list[tuple[str, str]]:
    return [(lv, codes.label("AlertLevel", lv)) for lv in ops.level_choices(pack_id)]


def _issue_form(me, form: IssueForm | None = None) -> IssueForm | None:
    if not me.is_official or not me.region_code:
        return None
    region = get_region(me.region_code)
    if me.role != Role.PROVINCE.value and not ops.issues_alerts(region):
        return None
    form = form or IssueForm()
    if me.role == Role.PROVINCE.value:
        from registry.core.models import Region

        cities = db.session.scalars(db.select(Region).where(Region.parent_code == me.region_code).order_by(Region.code)).all()
        form.scope.choices = [("regional", labels.SCOPE["regional"])]
        form.area_codes.choices = [(c.code, c.name) for c in cities]
        pack = pack_for_region(cities[0].code) if cities else pack_for_region(me.region_code)
    else:
        form.scope.choices = [("city", labels.SCOPE["city"]), ("counties", labels.SCOPE["counties"])]
        form.area_codes.choices = [(c.code, c.name) for c in counties_under(me.region_code)]
        pack = pack_for_region(me.region_code)
    form.level.choices = _levels(pack)
    form.region_code.data = me.region_code
    if not form.is_submitted():
        start, end = ops.default_window()
        form.starts_at.data, form.expected_end_at.data = start.replace(tzinfo=None), end.replace(tzinfo=None)
    form.pack_id = pack  # type: ignore[attr-defined]
    form.region_name = region.name if region else me.region_code  # type: ignore[attr-defined]
    return form


@bp.get("/")
@login_required
def index():
    me = _me()
    if me.role == Role.ENTERPRISE.value:
        return redirect(url_for("alerts.today"))
    if not auth.can_list_episodes(me):
        abort(403)
    eps = queries.episodes(me)
    return render_template("alerts/index.html", episodes=eps, form=_issue_form(me),
                           counts={ep.id: queries.counts(ep) for ep in eps if ep.status == "active"})


@bp.post("/episodes")
@login_required
def issue():
    me = _me()
    form = _issue_form(me, IssueForm())
    if form is None:
        abort(403)
    if not form.validate():
        flash(_("Some fields are invalid."), "error")
        return render_template("alerts/index.html", episodes=queries.episodes(me), form=form, counts={}), 422
    data = {k: getattr(form, k).data for k in ("scope", "level", "doc_number", "issuing_body", "reason")}
    data.update(region_code=me.region_code, area_codes=form.area_codes.data or [], pack_id=form.pack_id,
                starts_at=_utc(form.starts_at.data), expected_end_at=_utc(form.expected_end_at.data))
    try:
        ep = unit_of_work.run(ops.issue, me, data)
    except ValidationFailed as err:
        for messages in err.errors.values():
            for m in messages:
                flash(m, "error")
        return render_template("alerts/index.html", episodes=queries.episodes(me), form=form, counts={}), 422
    flash(_("Alert issued: %(n)s orders delivered.", n=queries.counts(ep)["enterprises"]), "success")
    return redirect(url_for("alerts.episode", episode_id=ep.id))


@bp.get("/episodes/<int:episode_id>")
@login_required
def episode(episode_id: int):
    me = _me()
    ep = ops.get_episode(me, episode_id)
    unack = request.args.get("filter") == "unacknowledged"
    manage = auth.can_manage_episode(me, ep)
    level_form = lift_form = None
    if manage and ep.status == "active":
        level_form = LevelForm(version=ep.version)
        level_form.level.choices = [c for c in _levels(ep.pack_id) if c[0] != ep.level]
        lift_form = LiftForm(version=ep.version)
        lift_form.clear_hours.data = ops.episode_rules(ep.pack_id).lift_hours
    rules = ops.episode_rules(ep.pack_id)
    rows = queries.status_rows(ep, unacknowledged=unack)
    number = max(1, request.args.get("page", 1, type=int) or 1)
    page = Page(items=rows[(number - 1) * PER_PAGE:number * PER_PAGE], page=number, per_page=PER_PAGE, total=len(rows))
    return render_template("alerts/episode.html", ep=ep, changes=queries.changes(ep), page=page,
                           pack_name=pack_title(get_pack(ep.pack_id)) or ep.pack_id,
                           page_args={"episode_id": ep.id, **({"filter": "unacknowledged"} if unack else {})},
                           rows=page.items, counts=queries.counts(ep),
                           unack=unack, manage=manage, level_form=level_form, lift_form=lift_form,
                           lift_ground=rules.grounds["lift"])


@bp.post("/episodes/<int:episode_id>/level")
@login_required
def change_level(episode_id: int):
    me = _me()
    form = LevelForm()
    form.level.choices = [(lv, lv) for lv in ("blue", "yellow", "orange", "red")]
    if not form.validate():
        flash(_("Some fields are invalid."), "error")
        return redirect(url_for("alerts.episode", episode_id=episode_id))
    ep = unit_of_work.run(ops.change_level, me, episode_id, {
        "level": form.level.data, "at": _utc(form.at.data), "doc_number": form.doc_number.data,
        "note": form.note.data, "version": form.version.data})
    flash(_("Level changed to %(level)s; the orders were replaced.", level=codes.label("AlertLevel", ep.level)), "success")
    return redirect(url_for("alerts.episode", episode_id=ep.id))


@bp.post("/episodes/<int:episode_id>/lift")
@login_required
def lift(episode_id: int):
    me = _me()
    form = LiftForm()
    if not form.validate():
        flash(_("Some fields are invalid."), "error")
        return redirect(url_for("alerts.episode", episode_id=episode_id))
    try:
        ep = unit_of_work.run(ops.lift, me, episode_id, {
            "at": _utc(form.at.data), "doc_number": form.doc_number.data, "note": form.note.data,
            "clear_hours": float(form.clear_hours.data) if form.clear_hours.data is not None else None,
            "version": form.version.data})
    except ValidationFailed as err:
        for messages in err.errors.values():
            for m in messages:
                flash(m, "error")
        return redirect(url_for("alerts.episode", episode_id=episode_id))
    flash(_("Alert lifted; its orders have ended."), "success")
    return redirect(url_for("alerts.episode", episode_id=ep.id))


@bp.post("/episodes/<int:episode_id>/resend")
@login_required
def resend(episode_id: int):
    me = _me()
    ids = [int(x) for x in request.form.getlist("enterprise_id") if x.isdigit()]
    out = unit_of_work.run(ops.resend, me, episode_id, {"enterprise_ids": ids or None, "unacknowledged_only": True})
    flash(_("%(n)s orders re-sent.", n=out["orders"]), "success")
    return redirect(url_for("alerts.episode", episode_id=episode_id, filter="unacknowledged"))


@bp.get("/episodes/<int:episode_id>/print")
@login_required
def print_orders(episode_id: int):
    me = _me()
    ep = ops.get_episode(me, episode_id)
    rows = queries.status_rows(ep)
    wanted = request.args.get("enterprise_id", type=int)
    orders = [r["order"] for r in rows if wanted is None or r["enterprise_id"] == wanted]
    html = render_template("alerts/print.html", ep=ep, orders=orders, single=wanted is not None)
    if notice_page.wants_pdf():  # the same orders as a PDF to hand over or archive (registry/notices)
        name = orders[0].content.get("name", "") if wanted is not None and orders else ""
        filename = f"alert-orders-{ep.id}" + (f"-{safe_filename(name)}" if name else "") + ".pdf"
        return pdf_response(render_pdf(html, request.url_root), filename)
    return html


# ---- the enterprise's side ----

def _enterprise_id(me) -> int:
    if me.role != Role.ENTERPRISE.value or me.enterprise_id is None:
        abort(404)
    return me.enterprise_id


@bp.get("/inbox")
@login_required
def inbox():
    me = _me()
    eid = _enterprise_id(me)
    return render_template("alerts/inbox.html", messages=queries.inbox(eid), orders=queries.enterprise_orders(eid))


@bp.post("/inbox/<int:message_id>/read")
@login_required
def read_message(message_id: int):
    msg = unit_of_work.run(ops.read_message, _me(), message_id)
    return redirect(msg.link or url_for("alerts.inbox"))


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    me = _me()
    o = unit_of_work.run(ops.open_order, me, order_id)
    successor = db.session.get(type(o), o.superseded_by_id) if o.superseded_by_id else None
    return render_template("alerts/order.html", o=o, ep=o.episode, form=AckForm(),
                           can_ack=auth.can_acknowledge(me, o) and o.receipt is None, successor=successor)


@bp.post("/orders/<int:order_id>/ack")
@login_required
def acknowledge(order_id: int):
    form = AckForm()
    if not form.validate():
        abort(422)
    unit_of_work.run(ops.acknowledge, _me(), order_id, {"note": form.note.data})
    flash(_("Receipt acknowledged."), "success")
    return redirect(url_for("alerts.order", order_id=order_id))


@bp.get("/today")
@login_required
def today():
    me = _me()
    eid = _enterprise_id(me)
    now = timeutil.utcnow()
    day = timeutil.beijing_today()
    orders = queries.orders_in_force(eid, now)
    upcoming = [o for o in queries.enterprise_orders(eid, 20) if o.window_end is None and o.window_start > now]
    schedule = queries.schedule_today(eid, day)
    return render_template("alerts/today.html", orders=orders, upcoming=upcoming, schedule=schedule, day=day,
                           tomorrow=day + timedelta(days=1))
