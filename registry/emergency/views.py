"""Emergency-list pages: the city's lists, totals vs targets with a chart, optimizer proposals, alert-day
orders with printable gate notices, the Excel export, and the enterprise's 一厂一策 plan form.

Handlers are thin: parse the form → one operation → commit → flash + redirect. A ValidationFailed
re-renders the plan form (422) with the messages; other domain errors become the error page.
"""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.accounts.reauth import is_recent
from registry.accounts.scopes import scope_prefix
from registry.core import confirm, timeutil, unit_of_work
from registry.core.dashboard import register_dashboard_panel
from registry.core.errors import ValidationFailed
from registry.core.labels import register_history_labels
from registry.core.regions import region_prefix
from registry.core.versions import form_version
from registry.emergency import auth, confirmations, dashboard, export, presenting, queries
from registry.emergency import labels as _labels  # noqa: F401  (registers the list's vocabularies)
from registry.emergency import notices as emergency_notices
from registry.emergency import operations as ops
from registry.emergency.explain import render_explanation, status_label
from registry.emergency.minimum import floors
from registry.emergency.models import LEVELS
from registry.emergency.orders import alert_orders
from registry.emergency.presenting import chart_data, level_totals, pack_season, pack_title
from registry.extensions import db
from registry.grades.current import emergency_standing
from registry.notices import page as notice_page
from registry.notices.pdf import render_pdf, safe_filename, zip_response, zip_stream
from registry.policy.emergency import emergency_levels
from registry.policy.packs import get_pack, list_packs, pack_for_region

bp = Blueprint("emergency", __name__, url_prefix="/emergency")
bp.record_once(lambda state: register_history_labels(state.app, "emergency", presenting.history_view))
bp.record_once(lambda state: register_dashboard_panel(state.app, "emergency", dashboard.panel))  # issue 16


@bp.context_processor
def _pack_words():
    """Packs by their title and period in words on every emergency page (ids only in the 依据 detail)."""
    from registry.core.citations import cite

    return {"pack_title": pack_title, "pack_season": pack_season, "cite": cite}


def _me():
    return current_user._get_current_object()


def _official_only():
    me = _me()
    if not me.is_official:
        abort(403)
    return me


@bp.get("/")
@login_required
def index():
    me = _me()
    if me.role == "enterprise":
        if me.enterprise_id is None:
            abort(404)
        return redirect(url_for("emergency.plan", enterprise_id=me.enterprise_id))
    _official_only()
    lists = queries.lists_in_scope(scope_prefix(me))
    return render_template("emergency/index.html", lists=lists, packs=list_packs(),
                           can_compile=me.region_code and auth.can_manage_list(me, me.region_code),
                           region_code=me.region_code,
                           # The official's own region's pack first (as schedules do), never another city's.
                           default_pack=pack_for_region(me.region_code) if me.region_code else "",
                           pack_titles={p["id"]: pack_title(p) for p in list_packs()})


@bp.post("/lists")
@login_required
@confirm.keeps_input(lambda: index())
def compile_list():
    me = _me()
    lst = unit_of_work.run(ops.compile_list, me, {"region_code": request.form.get("region_code", me.region_code or ""),
                                                  "pack_id": request.form.get("pack_id", ""),
                                                  "note": request.form.get("note", "")})
    flash(_("List version %(n)s compiled.", n=lst.number), "success")
    return redirect(url_for("emergency.detail", list_id=lst.id))


def _area_page(region_code: str, status: int = 200, **context):
    from registry.core.templating import vocab_choices

    me = _me()
    rows = ops.list_area_sources(me, region_code)
    return render_template("emergency/area_sources.html", region_code=region_code, rows=rows, levels=LEVELS,
                           categories=vocab_choices("AreaSourceCategory"), can_manage=auth.can_manage_list(me, region_code),
                           field_labels=_area_field_labels(), **context), status


def _area_field_labels() -> dict[str, str]:
    """A refused source names the field by its label, never its key (issue 16)."""
    from registry.core import codes

    return {"region_code": _("Region"), "category": _("Category"), "pollutant": _("Pollutant"),
            "daily_kg": _("Daily emission (kg/d)"), "note": _("Source of the figure"), "version": _("Version"),
            **{f"reduction_{lv}": f"{codes.label('AlertLevel', lv)} %" for lv in LEVELS}}


