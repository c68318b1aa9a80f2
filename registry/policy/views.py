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


def _run():
    me = current_user._get_current_object()
    if not me.is_official:
        abort(403)
    packs = supervision.supervision_packs()
    pack_id = request.args.get("pack") or (packs[0]["id"] if packs else "")
    raw = request.args.get("on") or ""
    try:
        on = date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400)
    return packs, supervision.county_listing(me, pack_id, on)


@bp.get("/")
@login_required
def listing():
    try:
        packs, (pack, day, rows) = _run()
    except ValidationFailed:
        abort(422)
    return render_template("supervision/listing.html", packs=packs, pack=pack, day=day, rows=rows,
                           note_text=supervision.note_text)


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
