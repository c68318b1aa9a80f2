"""Schedule pages: officials generate, resolve flags, decide applications, publish and compare;
enterprises see their own entries and apply; the public sees published versions only.

Handlers are thin: parse the form → call ONE operation → commit → redirect. A refused
operation (422/403/404/409) is shown by the application's error page with its message.
"""
from __future__ import annotations

from dataclasses import asdict
from functools import wraps

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from registry.accounts.reauth import is_recent
from registry.core import confirm, unit_of_work
from registry.core.confirm import keeps_input
from registry.core.dashboard import register_dashboard_panel
from registry.core.templating import region_name, vocab_label
from registry.extensions import db
from registry.notices import page as notice_page
from registry.notices.pdf import render_pdf, safe_filename, zip_response, zip_stream
from registry.policy.packs import list_packs, pack_for_region
from registry.schedules import auth, confirmations, dashboard, diffing, export, labels, provenance, queries, runner
from registry.schedules import notices as schedule_notices
from registry.schedules import operations as ops
from registry.schedules.models import ScheduleVersion

bp = Blueprint("schedules", __name__, url_prefix="/schedules")
public_bp = Blueprint("public_schedules", __name__, url_prefix="/public/schedules")
bp.record_once(lambda state: register_dashboard_panel(state.app, "schedules", dashboard.panel))  # issue 16

ENTRY_PAGE = 50  # entries a page (issue 16: a county's 1,750 lines were 1.3 MB of HTML); the Excel export has them all


for _name, _filter in labels.FILTERS.items():
    bp.add_app_template_filter(_filter, _name)


def _form() -> dict:
    """The posted fields; a field left empty is not given (an empty optional number is allowed, issue 16 item 3)."""
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "confirmed") and v.strip() != ""}


def _labels() -> dict:
    return {"measure_label": lambda m: vocab_label(m, "Measure"), "sector_label": lambda s: vocab_label(s, "Sector"),
            "region_label": region_name}


@bp.get("/")
@login_required
def index(typed: dict | None = None, errors: dict | None = None, status: int = 200):
    packs = [{"id": p["id"], "title": p["title"], "seasons": provenance.seasons(p["id"])} for p in list_packs()]
    drafting = current_user.is_official and current_user.role in auth.DRAFTING_ROLES
    # The form starts on the official's own pack and its first season (not the alphabetically first city's).
    own = pack_for_region(current_user.region_code) if current_user.region_code else ""
    seasons = next((p["seasons"] for p in packs if p["id"] == own), [])
    typed = typed or {}
    return render_template("schedules/index.html", schedules=queries.list_schedules(current_user), packs=packs,
                           drafting=drafting, region_code=typed.get("region_code", current_user.region_code or ""),
                           default_pack=typed.get("pack_id", own),
                           default_season=typed.get("season_year", seasons[0] if seasons else ""),
                           title=typed.get("title", ""), errors=errors or {}), status


@bp.post("/")
@login_required
@keeps_input(lambda: index())
def create():
    from registry.core.errors import ValidationFailed
    from registry.core.regions import resolve

    data = _form()
    # the region picker posts a code; without JavaScript the box may hold a name (安次区) or 'name (code)'
    data["region_code"], problem = resolve(data.get("region_code"))
    try:
        if problem:
            raise ValidationFailed(problem, {"region_code": [problem]})
        schedule = ops.create_schedule(current_user, data)
    except ValidationFailed as err:  # the form comes back with what was typed, each message beside its field
        db.session.rollback()
        return index(typed=_form(), errors=err.errors, status=422)
    unit_of_work.flush()
    runner.start(current_user, schedule.id)  # returns at once; the page shows the progress
    return redirect(url_for(".detail", schedule_id=schedule.id))


def _pack_title(pack_id: str) -> str:
    """The pack's title in the reader's language (the pack id stays on hover)."""
    from registry.core.codes import is_zh
    from registry.policy.packs import list_packs

    pack = next((p for p in list_packs() if p.get("id") == pack_id), None)
    if pack is None:
        return pack_id
    return (pack.get("title") if is_zh() else pack.get("title_en")) or pack.get("title") or pack_id