@bp.get("/plans-missing")
@login_required
def plans_missing():
    """County and city officials: enterprises whose 一厂一策 plan is missing or incomplete, and the season's deadline."""
    from registry.emergency.completeness import missing_for

    me = _official_only()
    region = request.args.get("region") or me.region_code or ""
    season = request.args.get("season", type=int)
    pack, season, deadline, rows = missing_for(me, region, season, request.args.get("pack") or None)
    from registry.policy.packs import seasons

    return render_template("emergency/plans_missing.html", pack=pack, season=season, seasons=seasons(pack.id),
                           deadline=deadline, rows=rows, region=region, levels=emergency_levels(pack))


@bp.get("/area-sources")
@login_required
def area_sources():
    """The city's non-industrial sources: the rest of the society-wide base (000:143, 000:149)."""
    me = _official_only()
    return _area_page(request.args.get("region") or me.region_code or "")


@bp.post("/area-sources")
@login_required
def save_area_source():
    me = _official_only()
    data = {k: v for k, v in request.form.items() if k != "csrf_token"}
    for key in ("reduction_blue", "reduction_yellow", "reduction_orange", "reduction_red"):
        if data.get(key, "") == "":
            data.pop(key, None)
    try:
        ops.save_area_source(me, data)
    except ValidationFailed as err:
        db.session.rollback()
        confirm.keep(err)  # the form comes back with what was typed (issue 16 item 3)
        return _area_page(data.get("region_code", ""), err.status, message=err.message, errors=err.errors)
    unit_of_work.flush()
    flash(_("The source has been saved."), "success")
    return redirect(url_for("emergency.area_sources", region=data.get("region_code", "")))


@bp.post("/area-sources/<int:source_id>/delete")
@login_required
@confirm.required(confirmations.delete_area_source)
def delete_area_source(source_id: int):
    from registry.emergency.models import AreaSource

    me = _official_only()
    row = db.session.get(AreaSource, source_id)
    region = row.region_code if row is not None else ""
    unit_of_work.run(ops.delete_area_source, me, source_id)
    flash(_("The source has been deleted."), "success")
    return redirect(url_for("emergency.area_sources", region=region))


@bp.get("/lists/<int:list_id>")
@login_required
def detail(list_id: int):
    me = _me()
    lst = ops.get_list(me, list_id)
    pack = get_pack(lst.pack_id)
    levels = level_totals(lst, pack)
    proposals = queries.proposals_of(lst.id)
    return render_template("emergency/detail.html", lst=lst, pack=pack, levels=levels, chart=chart_data(levels),
                           proposals=proposals, can_manage=auth.can_manage_list(me, lst.region_code),
                           names=_names({p.enterprise_id for p in proposals}),
                           line_codes=_line_codes({p.line_id for p in proposals}),
                           changes=queries.changes_from_previous(lst), explain=render_explanation,
                           status_label=status_label, today=timeutil.beijing_today().isoformat(),
                           apply_blocker=queries.apply_blocker(lst) if proposals else None)


def _line_codes(ids) -> dict[int, str]:
    from sqlalchemy import select

    from registry.enterprises.models import ProductionLine

    return dict(db.session.execute(select(ProductionLine.id, ProductionLine.code).where(ProductionLine.id.in_(ids))).all()) if ids else {}


def _names(ids) -> dict[int, str]:
    from sqlalchemy import select

    from registry.enterprises.models import Enterprise

    return dict(db.session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all()) if ids else {}


@bp.post("/lists/<int:list_id>/optimize")
@login_required
def optimize(list_id: int):
    report = unit_of_work.run(ops.propose, _me(), list_id, request.form.get("level", ""))
    flash(_("Optimizer: %(status)s in %(s)s s, %(n)s proposals.", status=status_label("solver", report.status), s=f"{report.seconds:.2f}",
            n=len(report.proposals)), "success" if report.reaches_targets else "error")
    return redirect(url_for("emergency.detail", list_id=list_id) + "#proposals")


