"""Reading an uploaded workbook (xlsx via python-calamine through pandas) or CSV (UTF-8 or GBK) safely.

Everything that can go wrong before validation is caught here and said plainly: a file that
is too large, too many rows, an old .xls or a password-protected (encrypted OLE) workbook, a
damaged file, a zip bomb (the archive is inflated in a bounded stream, so a lying header
does not help), an unknown encoding. Formulas are never evaluated: calamine returns the value
Excel cached when it saved the file, and the cells holding formulas are reported as warnings.

Bounded work (issue 13 High 2): calamine builds a sheet as one dense rows × columns block after
holding every cell, and the shared-strings table whole, so a 6 KB file with one cell at XFD1048576
asked it for 500 GB and a 3 MB file of tiny cells took the server to 3.4 GB. Before calamine sees
anything, the bounded inflation also scans each template sheet's XML and the shared strings, and
stops as soon as a bound is crossed: the furthest row and column, the number of cells, the shared
strings' count and size, and the total inflated bytes, all derived from the row limit (`ReadLimits`).
Only template sheets are handed to calamine. Enterprise accounts (sign-up is open) get smaller
self-service limits than officials.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
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
    # enterprise accounts import their own enterprise's rows only, and anyone can sign up: smaller limits
    "EXCHANGE_SELF_SERVICE_MAX_BYTES": 8 * 1024 * 1024,
    "EXCHANGE_SELF_SERVICE_MAX_ROWS": 5_000,
    # derived bounds (ReadLimits): what the row limit can need
    "EXCHANGE_BLANK_ROWS": 1_000,                    # blank rows tolerated among the data rows of a sheet
    "EXCHANGE_EXTRA_COLUMNS": 16,                    # columns beyond the template's (ignored with a warning)
    "EXCHANGE_XML_BYTES_PER_CELL": 200,              # inflated sheet XML per possible cell, on average
    "EXCHANGE_SHARED_STRING_BYTES_PER_CELL": 64,     # shared-strings XML per possible cell
    "EXCHANGE_MAX_SHARED_STRINGS_BYTES": 512 * 1024 ** 2,
}


def limit(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


@dataclass(frozen=True)
class ReadLimits:
    """Everything one read may cost, derived from its row limit (issue 13 High 2)."""

    max_bytes: int
    max_rows: int
    max_uncompressed: int
    max_ratio: int
    blank_rows: int
    extra_columns: int
    xml_bytes_per_cell: int
    shared_bytes_per_cell: int
    max_shared_bytes: int

    @classmethod
    def from_config(cls, self_service: bool = False) -> ReadLimits:
        """Officials, administrators and the CLI: EXCHANGE_MAX_*; enterprise accounts: the self-service limits."""
        max_bytes, max_rows = limit("EXCHANGE_MAX_BYTES"), limit("EXCHANGE_MAX_ROWS")
        if self_service:
            max_bytes = min(max_bytes, limit("EXCHANGE_SELF_SERVICE_MAX_BYTES"))
            max_rows = min(max_rows, limit("EXCHANGE_SELF_SERVICE_MAX_ROWS"))
        return cls(max_bytes, max_rows, limit("EXCHANGE_MAX_UNCOMPRESSED"), limit("EXCHANGE_MAX_RATIO"),
                   limit("EXCHANGE_BLANK_ROWS"), limit("EXCHANGE_EXTRA_COLUMNS"), limit("EXCHANGE_XML_BYTES_PER_CELL"),
                   limit("EXCHANGE_SHARED_STRING_BYTES_PER_CELL"), limit("EXCHANGE_MAX_SHARED_STRINGS_BYTES"))

    @property
    def last_row(self) -> int:
        """The furthest row a template sheet may reach: header, example row, data rows and some blank rows."""
        return self.max_rows + 2 + self.blank_rows

    def columns(self, key: str) -> int:
        return len(dd.sheet(key).fields) + self.extra_columns

    def cells(self, key: str) -> int:
        return self.last_row * self.columns(key)

    @property
    def all_cells(self) -> int:
        return sum(self.cells(s.key) for s in dd.SHEETS)

    @property
    def inflated(self) -> int:
        """All parts of the archive, inflated: the XML the possible cells need, plus 16 MiB for styles and the rest."""
        return min(self.max_uncompressed, self.all_cells * self.xml_bytes_per_cell + self.shared_bytes + 16 * 1024 ** 2)

    @property
    def shared_bytes(self) -> int:
        return min(self.max_shared_bytes, self.all_cells * self.shared_bytes_per_cell)


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


def read_upload(data: bytes, filename: str = "upload.xlsx", limits: ReadLimits | None = None) -> RawBook:
    """Bytes of an upload → RawBook; raises FileRejected with a user-facing message."""
    limits = limits or ReadLimits.from_config()
    max_bytes = limits.max_bytes
    if len(data) > max_bytes:
        raise FileRejected(_("The file is %(size)s MiB; the limit is %(limit)s MiB. Split it into smaller files.",
                             size=f"{len(data) / 1048576:.1f}", limit=f"{max_bytes / 1048576:.0f}"))
    if not data:
        raise FileRejected(_("The file is empty."))
    if data[:8] == OLE_MAGIC:
        raise FileRejected(_("This file is password-protected or in the old .xls format. Remove the password "
                             "and save it as an Excel workbook (.xlsx), or as CSV, then upload it again."))
    if data[:4] == ZIP_MAGIC:
        return _read_xlsx(data, filename, limits)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                             "Open it in Excel, save it again as .xlsx, and upload it again."))
    return _read_csv(data, filename, limits)


# ---- xlsx ----

def _read_xlsx(data: bytes, filename: str, limits: ReadLimits) -> RawBook:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                             "Open it in Excel, save it again as .xlsx, and upload it again.")) from err
    if "xl/workbook.xml" not in names:
        raise FileRejected(_("This archive is not an Excel workbook (.xlsx)."))
    sheet_paths = _sheet_paths(archive)
    wanted = {path: title for path, title in sheet_paths.items() if dd.sheet_lookup().get(dd.normalise_header(title))}
    formulas = _inspect_archive(archive, limits, wanted)
    book = RawBook(filename=filename, kind="xlsx")
    book.ignored_sheets.extend(t for p, t in sheet_paths.items() if p not in wanted)
    if not wanted:
        raise FileRejected(_("No sheet of this workbook is named like a template sheet (%(names)s).",
                             names="、".join(f"{s.zh}/{s.en}" for s in dd.SHEETS)))
    max_rows = limits.max_rows
    for title, frame in _read_sheets(data, list(dict.fromkeys(wanted.values())), limits.last_row):
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


def _read_sheets(data: bytes, titles: list[str], nrows: int):
    """(title, frame) of each template sheet, read with python-calamine one sheet at a time (issue 18 item 2).

    The frames are what `pd.read_excel(engine="calamine", header=None, dtype=object, nrows=…,
    keep_default_na=False, na_values=[""])` gave (tests/integration/exchange/test_reader_frames.py compares
    them): every cell from A1, an integer-valued float as an int, a date or time as a Timestamp, a blank
    cell (or "") as NaN, text as it is ("NA" and "null" too). But the rows are taken one by one from the
    sheet, each column kept as a list in which equal texts and dates are one object, and the next sheet is read
    only when this one is a frame: a province's Lines sheet holds ~13 million cells whose labels, codes and
    dates repeat, and pandas held each of them as its own object, twice, while reading."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for title in titles:
            sheet = book.get_sheet_by_name(title)
            frame = _sheet_frame(sheet, nrows)
            del sheet
            yield title, frame
    except FileRejected:
        raise
    except Exception as err:  # calamine raises its own errors for damaged parts and bad XML
        raise FileRejected(_("The workbook could not be read (%(reason)s). Open it in Excel, save it again as .xlsx, "
                             "and upload it again.", reason=type(err).__name__)) from err


