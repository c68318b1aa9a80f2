"""Exchange use cases — template, import (dry run or real, all or nothing), annotated report, export — for pages, API and CLI.

Each checks its permission predicate first. An import writes inside the session's transaction
and flushes; the caller commits (pages, API, CLI alike). Any failure while writing rolls the
whole import back, so the registry never holds half a file.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from registry.core import dictionary as dd
from registry.core import timeutil
from registry.core.errors import Conflict, Forbidden, NotFound, TooBusy, Unauthenticated, ValidationFailed
from registry.exchange import auth, exporter, importer, reader, workbook
from registry.exchange.report import ImportReport, Problem
from registry.extensions import db

FORMATS = ("xlsx", "csv")
EXPORT_KINDS = ("all",) + exporter.KINDS
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"


@dataclass
class Download:
    data: bytes
    filename: str
    mimetype: str


@dataclass
class ImportOutcome:
    report: ImportReport
    book: reader.RawBook | None


def _require(allowed: bool, actor) -> None:
    if allowed:
        return
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(_("Please log in."))
    raise Forbidden(_("You do not have permission to do this."))


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "zh"


def template(actor, lang: str | None = "zh") -> Download:
    _require(auth.can_download_template(actor), actor)
    lang = _lang(lang)
    buf = io.BytesIO()
    workbook.write_xlsx(buf, {s.key: _empty(s) for s in dd.SHEETS}, lang, template=True)
    name = "lantian-import-template.xlsx" if lang == "en" else "蓝天登记-导入模板.xlsx"
    return Download(buf.getvalue(), name, XLSX_MIME)


def _empty(spec: dd.Sheet):
    import pandas as pd

    return pd.DataFrame({f.key: pd.Series(dtype=object) for f in spec.fields})


def export(actor, kind: str, fmt: str = "xlsx", lang: str | None = "zh") -> Download:
    _require(auth.can_export(actor), actor)
    lang = _lang(lang)
    if kind not in EXPORT_KINDS:
        raise ValidationFailed(_("Some fields are invalid."), {"kind": [_("Choose one of: %(allowed)s", allowed=", ".join(EXPORT_KINDS))]})
    if fmt not in FORMATS:
        raise ValidationFailed(_("Some fields are invalid."), {"format": [_("Choose one of: %(allowed)s", allowed=", ".join(FORMATS))]})
    if fmt == "csv" and kind == "all":
        raise ValidationFailed(_("Some fields are invalid."), {"kind": [_("A CSV file holds one sheet: choose enterprises, lines, equipment or permits.")]})
    kinds = exporter.KINDS if kind == "all" else (kind,)
    stamp = timeutil.beijing_today().strftime("%Y%m%d")
    if fmt == "csv":
        spec = dd.sheet(kind)
        frames = exporter.export_frames(actor, kinds)
        return Download(workbook.write_csv(frames[kind], spec, lang), f"lantian-{kind}-{stamp}.csv", CSV_MIME)
    buf = io.BytesIO()
    # streamed: a chunk of rows at a time from the database into the sheet XML (issue 18 item 2)
    workbook.write_xlsx_rows(buf, exporter.export_sources(actor, kinds), lang)
    return Download(buf.getvalue(), f"lantian-{kind}-{stamp}.xlsx", XLSX_MIME)


# ---- bounded imports (issue 13 High 2) ----

_slots_lock = threading.Lock()
_running: dict[str, int] = {}


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


@contextmanager
def import_slot(actor):
    """One import at a time per account, EXCHANGE_MAX_CONCURRENT_IMPORTS (2) in all, in this server process
    (waitress serves from one process): a second one is refused with 429 instead of doubling the memory."""
    key = str(getattr(actor, "id", None) or "system")
    per_user = _setting("EXCHANGE_MAX_CONCURRENT_IMPORTS_PER_USER", 1)
    total = _setting("EXCHANGE_MAX_CONCURRENT_IMPORTS", 2)
    with _slots_lock:
        if _running.get(key, 0) >= per_user:
            raise TooBusy(_("An import of yours is still being checked. Wait until it has finished, then try again."))
        if sum(_running.values()) >= total:
            raise TooBusy(_("Too many imports are being checked right now. Try again in a few minutes."))
        _running[key] = _running.get(key, 0) + 1
    try:
        yield
    finally:
        with _slots_lock:
            _running[key] -= 1
            if not _running[key]:
                del _running[key]


def read_limits(actor) -> reader.ReadLimits:
    """Enterprise accounts (open sign-up; they import their own enterprise's rows) get the self-service limits."""
    return reader.ReadLimits.from_config(self_service=getattr(actor, "role", None) == "enterprise")


def import_workbook(actor, data: bytes, filename: str, *, dry_run: bool, today: date | None = None) -> ImportOutcome:
    """Check every row; unless dry_run or anything is wrong, write all of it. The caller commits."""
    _require(auth.can_import(actor), actor)
    with import_slot(actor):
        return _import_workbook(actor, data, filename, dry_run=dry_run, today=today)


def _import_workbook(actor, data: bytes, filename: str, *, dry_run: bool, today: date | None) -> ImportOutcome:
    try:
        book = reader.read_upload(data, filename or "upload", read_limits(actor))
    except reader.FileRejected as err:
        report = ImportReport(filename, dry_run)

        report.problems = [Problem("file", filename, 0, "", None, err.message)]
        report.error_total, report.warning_total = 1, 0
        return ImportOutcome(report, None)
    try:
        report = importer.run(actor, book, dry_run=dry_run, today=today)
        if report.written:
            db.session.flush()
    except IntegrityError as err:
        db.session.rollback()
        raise Conflict(_("The registry changed while the file was being imported (a key is now taken). Nothing was "
                         "imported; upload the file again.")) from err
    except Exception:
        db.session.rollback()
        raise
    return ImportOutcome(report, book)


def report_workbook(outcome: ImportOutcome) -> Download:
    if outcome.book is None:
        raise ValidationFailed(outcome.report.problems[0].reason if outcome.report.problems else _("The file could not be read."))
    buf = io.BytesIO()
    workbook.write_report(buf, outcome.report, outcome.book)
    stem = os.path.splitext(os.path.basename(outcome.report.filename or "upload"))[0]
    return Download(buf.getvalue(), f"{stem}-report.xlsx", XLSX_MIME)


# ---- uploads kept between the dry run and the real import (pages) ----

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600


def _upload_dir() -> str:
    path = os.path.join(current_app.instance_path, "exchange-uploads")
    os.makedirs(path, exist_ok=True)
    return path


def _stored(folder: str, prefix: str = "") -> list[tuple[float, int, str]]:
    """(modified, bytes, path) of the kept uploads (of one account with its `id-` prefix), oldest first."""
    out = []
    for name in os.listdir(folder):
        if prefix and not name.startswith(prefix):
            continue
        full = os.path.join(folder, name)
        try:
            st = os.stat(full)
        except OSError:
            continue
        out.append((st.st_mtime, st.st_size, full))
    return sorted(out)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def store_upload(actor, data: bytes, filename: str) -> str:
    """Keep an upload for its confirmation and annotated report, within the quotas (issue 13 Medium 10).

    Each account keeps at most EXCHANGE_UPLOADS_PER_USER files and EXCHANGE_UPLOADS_PER_USER_BYTES; all
    accounts together EXCHANGE_UPLOADS_TOTAL_BYTES. Uploads older than a day go first, then the oldest
    (the account's own for its quota, anyone's for the total). A file larger than a quota is not kept
    (TooBusy: the report is still shown, without "Import now")."""
    _require(auth.can_import(actor), actor)
    folder = _upload_dir()
    now = time.time()
    for mtime, _size, full in _stored(folder):  # forget uploads older than a day
        if now - mtime > KEEP_SECONDS:
            _remove(full)
    safe_name = re.sub(r"[\\/\x00-\x1f]", "_", filename or "upload")[:120]
    content = safe_name.encode("utf-8") + b"\n" + data
    per_user_files = _setting("EXCHANGE_UPLOADS_PER_USER", 5)
    per_user_bytes = _setting("EXCHANGE_UPLOADS_PER_USER_BYTES", 128 * 1024 * 1024)
    total_bytes = _setting("EXCHANGE_UPLOADS_TOTAL_BYTES", 2 * 1024 ** 3)
    if len(content) > min(per_user_bytes, total_bytes):
        raise TooBusy(_("This file was not kept for a later import: it is larger than the %(limit)s MiB an account "
                        "may keep. Import it directly (without a dry run).",
                        limit=f"{min(per_user_bytes, total_bytes) / 1048576:,.0f}"))
    own = _stored(folder, f"{actor.id}-")
    while own and (len(own) + 1 > per_user_files or sum(size for _m, size, _p in own) + len(content) > per_user_bytes):
        _remove(own.pop(0)[2])
    every = _stored(folder)
    while every and sum(size for _m, size, _p in every) + len(content) > total_bytes:
        _remove(every.pop(0)[2])
    token = secrets.token_hex(16)
    with open(os.path.join(folder, f"{actor.id}-{token}"), "wb") as f:
        f.write(content)
    return token


def load_upload(actor, token: str) -> tuple[bytes, str]:
    _require(auth.can_import(actor), actor)
    path = os.path.join(_upload_dir(), f"{actor.id}-{token}")
    if not _TOKEN.match(token or "") or not os.path.exists(path):
        raise NotFound(_("This upload has expired or does not exist. Upload the file again."))
    with open(path, "rb") as f:
        head, _sep, data = f.read().partition(b"\n")
    return data, head.decode("utf-8", "replace")


def forget_upload(actor, token: str) -> None:
    path = os.path.join(_upload_dir(), f"{actor.id}-{token}")
    if _TOKEN.match(token or "") and os.path.exists(path):
        os.remove(path)