def _password_again(list_id: int, anchor: str = ""):
    """Filing a version and accepting proposals change what a city files upward: the password again when the
    last check is older than REAUTH_MAX_AGE (registry/accounts/reauth.py, as require_recent_login does for user
    administration). A POST is not replayed: the user comes back to the list page and submits again. The scope
    check runs first, so nobody outside the list's region is asked for a password. The token API is exempt
    (a token is itself a credential; docs/emergency.md)."""
    ops._managed(_me(), list_id)
    if is_recent():
        return None
    return redirect(url_for("accounts.reauth", next=url_for("emergency.detail", list_id=list_id) + anchor))


def _proposal_page(proposal_id: int):
    from registry.emergency.models import Proposal

    return detail((db.session.get(Proposal, proposal_id) or abort(404)).list_id)


@bp.post("/proposals/<int:proposal_id>/decide")
@login_required
@confirm.keeps_input(_proposal_page)
def decide(proposal_id: int):
    from registry.emergency.models import Proposal

    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    if request.form.get("decision") == "accept" and (again := _password_again(proposal.list_id, "#proposals")):
        return again
    data = {"decision": request.form.get("decision", ""), "version": form_version(request.form.get("version"))}
    if request.form.get("measure"):
        data["measure"] = request.form["measure"]
    if request.form.get("percent"):
        data["percent"] = request.form.get("percent", type=float)
    proposal = unit_of_work.run(ops.decide_proposal, _me(), proposal_id, data)
    return redirect(url_for("emergency.detail", list_id=proposal.list_id) + "#proposals")


@bp.post("/lists/<int:list_id>/apply")
@login_required
def apply(list_id: int):
    if again := _password_again(list_id, "#proposals"):
        return again
    if not confirm.confirmed():  # after the password, before anything changes (issue 16 item 3)
        return confirm.ask(confirmations.apply_proposals(list_id))
    new = unit_of_work.run(ops.apply_proposals, _me(), list_id)
    flash(_("List version %(n)s made from the accepted proposals.", n=new.number), "success")
    return redirect(url_for("emergency.detail", list_id=new.id))


@bp.post("/lists/<int:list_id>/file")
@login_required
def file(list_id: int):
    if again := _password_again(list_id):
        return again
    if not confirm.confirmed():  # after the password, before anything changes (issue 16 item 3)
        return confirm.ask(confirmations.file_list(list_id))
    letterhead = {k: request.form.get(k, "") for k in ("issuing_authority", "document_number", "issued_on")}
    lst = unit_of_work.run(ops.file_list, _me(), list_id, letterhead)
    flash(_("List version %(n)s filed; it can no longer change.", n=lst.number), "success")
    return redirect(url_for("emergency.detail", list_id=list_id))


@bp.get("/lists/<int:list_id>/export.xlsx")
@login_required
def export_xlsx(list_id: int):
    lst = ops.get_list(_me(), list_id)
    data = export.to_xlsx(lst, get_pack(lst.pack_id))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"emergency-list-{lst.region_code}-v{lst.number}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _alert_args(lst):
    pack = get_pack(lst.pack_id)
    level = request.args.get("level", "")
    try:
        on = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        on = None
    if level not in emergency_levels(pack) or on is None or not (pack.period_start <= on < pack.period_end):
        raise ValidationFailed(_("Some fields are invalid."), {"date": [_("Enter a date inside the pack's period and one of its alert levels.")]})
    return on, level


NOTICES_PER_PAGE = 20  # the print-all page stays small (issue 16: no page over 100 KB); the PDF and ZIP have them all


def _notice_list(list_id: int, only: int | None):
    """The list whose notices are asked for. Officials: as the list page. An enterprise user: only its own notice
    of a filed list covering it (auth.can_view_own_notice); anything else is 404, as if it did not exist."""
    from registry.emergency.models import EmergencyList

    me = _me()
    if me.role == "enterprise":
        lst = db.session.get(EmergencyList, list_id)
        if lst is None or only is None or not auth.can_view_own_notice(me, lst, only):
            abort(404)
        return lst
    return ops.get_list(me, list_id)


def _notice_file(lst, on: date, level: str, name: str = "") -> str:
    base = f"emergency-notice-{lst.region_code}-v{lst.number}-{on.isoformat()}-{level}"
    return f"{base}-{safe_filename(name)}" if name else base