def _sheet_frame(sheet, nrows: int) -> pd.DataFrame:
    start = sheet.start
    if start is None or nrows <= 0:
        return pd.DataFrame()
    pad = start[1]  # iter_rows() starts at the first used column; the frame starts at A
    width = pad + sheet.width
    columns: list[list[Any]] = [[] for _ in range(width)]
    memos: list[dict[Any, Any]] = [{} for _ in range(width)]
    stamps: dict[Any, Any] = {}
    block: list[list[Any]] = []
    count = 0
    for row in sheet.iter_rows():
        block.append(row)
        count += 1
        if len(block) == 4096 or count >= nrows:
            _add_block(columns, memos, stamps, block, pad)
            block = []
        if count >= nrows:
            break
    if block:
        _add_block(columns, memos, stamps, block, pad)
    if not count:
        return pd.DataFrame()
    arrays = {}
    for j in range(width):
        arrays[j] = np.array(columns[j], dtype=object)
        columns[j] = []
    return pd.DataFrame(arrays, index=pd.RangeIndex(count), copy=False)


_NAN = float("nan")


def _cell(value: Any, memo: dict[Any, Any], stamps: dict[Any, Any]) -> Any:
    """One calamine value as pandas' reader gave it. `memo` is the column's: equal texts become one object, and —
    as pandas did — equal numbers and booleans become the first one seen in the column (1.0, then TRUE: both 1)."""
    kind = type(value)
    if kind is str:
        return _NAN if value == "" else memo.setdefault(value, value)
    if kind is float:
        whole = int(value)
        return memo.setdefault(whole, whole) if whole == value else value
    if kind is int or kind is bool:
        return memo.setdefault(value, value)
    if isinstance(value, date):  # date and datetime: a Timestamp, one per distinct value
        stamp = stamps.get(value)
        if stamp is None:
            stamp = stamps[value] = pd.Timestamp(value)
        return stamp
    if isinstance(value, timedelta):
        return pd.Timedelta(value)
    return value  # time, and anything else, as it is


