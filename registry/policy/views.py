"""The county supervision listing page (挂牌督办, 000:71, R-V-05) with its CSV and Excel exports, for officials
within their region (registry/policy/supervision.py)."""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_login import current_user, login_required

from registry.core.errors import ValidationFailed
from registry.policy import labels as engine_labels  # noqa: F401  (registers the engine's vocabularies)
from registry.policy import supervision

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


def _args(me) -> tuple[list[dict], str, date | None, str | None]:
    if not me.is_official:
        abort(403)
    packs = supervision.supervision_packs()
    pack_id = request.args.get("pack") or (packs[0]["id"] if packs else "")
    raw = request.args.get("on") or ""
    try:
        on = date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400)
    county = request.args.get("county") or None
    if county is not None and not (county.isdigit() and len(county) == 6):
        abort(400)
    return packs, pack_id, on, county


def _run():
    me = current_user._get_current_object()
    packs, pack_id, on, county = _args(me)
    return packs, supervision.county_listing(me, pack_id, on, county)


@bp.get("/")
@login_required
def listing():
    """The listing over the official's scope, or — a scope of more than PAGE_LIMIT enterprises (a city, the
    province: issue 18) — over the county chosen first (选择区县), so the page never runs the engine for thousands
    of enterprises while a person waits; the exports cover the whole scope."""
    me = current_user._get_current_object()
    packs, pack_id, on, county = _args(me)
    counties = supervision.counties_in_scope(me)
    if county is not None and county not in {c["code"] for c in counties}:
        abort(404)  # a county outside the scope, or without enterprises: nothing to list
    total = sum(c["enterprises"] for c in counties)
    choose = county is None and len(counties) > 1 and total > supervision.PAGE_LIMIT
    try:
        pack, day, rows = supervision.county_listing(me, pack_id, on, county if not choose else "")
    except ValidationFailed:
        abort(422)
    return render_template("supervision/listing.html", packs=packs, pack=pack, day=day, rows=[] if choose else rows,
                           note_text=supervision.note_text, counties=counties if len(counties) > 1 else [],
                           county=county, choose=choose, total=total)


@bp.get("/export.csv")
@login_required
def export_csv():
    _packs, (pack, day, rows) = _run()
    return Response(supervision.to_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=supervision-listing-{pack.id}-{day.isoformat()}.csv",
        "Cache-Control": "no-store"})


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    _packs, (pack, day, rows) = _run()
    return send_file(io.BytesIO(supervision.to_xlsx(pack, day, rows)), as_attachment=True,
                     download_name=f"supervision-listing-{pack.id}-{day.isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