@bp.get("/mine")
@login_required
def mine():
    """我的应急减排措施 (issue 16): an enterprise's measures in each list its city filed, per line and alert level,
    and the way to its alert-day order. Its own rows only; officials use the lists themselves."""
    me = _me()
    if me.role != "enterprise" or not me.enterprise_id:
        abort(404)
    from registry.enterprises.models import Enterprise

    ent = db.session.get(Enterprise, me.enterprise_id)
    lists = []
    for lst in queries.filed_lists_naming(me.enterprise_id):
        pack = get_pack(lst.pack_id)
        levels = emergency_levels(pack) if pack else []
        lists.append({"id": lst.id, "region_code": lst.region_code, "number": lst.number, "filed_at": lst.filed_at,
                      "pack_title": pack.title if pack else lst.pack_id, "levels": levels,
                      "period_start": pack.period_start if pack else None, "period_end": pack.period_end if pack else None,
                      "lines": queries.own_entries(lst, me.enterprise_id)})
    return render_template("emergency/mine.html", ent=ent, lists=lists, today=timeutil.beijing_today())


@bp.get("/lists/<int:list_id>/orders")
@login_required
def orders(list_id: int):
    """Every enterprise's alert-day notice to post at the gate (NOTICES_PER_PAGE a page), one enterprise's
    (`enterprise_id`), or either as PDF (`format=pdf`, one notice a page)."""
    only = request.args.get("enterprise_id", type=int)
    if only is None and _me().role == "enterprise":
        only = _me().enterprise_id  # an enterprise reads its own order (issue 16), never the city's
    lst = _notice_list(list_id, only)
    on, level = _alert_args(lst)
    page = max(request.args.get("page", 1, type=int), 1)
    paged = only is None and not notice_page.wants_pdf()
    ids = queries.enterprise_ids_of(lst) if paged else []  # a page evaluates its own enterprises only (issue 16)
    wanted = only if only is not None else (set(ids[(page - 1) * NOTICES_PER_PAGE:page * NOTICES_PER_PAGE]) if paged else None)
    rows = alert_orders(lst, on, level, only=wanted)
    if only is not None and not rows:
        abort(404)
    items = [emergency_notices.enterprise_notice(lst, o, on, level) for o in rows]
    name = items[0]["addressee"]["name"] if only is not None else ""
    if notice_page.wants_pdf():
        return notice_page.respond("emergency/orders.html", items, _notice_file(lst, on, level, name) + ".pdf", pdf=True,
                                   on=on, level=level)
    official = _me().is_official
    total = len(ids) if paged else len(items)
    pages = max((total + NOTICES_PER_PAGE - 1) // NOTICES_PER_PAGE, 1)
    shown = items
    if only is None:
        for item in shown:
            item["own_url"] = url_for(".orders", list_id=lst.id, date=on.isoformat(), level=level,
                                      enterprise_id=int(item["key"]))
    args = {"list_id": lst.id, "date": on.isoformat(), "level": level}
    return notice_page.respond(
        "emergency/orders.html", shown, "", pdf=False, lst=lst, on=on, level=level, single=only is not None,
        official=official, page=page, pages=pages if only is None else 1, total=total,
        back_url=url_for(".detail", list_id=lst.id) if official else url_for("emergency.index"),
        pdf_url=url_for(".orders", **args, format="pdf", **({"enterprise_id": only} if only is not None else {})),
        zip_url=url_for(".orders_zip", **args) if official and only is None else None,
        xlsx_url=url_for(".orders_xlsx", **args) if official else None,
        page_url=lambda n: url_for(".orders", **args, page=n))


@bp.get("/lists/<int:list_id>/orders.zip")
@login_required
def orders_zip(list_id: int):
    """One PDF per enterprise in a ZIP, streamed: each member is sent as soon as it is rendered (officials)."""
    if not _me().is_official:
        abort(404)  # an enterprise has its own notice only (404 as for anything it cannot see)
    lst = ops.get_list(_me(), list_id)
    on, level = _alert_args(lst)
    items = [emergency_notices.enterprise_notice(lst, o, on, level) for o in alert_orders(lst, on, level)]
    root = request.url_root

    def render(item: dict):
        return lambda: render_pdf(notice_page.render_html("emergency/orders.html", [item], pdf=True, on=on, level=level), root)

    members = ((f"{i + 1:04d}-{safe_filename(item['addressee']['name'])}.pdf", render(item)) for i, item in enumerate(items))
    return zip_response(stream_with_context(zip_stream(members)), _notice_file(lst, on, level) + ".zip")


@bp.get("/lists/<int:list_id>/orders.xlsx")
@login_required
def orders_xlsx(list_id: int):
    """All of the day's orders as one file (the same rows as the notices)."""
    lst = ops.get_list(_me(), list_id)
    on, level = _alert_args(lst)
    data = export.orders_xlsx(alert_orders(lst, on, level), on, level)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"emergency-orders-{lst.region_code}-{on.isoformat()}-{level}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/enterprises/<int:enterprise_id>/plan")