def _add_block(columns: list[list[Any]], memos: list[dict[Any, Any]], stamps: dict[Any, Any],
               block: list[list[Any]], pad: int) -> None:
    for j, values in enumerate(zip(*block)):
        memo = memos[pad + j]
        columns[pad + j].extend([_cell(v, memo, stamps) for v in values])
    for j in range(pad):
        columns[j].extend([_NAN] * len(block))


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>(?:<v>[^<]*</v>)?<f[ >/]')
# a row or cell start tag (any namespace prefix) with its attributes; `r` is the reference when given
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_SHARED_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")


class _SheetBounds:
    """Follows a worksheet's XML as it is inflated and says where calamine would put each cell.

    calamine places a cell at its `r` reference, or — without one — right of the previous cell in the
    current row (a `<row>` without `r` follows the previous row); cells without a value are skipped.
    The sheet is refused as soon as a cell lies beyond the last row or column the limits allow, or
    it holds more cells than that area (repeated references would otherwise pile up)."""

    def __init__(self, title: str, key: str, limits: ReadLimits):
        self.title, self.key = title, key
        self.last_row, self.last_col, self.max_cells = limits.last_row, limits.columns(key), limits.cells(key)
        self.row = self.col = self.cells = 0
        self.carry = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        buf = self.carry + chunk
        cut = buf.rfind(b"<")
        if final or cut == -1 or buf.find(b">", cut) != -1:
            self.carry = b""
        else:  # the last tag is cut in two: keep its start for the next chunk
            buf, self.carry = buf[:cut], buf[cut:]
            if len(self.carry) > 65536:
                raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                                     "Open it in Excel, save it again as .xlsx, and upload it again."))
        if not self._fast(buf):
            self._exact(buf)
        if self.cells > self.max_cells:
            raise FileRejected(_("Sheet “%(sheet)s” holds more than %(limit)s cells; split the file.",
                                 sheet=self.title, limit=f"{self.max_cells:,}"))

    def _fast(self, buf: bytes) -> bool:
        """The usual XML (Excel, XlsxWriter, openpyxl): every cell and row tag unprefixed and starting with its
        `r` reference. Counted with bytes.count, and only references beyond the bounds are searched for (a
        regex over the digits and letters that are greater); anything else is left to _exact."""
        cells = buf.count(b'<c r="')
        rows = buf.count(b'<row r="')
        if (buf.count(b"<c ") + buf.count(b"<c>") + buf.count(b"<c/>") != cells
                or buf.count(b"<row ") + buf.count(b"<row>") + buf.count(b"<row/>") != rows
                or b":c " in buf or b":c>" in buf or b":row" in buf):
            return False
        for m in self._beyond().finditer(buf):
            end = buf.find(b">", m.end())
            if end > 0 and buf[end - 1:end] == b"/":
                continue  # no value: calamine skips it
            ref = _REF.search(buf, m.start() + 2, end if end > 0 else len(buf))
            self._check(ref.group(1).decode("ascii").upper(), int(ref.group(2)))
        self.cells += cells
        last_row, last_cell = buf.rfind(b'<row r="'), buf.rfind(b'<c r="')
        if last_row >= 0:
            digits = re.match(rb'<row r="([0-9]*)"', buf[last_row:last_row + 40])
            self.row = int(digits.group(1)) if digits and digits.group(1) else self.row + 1
            self.col = 0
        if last_cell > last_row:
            ref = _REF.search(buf, last_cell + 2, last_cell + 40)
            if ref and ref.group(1):
                self.col = _column_index(ref.group(1).decode("ascii").upper()) + 1
        return True

    def _beyond(self) -> re.Pattern:
        """Cell references (`<c r="…"`) whose column or row lies beyond the bounds."""
        if not hasattr(self, "_beyond_re"):
            letters = _column_letters(self.last_col)
            cols = [f"[A-Za-z]{{{len(letters) + 1},}}"] + [
                letters[:i] + f"[{chr(ord(ch) + 1)}-Z{chr(ord(ch) + 33)}-z][A-Za-z]{{{len(letters) - i - 1}}}"
                for i, ch in enumerate(letters) if ch < "Z"]
            digits = str(self.last_row)
            rows = [f"[1-9][0-9]{{{len(digits)},}}"] + [
                digits[:i] + f"[{int(ch) + 1}-9][0-9]{{{len(digits) - i - 1}}}" for i, ch in enumerate(digits) if ch < "9"]
            self._beyond_re = re.compile(
                f'<c r="(?:(?:{"|".join(cols)})[0-9]|[A-Za-z]+0*(?:{"|".join(rows)})")'.encode("ascii"), re.IGNORECASE)
        return self._beyond_re

    def _check(self, letters: str, row: int) -> None:
        col = _column_index(letters) + 1 if letters else self.col
        if row > self.last_row:
            raise FileRejected(_("Sheet “%(sheet)s” has cells down to row %(row)s; at most %(limit)s rows are read "
                                 "(%(rows)s data rows). Delete empty rows below the data, or split the file.",
                                 sheet=self.title, row=f"{row:,}", limit=f"{self.last_row:,}", rows=f"{self.last_row - 2:,}"))
        if col > self.last_col:
            raise FileRejected(_("Sheet “%(sheet)s” has cells in column %(column)s; at most %(limit)s columns are read. "
                                 "Delete the columns right of the template's.", sheet=self.title,
                                 column=_column_letters(col), limit=self.last_col))

    def _exact(self, buf: bytes) -> None:
        """Any XML: every row and cell tag followed, positions as calamine gives them."""
        for m in _TAG.finditer(buf):
            attrs = m.group(2)
            ref = _REF.search(attrs)
            if m.group(1) == b"row":
                self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
                self.col = 0
                continue
            row = self.row
            if ref and ref.group(1):
                self.col = _column_index(ref.group(1).decode("ascii").upper()) + 1
                row = int(ref.group(2)) if ref.group(2) else row
            else:
                self.col += 1
            self.cells += 1  # with or without a value (the usual XML is counted so too)
            if attrs.endswith(b"/"):
                continue  # no value: calamine skips it
            self._check("", row)


