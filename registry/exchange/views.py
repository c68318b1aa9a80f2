"""Exchange pages: template download, upload with a dry run and a report page, the annotated workbook, exports.

Thin handlers over exchange.operations. An upload is kept (per user, for a day) between the
dry run and the real import, so "Import now" re-checks exactly the file that was shown; the
real import commits once, all rows or none.
"""
from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.core import dictionary as dd
from registry.core import unit_of_work
from registry.core.errors import TooBusy
from registry.exchange import operations as ops
from registry.exchange.reader import limit
from registry.extensions import db

bp = Blueprint("exchange", __name__, url_prefix="/exchange")


@bp.url_value_preprocessor
def _allow_large_uploads(_endpoint, _values):
    """Workbooks are bigger than the app's 8 MiB body limit; raised here, before CSRF checking reads the form."""
    request.max_content_length = limit("EXCHANGE_MAX_BYTES") + 1024 * 1024  # enterprise accounts: smaller, in reader


def _actor():
    return current_user._get_current_object()


def _send(download: ops.Download):
    return send_file(io.BytesIO(download.data), mimetype=download.mimetype, as_attachment=True,
                     download_name=download.filename)


def _index(status: int = 200, **context):
    lang = _current_lang()
    kinds = [(s.key, s.title(lang)) for s in dd.SHEETS]
    limits = ops.read_limits(_actor())  # the user's own limits (enterprise accounts: the self-service ones)
    return render_template("exchange/index.html", kinds=kinds, max_mib=limits.max_bytes // 1048576,
                           max_rows=limits.max_rows, **context), status


@bp.get("/")
@login_required
def index():
    return _index()


@bp.get("/template")
@login_required
def template():
    return _send(ops.template(_actor(), _headers_lang()))


def _headers_lang() -> str:
    """The workbook's header language: `?headers=en` (a download's own choice, which must not switch the pages to
    English — `?lang=` does, for the session), else the reader's language."""
    chosen = request.args.get("headers") or request.args.get("lang")
    return chosen if chosen in ("zh", "en") else _current_lang()


def _current_lang() -> str:
    from registry.core.templating import is_zh

    return "zh" if is_zh() else "en"


@bp.get("/export/<kind>")
@login_required
def export(kind: str):
    return _send(ops.export(_actor(), kind, request.args.get("format", "xlsx"), _headers_lang()))


@bp.post("/import")
@login_required
def upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(422, message=_("Choose a file to upload."))
    data = upload.read()
    dry_run = bool(request.form.get("dry_run"))
    outcome = ops.import_workbook(_actor(), data, upload.filename, dry_run=dry_run)
    return _finish(outcome, data, upload.filename)


@bp.post("/import/<token>")
@login_required
def confirm(token: str):
    data, filename = ops.load_upload(_actor(), token)
    outcome = ops.import_workbook(_actor(), data, filename, dry_run=False)
    return _finish(outcome, data, filename, token=token)


def _finish(outcome: ops.ImportOutcome, data: bytes, filename: str, token: str | None = None):
    report = outcome.report
    if report.written:
        unit_of_work.flush()
    else:
        db.session.rollback()
    not_kept = None
    if outcome.book is not None and (report.dry_run or not report.ok):
        try:
            token = token or ops.store_upload(_actor(), data, filename)
        except TooBusy as err:  # over the upload quota: the report stands, without "Import now"
            not_kept = err.message
    elif token and report.written:
        ops.forget_upload(_actor(), token)
        token = None
    status = 200 if report.ok else 422
    return render_template("exchange/report.html", report=report.as_dict(), token=token, not_kept=not_kept,
                           can_confirm=report.ok and report.dry_run and token is not None), status


@bp.get("/import/<token>/report.xlsx")
@login_required
def annotated(token: str):
    data, filename = ops.load_upload(_actor(), token)
    outcome = ops.import_workbook(_actor(), data, filename, dry_run=True)
    db.session.rollback()
    return _send(ops.report_workbook(outcome))