@bp.get("/<int:schedule_id>")
@login_required
def detail(schedule_id: int):
    schedule = ops.get_schedule(current_user, schedule_id)
    chosen = request.args.get("version", type=int)
    if chosen:  # a version picked from the list (an enterprise: published, or a draft sent to it)
        version = ops.get_version(current_user, chosen)
        if version.schedule_id != schedule.id:
            abort(404)
    else:
        version = ops.shown_version(current_user, schedule)
    official = current_user.is_official
    drafting = auth.can_draft_schedule(current_user, schedule.region_code)
    # issue 18 item 4: one page of entries read; the count, summary, flags and ratios asked of the database
    from registry.core.pagination import Page

    number = max(1, request.args.get("page", 1, type=int) or 1)
    total = queries.entry_count(current_user, version) if version else 0
    rows = queries.entry_rows(current_user, version, offset=(number - 1) * ENTRY_PAGE, limit=ENTRY_PAGE) if version else []
    entry_page = Page(items=rows, page=number, per_page=ENTRY_PAGE, total=total)
    stale = ops.out_of_date(version) if version is not None and version.published and official else None
    unfiled = queries.unfiled_of(current_user, version) if version else {}
    apps = [{"id": a.id, "enterprise_id": a.enterprise_id, "line_ref": a.line_ref, "kind": a.kind, "clause": a.clause,
             "evidence": a.evidence, "start": a.requested_start, "end": a.requested_end, "max_load": a.max_load,
             "status": a.status, "decision_reason": a.decision_reason, "residual": a.residual, "row_version": a.row_version}
            for a in queries.applications(current_user, schedule)]
    own_lines = (queries.own_line_refs(current_user, version) if version and auth.can_apply(current_user, current_user.enterprise_id)
                 else [])
    flag_number = max(1, request.args.get("flags_page", 1, type=int) or 1)  # issue 16: 25 decisions a page
    flags, flag_total = queries.flagged_page_of(current_user, version, flag_number, 25) if official and version else ([], 0)
    flagged_page = Page(items=flags, page=flag_number, per_page=25, total=flag_total)
    return render_template(
        "schedules/detail.html", schedule={"id": schedule.id, "title": schedule.title, "region_code": schedule.region_code,
                                           "pack_id": schedule.pack_id, "season_year": schedule.season_year,
                                           "pack_title": _pack_title(schedule.pack_id)},
        version=queries.version_dict(version) if version else None,
        versions=[dict(queries.version_dict(v), sent=auth.draft_sent_to(current_user.enterprise_id, v))
                  for v in ops.versions_for(current_user, schedule)],
        rows=rows, entry_page=entry_page, total=total,
        flagged=flagged_page.items, flagged_page=flagged_page,
        summary=queries.summary_of(current_user, version) if version else queries.summary([]), stale=stale, unfiled=unfiled,
        unfiled_notes={u: queries.unfiled_note(c) for u, c in unfiled.items()},
        filed_ratios=queries.filed_ratio_lines_of(current_user, version) if official and version else [],
        applications=apps, drafting=drafting, own_lines=own_lines, enterprise_id=current_user.enterprise_id,
        generation=runner.status(version) if version else None)


@bp.post("/<int:schedule_id>/generate")
@login_required
def generate(schedule_id: int):
    """Regenerate the draft, or open a new version after a publication, in the background."""
    runner.start(current_user, schedule_id)
    return redirect(url_for(".detail", schedule_id=schedule_id))


@bp.get("/<int:schedule_id>/progress.json")
@login_required
def progress(schedule_id: int):
    """The latest version's generation: state, done/total, phase, error (polled by static/js/schedule_progress.js)."""
    schedule = ops.get_schedule(current_user, schedule_id)
    version = ops.latest_version(schedule)
    if version is None:
        abort(404)
    db.session.refresh(version)  # the worker writes it from another session
    return jsonify(runner.status(version))


