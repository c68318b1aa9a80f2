"""Report pages (issue 17, after each episode): the episode report, the overview of the episodes in the official's
scope by city (the province's view), and the monthly report (D-20, 001:121); each also as Excel (and the episode
report as PDF where registry/notices provides render_pdf). Reads only: registry/alerts/report.py computes."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.alerts import auth, report
from registry.alerts import operations as ops
from registry.alerts.models import LEVELS
from registry.core import codes, timeutil, unit_of_work

bp = Blueprint("alert_reports", __name__, url_prefix="/alerts/reports")
reminders_bp = Blueprint("alert_reminders", __name__, url_prefix="/alerts/reminders")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _me():
    return current_user._get_current_object()


def _official(me) -> None:
    if not auth.can_list_episodes(me):
        abort(403)


def _level(code: str) -> str:
    return codes.label("AlertLevel", code)


def episode_charts(r: dict) -> dict:
    """Chart data with labels only (no codes in legends or axes): timeline, orders per county, reductions."""
    tl = report.timeline_chart(r, _level)
    counties = r["orders"]["counties"]
    red = {"levels": [], "series": []}
    for city in r["reductions"]:
        for lv in city["levels"]:
            red["levels"].append(_level(lv["level"]) if len(r["reductions"]) == 1 else f"{city['region_name']} {_level(lv['level'])}")
    pols = report.POLLUTANTS
    for p in pols:
        vals, targets = [], []
        for city in r["reductions"]:
            for lv in city["levels"]:
                row = next((x for x in lv["pollutants"] if x["pollutant"] == p), None)
                vals.append(row["percent"] if row else None)
                targets.append(row["target_percent"] if row else None)
        red["series"].append({"name": codes.label("Pollutant", p), "reduction": vals,
                              "target_name": _("%(pollutant)s target", pollutant=codes.label("Pollutant", p)),
                              "target": targets})
    return {"timeline": tl, "counties": {"names": [c["region_name"] for c in counties],
                                         "series": [{"name": codes.label("alerts.state", k), "data": [c[k] for c in counties]}
                                                    for k in ("delivered", "read", "acknowledged")]
                                         + [{"name": _("Orders issued"), "data": [c["issued"] for c in counties]}]},
            "reductions": red, "labels": {"time": _("Time (Beijing)"), "level": _("Level"), "percent": "%"}}


def summary_chart(data: dict) -> dict:
    cities = data["cities"]
    return {"names": [c["region_name"] for c in cities],
            "series": [{"name": _level(lv), "data": [c["days"][lv] for c in cities]} for lv in LEVELS],
            "ack": {"name": _("Acknowledgement rate") + " (%)", "data": [c["ack_rate"] for c in cities]},
            "labels": {"days": _("Days"), "percent": "%"}}


@bp.get("/")
@login_required
def index():
    """Every episode in the official's scope, by city: the province sees all its cities together."""
    me = _me()
    _official(me)
    data = report.summary(me)
    return render_template("alerts/report_summary.html", data=data, chart=summary_chart(data), levels=LEVELS,
                           month=timeutil.beijing_today().strftime("%Y-%m"))


@bp.get("/episodes/<int:episode_id>")
@login_required
def episode(episode_id: int):
    me = _me()
    ep = ops.get_episode(me, episode_id)
    r = report.episode_report(ep)
    return render_template("alerts/report_episode.html", r=r, ep=ep, chart=episode_charts(r), levels=LEVELS,
                           has_pdf=_render_pdf() is not None)


def _render_pdf():
    """registry.notices.render_pdf when the notices domain is merged; None otherwise (no second PDF path)."""
    import importlib  # optional until the notices branch is merged: a static import would name a missing module

    try:
        return importlib.import_module("registry.notices.pdf").render_pdf
    except ImportError:
        return None


@bp.get("/episodes/<int:episode_id>.xlsx")
@login_required
def episode_xlsx(episode_id: int):
    from registry.alerts.report_export import episode_xlsx as build

    ep = ops.get_episode(_me(), episode_id)
    return Response(build(report.episode_report(ep)), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="alert-episode-{ep.id}.xlsx"'})


@bp.get("/episodes/<int:episode_id>.pdf")
@login_required
def episode_pdf(episode_id: int):
    """The report as PDF through registry/notices' WeasyPrint path (the one PDF path of the app)."""
    ep = ops.get_episode(_me(), episode_id)
    render_pdf = _render_pdf()
    if render_pdf is None:
        abort(404)
    html = render_template("alerts/report_print.html", r=report.episode_report(ep), ep=ep, levels=LEVELS)
    return Response(render_pdf(html, request.url_root), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="alert-episode-{ep.id}.pdf"'})


def _month_args(me) -> tuple[int, int, str | None]:
    text = request.args.get("month") or timeutil.beijing_today().strftime("%Y-%m")
    try:
        year, month = report.parse_month(text)
    except ValueError:
        abort(400)
    region = request.args.get("region") or None
    if region is not None and (len(region) != 6 or not region.isdigit()):
        abort(400)
    return year, month, region


@bp.get("/monthly")
@login_required
def monthly():
    me = _me()
    _official(me)
    year, month, region = _month_args(me)
    data = report.monthly(me, year, month, region)
    return render_template("alerts/report_monthly.html", data=data, chart=summary_chart(data), levels=LEVELS)


@bp.get("/monthly.xlsx")
@login_required
def monthly_xlsx():
    from registry.alerts.report_export import monthly_xlsx as build

    me = _me()
    _official(me)
    year, month, region = _month_args(me)
    data = report.monthly(me, year, month, region)
    return Response(build(data), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="alert-monthly-{data["month_text"]}.xlsx"'})


@reminders_bp.post("/plans")
@login_required
def remind_plans():
    """The button on the plan-completeness page: a reminder to every enterprise whose plan is missing or incomplete."""
    from registry.alerts.reminders import remind_plans as send

    me = _me()
    _official(me)
    region = request.form.get("region") or me.region_code or ""
    season = request.form.get("season", type=int)
    pack = request.form.get("pack") or None
    out = unit_of_work.run(send, me, region, season, pack)
    flash(_("Reminders sent to %(n)s enterprises.", n=out["enterprises"]), "success")
    return redirect(url_for("emergency.plans_missing", region=region, season=out["season"], pack=out["pack"]))
