"""Reading an uploaded workbook (xlsx via python-calamine through pandas) or CSV (UTF-8 or GBK) safely.

Everything that can go wrong before validation is caught here and said plainly: a file that
is too large, too many rows, an old .xls or a password-protected (encrypted OLE) workbook, a
damaged file, a zip bomb (the archive is inflated in a bounded stream, so a lying header
does not help), an unknown encoding. Formulas are never evaluated: calamine returns the value
Excel cached when it saved the file, and the cells holding formulas are reported as warnings.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from flask import current_app, has_app_context
from flask_babel import gettext as _

from registry.core import dictionary as dd
from registry.exchange.report import FileRejected, Problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

DEFAULTS = {
    "EXCHANGE_MAX_BYTES": 64 * 1024 * 1024,          # an upload (the province file is ~30 MiB)
    "EXCHANGE_MAX_ROWS": 500_000,                   # data rows per sheet
    "EXCHANGE_MAX_UNCOMPRESSED": 2 * 1024 ** 3,      # all parts of an xlsx, inflated
    "EXCHANGE_MAX_RATIO": 200,                       # inflated / compressed, per part over 1 MiB
}


def limit(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


@dataclass
class RawSheet:
    """One sheet as read: the recognised columns under their field keys, Excel row numbers as index."""

    key: str                                  # dictionary sheet key
    title: str                                # the sheet's name in the file
    frame: pd.DataFrame                       # columns: field keys present; values as read (object)
    headers: dict[str, str]                   # field key → header text in the file
    positions: dict[str, int]                 # field key → 0-based column position in the file
    original: pd.DataFrame                    # every column as read (for the annotated report)
    original_headers: list[str]


@dataclass
class RawBook:
    filename: str
    kind: str                                 # xlsx | csv
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)   # warnings found while reading
    ignored_sheets: list[str] = field(default_factory=list)


def read_upload(data: bytes, filename: str = "upload.xlsx") -> RawBook:
    """Bytes of an upload → RawBook; raises FileRejected with a user-facing message."""
    max_bytes = limit("EXCHANGE_MAX_BYTES")
    if len(data) > max_bytes:
        raise FileRejected(_("The file is %(size)s MiB; the limit is %(limit)s MiB. Split it into smaller files.",
                             size=f"{len(data) / 1048576:.1f}", limit=f"{max_bytes / 1048576:.0f}"))
    if not data:
        raise FileRejected(_("The file is empty."))
    if data[:8] == OLE_MAGIC:
        raise FileRejected(_("This file is password-protected or in the old .xls format. Remove the password "
                             "and save it as an Excel workbook (.xlsx), or as CSV, then upload it again."))
    if data[:4] == ZIP_MAGIC:
        return _read_xlsx(data, filename)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                             "Open it in Excel, save it again as .xlsx, and upload it again."))
    return _read_csv(data, filename)


def read_path(path: str) -> RawBook:
    with open(path, "rb") as f:
        head = f.read(limit("EXCHANGE_MAX_BYTES") + 1)
    return read_upload(head, str(PurePosixPath(path).name))


# ---- xlsx ----

def _read_xlsx(data: bytes, filename: str) -> RawBook:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                             "Open it in Excel, save it again as .xlsx, and upload it again.")) from err
    if "xl/workbook.xml" not in names:
        raise FileRejected(_("This archive is not an Excel workbook (.xlsx)."))
    formulas = _inspect_archive(archive)
    book = RawBook(filename=filename, kind="xlsx")
    max_rows = limit("EXCHANGE_MAX_ROWS")
    try:
        frames = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="calamine", dtype=object,
                               nrows=max_rows + 2)
    except Exception as err:  # calamine raises its own errors for damaged parts and bad XML
        raise FileRejected(_("The workbook could not be read (%(reason)s). Open it in Excel, save it again as .xlsx, "
                             "and upload it again.", reason=type(err).__name__)) from err
    for title, frame in frames.items():
        key = dd.sheet_lookup().get(dd.normalise_header(title))
        if key is None or key in book.sheets:
            book.ignored_sheets.append(str(title))
            continue
        book.sheets[key] = _sheet(key, str(title), frame, book.problems, max_rows)
        for ref in formulas.get(str(title), []):
            _formula_warning(book, book.sheets[key], ref)
    if not book.sheets:
        raise FileRejected(_("No sheet of this workbook is named like a template sheet (%(names)s).",
                             names="、".join(f"{s.zh}/{s.en}" for s in dd.SHEETS)))
    return book


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>(?:<v>[^<]*</v>)?<f[ >/]')


def _inspect_archive(archive: zipfile.ZipFile) -> dict[str, list[tuple[str, int]]]:
    """Inflate every part in a bounded stream (zip bombs stop here) and find formula cells per sheet."""
    max_total, max_ratio = limit("EXCHANGE_MAX_UNCOMPRESSED"), limit("EXCHANGE_MAX_RATIO")
    sheet_paths = _sheet_paths(archive)
    total = 0
    found: dict[str, list[tuple[str, int]]] = {}
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise FileRejected(_("This workbook is encrypted. Remove the password and upload it again."))
        title = sheet_paths.get(info.filename)
        size, tail = 0, b""
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    total += len(chunk)
                    if total > max_total or (size > (1 << 20) and size > max_ratio * max(info.compress_size, 1)):
                        raise FileRejected(_("The workbook expands to far more data than its size suggests "
                                             "(a compressed “zip bomb”); it was not read."))
                    if title is not None and b"<f" in tail + chunk:
                        refs = found.setdefault(title, [])
                        if len(refs) < 100:
                            for m in _CELL_REF.finditer(tail + chunk):
                                ref = (m.group(1).decode(), int(m.group(2)))
                                if ref not in refs and len(refs) < 100:
                                    refs.append(ref)
                    tail = chunk[-400:]
        except FileRejected:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:
            raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                                 "Open it in Excel, save it again as .xlsx, and upload it again.")) from err
    return found


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """xl/worksheets/sheetN.xml → sheet title, from workbook.xml and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        import html

        target = targets.get(m.group(2), "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[path] = html.unescape(m.group(1))
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _formula_warning(book: RawBook, sheet: RawSheet, ref: tuple[str, int]) -> None:
    letters, row = ref
    position = _column_index(letters)
    header = sheet.original_headers[position] if position < len(sheet.original_headers) else letters
    value = None
    if row >= 2 and row in sheet.original.index and position < sheet.original.shape[1]:
        value = sheet.original.iat[sheet.original.index.get_loc(row), position]
    book.problems.append(Problem(sheet.key, sheet.title, row, header, value,
                                 _("This cell holds a formula; its saved value was read (formulas are never evaluated)."),
                                 "warning", position=position))


# ---- csv ----

def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # GBK, as Excel on Chinese Windows writes it (GB 18030 is its superset)
    except UnicodeDecodeError as err:
        raise FileRejected(_("The CSV file is neither UTF-8 nor GBK text.")) from err


def _read_csv(data: bytes, filename: str) -> RawBook:
    text = _decode(data)
    max_rows = limit("EXCHANGE_MAX_ROWS")
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[],
                            skip_blank_lines=True, nrows=max_rows + 2, sep=None if "\t" in text[:2000] else ",",
                            engine="python" if "\t" in text[:2000] else "c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise FileRejected(_("The CSV file could not be read: %(reason)s", reason=str(err).splitlines()[0][:200])) from err
    frame = frame.replace("", None)
    headers = [dd.normalise_header(h) for h in frame.iloc[0].tolist()] if len(frame) else []
    best, score = None, 0
    for s in dd.SHEETS:
        lookup = dd.header_lookup(s.key)
        keys = {lookup[h] for h in headers if h in lookup}
        hit = len(keys) + (100 if set(s.keys) <= keys else 0)
        if hit > score:
            best, score = s.key, hit
    if best is None or score < 100:
        raise FileRejected(_("The CSV file's header row does not match any template sheet; "
                             "download the template and keep its first row."))
    book = RawBook(filename=filename, kind="csv")
    book.sheets[best] = _sheet(best, dd.sheet(best).title("zh"), frame, book.problems, max_rows)
    return book


# ---- both ----

def _sheet(key: str, title: str, frame: pd.DataFrame, problems: list[Problem], max_rows: int) -> RawSheet:
    if frame.empty:
        frame = pd.DataFrame([[]])
    header_cells = ["" if _blank(h) else str(h).strip() for h in frame.iloc[0].tolist()]
    body = frame.iloc[1:]
    body.index = pd.RangeIndex(2, 2 + len(body))  # Excel row numbers: the header is row 1
    body = body.dropna(how="all")
    if len(body) > max_rows:
        raise FileRejected(_("Sheet “%(sheet)s” has more than %(limit)s rows; split the file.",
                             sheet=title, limit=f"{max_rows:,}"))
    lookup = dd.header_lookup(key)
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for pos, text in enumerate(header_cells):
        fkey = lookup.get(dd.normalise_header(text))
        if fkey is None:
            if text:
                problems.append(Problem(key, title, 1, text, text, _("Unknown column; it was ignored."), "warning", position=pos))
            continue
        if fkey in headers:
            problems.append(Problem(key, title, 1, text, text, _("This column appears twice; the first one was used."),
                                    "error", position=pos))
            continue
        headers[fkey] = text
        positions[fkey] = pos
    if list(positions.values()) == list(range(body.shape[1])):
        recognised = body.set_axis(list(positions), axis=1, copy=False)  # the usual case: no copy of a large sheet
    elif positions:
        recognised = body.iloc[:, list(positions.values())].set_axis(list(positions), axis=1)
    else:
        recognised = pd.DataFrame(index=body.index)
    return RawSheet(key, title, recognised, headers, positions, body, header_cells)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())