def _fresh_login(view):
    """Publishing, filing and deciding applications ask for the password again after REAUTH_MAX_AGE
    (accounts/reauth.py). A POST is not replayed: the official comes back to the schedule page and submits again."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_recent():
            back = request.form.get("back") or request.referrer or ""
            back = back if back.startswith("/") and not back.startswith("//") else url_for(".index")
            return redirect(url_for("accounts.reauth", next=back))
        return view(*args, **kwargs)
    return wrapper


@bp.post("/<int:schedule_id>/flags")
@login_required
@keeps_input(lambda schedule_id: detail(schedule_id))
def choose(schedule_id: int):
    ops.record_flag_choice(current_user, schedule_id, _form())
    unit_of_work.flush()
    return redirect(url_for(".detail", schedule_id=schedule_id) + "#flags")


@bp.post("/<int:schedule_id>/publish")
@login_required
@_fresh_login
@keeps_input(lambda schedule_id: detail(schedule_id))
@confirm.required(confirmations.publish)
def publish(schedule_id: int):
    ops.publish(current_user, schedule_id, _form())
    unit_of_work.flush()
    return redirect(url_for(".detail", schedule_id=schedule_id))


@bp.post("/<int:schedule_id>/applications")
@login_required
@keeps_input(lambda schedule_id: detail(schedule_id))
def apply(schedule_id: int):
    ops.apply(current_user, schedule_id, current_user.enterprise_id or 0, _form())
    unit_of_work.flush()
    return redirect(url_for(".detail", schedule_id=schedule_id) + "#applications")


@bp.post("/applications/<int:application_id>/decide")
@login_required
@_fresh_login
@keeps_input(lambda application_id: detail(ops.get_application(current_user, application_id).schedule_id))
@confirm.required(confirmations.decide)
def decide(application_id: int):
    data = _form()
    data["approve"] = data.get("approve") == "1"
    app = ops.decide_application(current_user, application_id, data)
    unit_of_work.flush()
    return redirect(url_for(".detail", schedule_id=app.schedule_id) + "#applications")


@bp.get("/versions/<int:version_id>/diff")
@login_required
def diff(version_id: int):
    new = ops.get_version(current_user, version_id)
    against = request.args.get("against", type=int) or new.supersedes_id
    if not against:
        abort(404)
    old = ops.get_version(current_user, against)
    if old.schedule_id != new.schedule_id:
        abort(404)
    changes = diffing.diff(queries.diff_rows(current_user, old), queries.diff_rows(current_user, new))
    return render_template("schedules/diff.html", old=queries.version_dict(old), new=queries.version_dict(new),
                           schedule_id=new.schedule_id, changes=[asdict(c) for c in changes])


@bp.get("/versions/<int:version_id>/export.xlsx")
@login_required
def export_xlsx(version_id: int):
    version = ops.get_version(current_user, version_id)
    return _xlsx(version, queries.entry_dicts(queries.entries(current_user, version)))


def _xlsx(version: ScheduleVersion, rows: list[dict]) -> Response:
    data = export.write_xlsx(rows, f"{version.schedule.title or version.pack_id} v{version.number}", **_labels(),
                             unfiled=queries.unfiled_for_rows(rows))
    name = f"schedule-{version.region_code}-{version.pack_id}-v{version.number}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


# ---- public -------------------------------------------------------------------------------------

PUBLIC_FIELDS = ("enterprise_name", "uscc", "region_code", "sector", "line_ref", "line_name", "phase_start", "phase_end",
                 "measure", "percentage_min", "percentage_max", "basis", "coking_time_hours", "windows", "reasons",
                 "residual_obligations", "exemption")


def _public_rows(version: ScheduleVersion, rows: list[dict] | None = None) -> list[dict]:
    """A published list (or the given rows of it) without what the public need not see (flags, recorded choices,
    internal ids)."""
    rows = queries.entry_dicts(list(version.entries)) if rows is None else rows
    out = []
    for r in rows:
        row = {k: r[k] for k in PUBLIC_FIELDS}
        if row["exemption"]:
            row["exemption"] = {k: row["exemption"].get(k) for k in ("kind", "clause", "start", "end", "max_load", "residual")}
        out.append(row)
    return out


def _published(version_id: int) -> ScheduleVersion:
    version = db.session.get(ScheduleVersion, version_id)
    if version is None or not version.published:
        abort(404)
    return version


@public_bp.get("/")
def public_list():
    from registry.core.regions import resolve

    region, problem = resolve(request.args.get("region", "")[:60])
    versions = [] if problem else [dict(queries.version_dict(v), title=v.schedule.title, season_year=v.schedule.season_year)
                                   for v in queries.published_versions(region)]
    return render_template("schedules/public.html", versions=versions, region=region,
                           region_errors=[problem] if problem else [])


@public_bp.get("/<int:version_id>")
def public_detail(version_id: int):
    from registry.core.pagination import Page

    version = _published(version_id)
    # issue 18 item 4: one page of entries read, the total counted in the database
    number = max(1, request.args.get("page", 1, type=int) or 1)
    total = queries.entry_count(None, version)
    rows = _public_rows(version, queries.entry_rows(None, version, offset=(number - 1) * ENTRY_PAGE, limit=ENTRY_PAGE))
    return render_template("schedules/public_detail.html", version=queries.version_dict(version),
                           title=version.schedule.title, rows=rows,
                           entry_page=Page(items=rows, page=number, per_page=ENTRY_PAGE, total=total), total=total)


@public_bp.get("/<int:version_id>/export.xlsx")
def public_xlsx(version_id: int):
    version = _published(version_id)
    rows = [dict(r, reasons=r["reasons"], exemption=({**r["exemption"], "application_id": ""} if r["exemption"] else None))
            for r in _public_rows(version)]
    return _xlsx(version, rows)


@bp.get("/versions/<int:version_id>/calendar")
@login_required
def calendar_page(version_id: int):
    """Officials: a Gantt per sector and the summary charts; an enterprise: the calendar of its lines."""
    from registry.schedules import calendar

    version = ops.get_version(current_user, version_id)
    # issue 18 item 4: the summary by aggregate SQL; only the drawn lines' entries read, with the drawn columns
    summary = queries.summary_of(current_user, version)
    rows = queries.gantt_rows(current_user, version, calendar.GANTT_LINES)
    return render_template("schedules/calendar.html", version=queries.version_dict(version), schedule_id=version.schedule_id,
                           gantt=calendar.gantt(rows, version.season_start, version.season_end, calendar.GANTT_LINES),
                           summary=summary,
                           measure_bars=calendar.bars(summary["by_measure"]), colours=calendar.COLOURS,
                           sector_bars=calendar.bars({s: sum(c.get(m, 0) for m in ("stop", "curtail", "extend_coking", "max_load"))
                                                      for s, c in summary["by_sector"].items()}))


@bp.get("/versions/<int:version_id>/notice/<int:enterprise_id>")
@login_required
def notice(version_id: int, enterprise_id: int):
    """One enterprise's staggered-production notice, to print or as PDF (`?format=pdf`); an enterprise gets only
    its own (its entries are the only ones it can read: another id finds no line → 404)."""
    version = ops.get_version(current_user, version_id)
    if current_user.role == "enterprise" and not version.published:
        abort(404)  # a notice is handed over for a filed list, never for a draft (issue 16)
    rows = queries.entry_dicts(queries.entries(current_user, version, enterprise_id))
    if not rows:
        abort(404)
    notice = schedule_notices.enterprise_notice(version, rows)
    return notice_page.respond("schedules/notice.html", [notice], _notice_file(version, notice["addressee"]["name"]) + ".pdf",
                               back_url=url_for(".detail", schedule_id=version.schedule_id),
                               pdf_url=url_for(".notice", version_id=version_id, enterprise_id=enterprise_id, format="pdf"))


NOTICES_PER_PAGE = 20  # the print-all page stays small (issue 16: no page over 100 KB); the PDF and ZIP have them all


def _notice_file(version: ScheduleVersion, name: str = "") -> str:
    base = f"schedule-notice-{version.region_code}-{version.schedule.season_year}-v{version.number}"
    return f"{base}-{safe_filename(name)}" if name else base


def _all_notices(version_id: int) -> tuple[ScheduleVersion, list[dict]]:
    """Every enterprise's notice in the official's scope (an enterprise has only its own notice: 404 here)."""
    if not current_user.is_official:
        abort(404)
    version = ops.get_version(current_user, version_id)
    return version, schedule_notices.notices_of(version, queries.entry_dicts(queries.entries(current_user, version)))


@bp.get("/versions/<int:version_id>/notices")
@login_required
def notices(version_id: int):
    """Every enterprise's notice: printed from the page (NOTICES_PER_PAGE a page), or one PDF (`?format=pdf`,
    one notice a page)."""
    version, items = _all_notices(version_id)
    if notice_page.wants_pdf():
        return notice_page.respond("schedules/notice.html", items, _notice_file(version) + ".pdf", pdf=True)
    page = max(request.args.get("page", 1, type=int), 1)
    pages = max((len(items) + NOTICES_PER_PAGE - 1) // NOTICES_PER_PAGE, 1)
    shown = items[(page - 1) * NOTICES_PER_PAGE:page * NOTICES_PER_PAGE]
    return notice_page.respond("schedules/notice.html", shown, "", pdf=False, page=page, pages=pages, total=len(items),
                               back_url=url_for(".detail", schedule_id=version.schedule_id),
                               pdf_url=url_for(".notices", version_id=version_id, format="pdf"),
                               zip_url=url_for(".notices_zip", version_id=version_id),
                               page_url=lambda n: url_for(".notices", version_id=version_id, page=n))


@bp.get("/versions/<int:version_id>/notices.zip")
@login_required
def notices_zip(version_id: int):
    """One PDF per enterprise in a ZIP, streamed: each member is sent as soon as it is rendered."""
    version, items = _all_notices(version_id)
    root = request.url_root

    def render(item: dict):
        return lambda: render_pdf(notice_page.render_html("schedules/notice.html", [item], pdf=True), root)

    members = ((f"{i + 1:04d}-{safe_filename(item['addressee']['name'])}.pdf", render(item)) for i, item in enumerate(items))
    return zip_response(stream_with_context(zip_stream(members)), _notice_file(version) + ".zip")