@login_required
def plan(enterprise_id: int):
    me = _me()
    pack_id = request.args.get("pack", "") or _default_pack(enterprise_id)
    entries = ops.prefill(me, enterprise_id, pack_id)
    return _plan_page(enterprise_id, pack_id, entries, {}, 200)


def _default_pack(enterprise_id: int) -> str:
    """The pack of the newest list whose region covers the enterprise; else its region's pack (the deployment's
    region → pack table, GRADE_WORKFLOW_PACKS; a Shijiazhuang enterprise never starts on another city's pack)."""
    from registry.enterprises.models import Enterprise
    from registry.policy.packs import pack_for_region

    ent = db.session.get(Enterprise, enterprise_id)
    if ent is not None:
        for lst in queries.lists_in_scope(None):
            if ent.region_code.startswith(region_prefix(lst.region_code)):
                return lst.pack_id
        return pack_for_region(ent.region_code)
    return list_packs()[0]["id"]


def _plan_page(enterprise_id: int, pack_id: str, entries: list[dict], errors: dict, status: int):
    me = _me()
    ent = ops._enterprise(me, enterprise_id)
    pack = get_pack(pack_id) or abort(404)
    levels = emergency_levels(pack)
    standing = emergency_standing([ent.id]).get(ent.id)
    grade = standing.worst() if standing is not None else None
    floor = floors(ent, pack, levels, standing)
    by_key = {(e["line_id"], e["level"]): e for e in entries}
    latest = queries.latest_plan(ent.id, pack.id)
    return render_template("emergency/plan.html", ent=ent, pack=pack, levels=levels, lines=list(ent.lines),
                           entries=by_key, floor=floor, grade=grade, errors=errors, latest=latest,
                           can_write=auth.can_write_plan(me, ent), packs=list_packs(), all_levels=LEVELS,
                           notice_lists=emergency_notices.filed_lists_for(ent)), status


@bp.post("/enterprises/<int:enterprise_id>/plan")
@login_required
def save_plan(enterprise_id: int):
    me = _me()
    pack_id = request.form.get("pack_id", "")
    ent = ops._enterprise(me, enterprise_id)
    pack = get_pack(pack_id) or abort(404)
    entries = []
    for line in ent.lines:
        for level in emergency_levels(pack):
            key = f"{line.id}.{level}"
            entries.append({"line_id": line.id, "level": level, "measure": request.form.get(f"measure.{key}", "none"),
                            "percent": request.form.get(f"percent.{key}", type=float) or 0.0,
                            "key_indicators": request.form.get(f"indicators.{key}", ""),
                            "responsible_person": request.form.get(f"person.{key}", ""),
                            "contact": request.form.get(f"contact.{key}", "")})
    try:
        unit_of_work.run(ops.save_plan, me, enterprise_id, {"pack_id": pack_id, "entries": entries})
    except ValidationFailed as err:
        db.session.rollback()
        flash(err.message, "error")
        errors = {}
        for k, msgs in err.errors.items():
            if k.startswith("entries."):
                e = entries[int(k.split(".")[1])]
                errors[(e["line_id"], e["level"])] = msgs
            else:
                errors[k] = msgs
        return _plan_page(enterprise_id, pack_id, entries, errors, 422)
    flash(_("Plan saved as a draft."), "success")
    return redirect(url_for("emergency.plan", enterprise_id=enterprise_id, pack=pack_id))


@bp.post("/plans/<int:plan_id>/file")
@login_required
@confirm.required(confirmations.file_plan)
def file_plan(plan_id: int):
    plan = unit_of_work.run(ops.file_plan, _me(), plan_id)
    flash(_("Plan version %(n)s filed.", n=plan.number), "success")
    return redirect(url_for("emergency.plan", enterprise_id=plan.enterprise_id, pack=plan.pack_id))