def _inspect_archive(archive: zipfile.ZipFile, limits: ReadLimits | None = None,
                     sheets: dict[str, str] | None = None) -> dict[str, list[tuple[str, int]]]:
    """Inflate every part in a bounded stream (zip bombs stop here), bound the template sheets and the
    shared strings (see _SheetBounds), and find formula cells per sheet."""
    limits = limits or ReadLimits.from_config()
    max_total, max_ratio = limits.inflated, limits.max_ratio
    sheet_paths = _sheet_paths(archive) if sheets is None else sheets
    total = 0
    found: dict[str, list[tuple[str, int]]] = {}
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise FileRejected(_("This workbook is encrypted. Remove the password and upload it again."))
        title = sheet_paths.get(info.filename)
        key = dd.sheet_lookup().get(dd.normalise_header(title)) if title is not None else None
        bounds = _SheetBounds(title, key, limits) if key is not None else None
        shared = info.filename.lower().endswith("sharedstrings.xml")
        shared_items = 0
        size, tail = 0, b""
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    total += len(chunk)
                    if total > max_total or (size > (1 << 20) and size > max_ratio * max(info.compress_size, 1)):
                        if total > max_total and max_total < limits.max_uncompressed:
                            raise FileRejected(_("The workbook expands to more than %(limit)s MiB of data, more than "
                                                 "%(rows)s rows per sheet can need; split the file.",
                                                 limit=f"{max_total / 1048576:,.0f}", rows=f"{limits.max_rows:,}"))
                        raise FileRejected(_("The workbook expands to far more data than its size suggests "
                                             "(a compressed “zip bomb”); it was not read."))
                    if bounds is not None:
                        bounds.feed(chunk)
                    if shared:
                        shared_items += len(_SHARED_ITEM.findall(chunk))  # a tag cut by a chunk's end is not counted
                        if size > limits.shared_bytes or shared_items > limits.all_cells:
                            raise FileRejected(_("The workbook's table of shared texts is larger than %(rows)s rows per "
                                                 "sheet can need (at most %(count)s texts, %(size)s MiB); split the file.",
                                                 rows=f"{limits.max_rows:,}", count=f"{limits.all_cells:,}",
                                                 size=f"{limits.shared_bytes / 1048576:,.0f}"))
                    if title is not None and b"<f" in tail + chunk:
                        refs = found.setdefault(title, [])
                        if len(refs) < 100:
                            for m in _CELL_REF.finditer(tail + chunk):
                                ref = (m.group(1).decode(), int(m.group(2)))
                                if ref not in refs and len(refs) < 100:
                                    refs.append(ref)
                    tail = chunk[-400:]
                if bounds is not None:
                    bounds.feed(b"", final=True)
        except FileRejected:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:
            raise FileRejected(_("This is not a valid Excel workbook (.xlsx); it may be damaged. "
                                 "Open it in Excel, save it again as .xlsx, and upload it again.")) from err
    return found


def _attributes(tag: str) -> dict[str, str]:
    """A tag's attributes by local name (`r:id` → `id`), whatever their order."""
    import html

    return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r'(?:[\w.-]+:)?([\w.-]+)\s*=\s*"([^"]*)"', tag)}


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """xl/worksheets/sheetN.xml → sheet title, from workbook.xml and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for m in re.finditer(r"<(?:[\w.-]+:)?Relationship\s[^>]*>", rels):
        attrs = _attributes(m.group(0))
        if "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]
    out = {}
    for m in re.finditer(r"<(?:[\w.-]+:)?sheet\s[^>]*>", workbook):
        attrs = _attributes(m.group(0))
        target = targets.get(attrs.get("id", ""), "")
        if not target or "name" not in attrs:
            continue
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[path] = attrs["name"]
    return out


def _column_letters(index: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
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


def _read_csv(data: bytes, filename: str, limits: ReadLimits) -> RawBook:
    text = _decode(data)
    max_rows = limits.max_rows
    widest = max(limits.columns(s.key) for s in dd.SHEETS)
    first = text[:text.find("\n")] if "\n" in text[:1 << 20] else text[:1 << 20]
    if max(first.count(","), first.count("\t")) + 1 > widest:  # pandas would make a column of each
        raise FileRejected(_("The CSV file's header row has more than %(limit)s columns; keep the template's columns.",
                             limit=widest))
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
