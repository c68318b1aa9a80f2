"""Writing sheets with XlsxWriter (template, export, annotated report) and CSV, all headed from the data dictionary.

Cells get real Excel types — numbers as numbers, dates as dates with a yyyy-mm-dd format —
vocabularies as their 中文 term (or code in English) with a drop-down list, yes/no as 是/否,
and every text cell starting with = + - @ neutralised (neutralise.py). XlsxWriter's own
string-to-formula conversion is switched off as a second guard. Large sheets are written in
constant-memory mode, row by row.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import types
from datetime import date
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import xlsxwriter
from flask_babel import gettext as _

from registry.core import dictionary as dd
from registry.core.dictionary import BOOLEAN_WORDS, Field, FieldType
from registry.exchange.neutralise import neutralise, neutralise_series
from registry.exchange.report import ImportReport

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
    "nan_inf_to_errors": False,
}
LISTS_SHEET = "_lists"
VALIDATION_ROWS = 1_048_575


def display_column(f: Field, values: pd.Series, lang: str) -> list[Any]:
    """Canonical values → what a cell holds (None for blank)."""
    if f.type is FieldType.DATE:
        ts = pd.to_datetime(values, errors="coerce")
        return [None if v is pd.NaT or v != v else v.date() for v in ts.tolist()]
    if f.type in (FieldType.DECIMAL, FieldType.INTEGER):
        arr = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        return [None if v != v else (int(v) if v.is_integer() and abs(v) < 2 ** 53 else v) for v in arr.tolist()]
    if f.type is FieldType.BOOLEAN:
        yes, no = BOOLEAN_WORDS[lang]
        return values.map({True: yes, False: no}).astype(object).where(values.notna(), None).tolist()
    if f.type is FieldType.VOCABULARY:
        table = dict(f.vocabulary.choices()) if lang == "zh" else {c: c for c in f.vocabulary.codes()}
        mapped = values.map(table)
        unknown = mapped.isna() & values.notna()
        if unknown.any():  # a stored value outside the vocabulary is written as text, so it is neutralised too
            mapped = mapped.astype(object)
            mapped[unknown] = neutralise_series(values[unknown].astype(str))
        return mapped.astype(object).where(values.notna() & values.ne(""), None).tolist()
    text = values.fillna("").astype(str)
    text = neutralise_series(text)
    return text.where(text.ne(""), None).tolist()


def display_rows(spec: dd.Sheet, frame: pd.DataFrame, lang: str) -> list[list[Any]]:
    columns = [display_column(f, frame[f.key], lang) if f.key in frame.columns else [None] * len(frame) for f in spec.fields]
    return [list(r) for r in zip(*columns)] if columns else []


class Styles:
    """The cell formats of one workbook (public: grades/export.py builds its sheet with them)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        self.required = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top",
                                       "font_color": "#C00000"})
        self.example = wb.add_format({"italic": True, "font_color": "#7F7F7F"})
        self.example_date = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "yyyy-mm-dd"})
        self.error = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.warning = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.bold = wb.add_format({"bold": True})


def _lists_sheet(wb: xlsxwriter.Workbook, lang: str) -> dict[tuple[str, str], str]:
    """A hidden sheet with one column per vocabulary; drop-downs point at it (Excel limits inline lists to 255 chars)."""
    ws = wb.add_worksheet(LISTS_SHEET)
    refs: dict[tuple[str, str], str] = {}
    col = 0
    for s in dd.SHEETS:
        for f in s.fields:
            if f.type is FieldType.BOOLEAN:
                items = list(BOOLEAN_WORDS[lang])
            elif f.vocabulary is not None:
                items = f.vocabulary_labels(lang)
            else:
                continue
            ws.write_string(0, col, f"{s.key}.{f.key}")
            for i, item in enumerate(items, start=1):
                ws.write_string(i, col, item)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            refs[(s.key, f.key)] = f"={LISTS_SHEET}!${letter}$2:${letter}${len(items) + 1}"
            col += 1
    ws.hide()
    return refs


def write_header(ws, styles: Styles, spec: dd.Sheet, lang: str, refs: dict, *, comments: bool = True, validation: bool = True) -> None:
    """Row 1 of a sheet: the dictionary's headers (required ones marked), with comments and list validation if asked."""
    for col, f in enumerate(spec.fields):
        ws.write_string(0, col, f.header(lang), styles.required if f.required else styles.header)
        if comments:
            ws.write_comment(0, col, dd.header_note(f, lang), {"x_scale": 2.2, "y_scale": 2.5})
        ws.set_column(col, col, max(10, min(28, len(f.header(lang)) * (2 if lang == "zh" else 1) + 2)))
        if validation and (spec.key, f.key) in refs:
            ws.data_validation(1, col, VALIDATION_ROWS, col, {
                "validate": "list", "source": refs[(spec.key, f.key)], "ignore_blank": True,
                "error_title": _("Not an allowed value") if lang == "en" else "不是允许的取值",
                "error_message": (dd.header_note(f, lang))[:255], "error_type": "warning",
            })
        elif validation and f.type is FieldType.DATE:
            ws.data_validation(1, col, VALIDATION_ROWS, col, {
                "validate": "date", "criteria": ">=", "value": date(1900, 1, 1), "ignore_blank": True,
                "error_message": "YYYY-MM-DD", "error_type": "warning"})
    ws.freeze_panes(1, 1 if len(spec.keys) == 1 else len(spec.keys))
    ws.set_row(0, 36)


def _instructions(wb: xlsxwriter.Workbook, styles: Styles, lang: str, sheets: list[dd.Sheet]) -> None:
    ws = wb.add_worksheet("说明" if lang == "zh" else "Instructions")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 110)
    zh = lang == "zh"
    lines = [
        ("蓝天登记 — 数据导入模板" if zh else "Lantian Registry — import template", ""),
        ("", "每张表的第一行是表头，请勿修改；红色表头为必填列。把鼠标移到表头上可查看说明、单位和可选值。" if zh else
         "Row 1 of each sheet is the header: keep it. Red headers are required. Hover over a header for its meaning, unit and allowed values."),
        ("", "第二行灰色斜体为示例，导入时自动跳过，可删除。" if zh else "The grey italic row 2 is an example; it is skipped on import and may be deleted."),
        ("", "导入前会检查所有行，有任何错误则一行也不写入，并给出带标注的问题清单。" if zh else
         "Every row is checked before anything is written; with any error nothing is imported and an annotated report is returned."),
        ("", "表中未出现的列在更新时保留系统中的原值；空单元格表示默认值（见表头说明）。" if zh else
         "A column left out keeps the stored value on update; a blank cell means the default (see the header note)."),
    ]
    for s in sheets:
        lines.append((s.title(lang), s.note_zh if zh else s.note_en))
    for row, (a, b) in enumerate(lines):
        ws.write_string(row, 0, a, styles.bold)
        ws.write_string(row, 1, b, styles.wrap)


def write_xlsx(out: BinaryIO, frames: dict[str, pd.DataFrame], lang: str = "zh", *, template: bool = False) -> None:
    """Sheets in dictionary order; `frames` maps sheet key → canonical values (empty for a template)."""
    wb = xlsxwriter.Workbook(out, {**WORKBOOK_OPTIONS, "constant_memory": not template, "in_memory": False})
    styles = Styles(wb)
    sheets = [s for s in dd.SHEETS if s.key in frames]
    if template:
        _instructions(wb, styles, lang, sheets)
    worksheets = {s.key: wb.add_worksheet(s.title(lang)) for s in sheets}
    refs = _lists_sheet(wb, lang)
    for s in sheets:
        ws = worksheets[s.key]
        write_header(ws, styles, s, lang, refs)
        start = 1
        if template:
            example = pd.DataFrame([s.example_row()])
            example = _canonical_example(s, example)
            for col, value in enumerate(display_rows(s, example, lang)[0]):
                if value is not None:
                    ws.write(1, col, value, styles.example_date if isinstance(value, date) else styles.example)
            start = 2
        write_body(ws, s, frames[s.key], lang, start)
    wb.close()


def write_body(ws, spec: dd.Sheet, frame: pd.DataFrame, lang: str, start: int) -> None:
    """The sheet's rows: column-wise into row XML in constant-memory mode, else cell by cell."""
    if ws.constant_memory and len(frame):
        _write_body_rows(ws, spec, frame, lang, start)
    else:
        _write_body_cells(ws, spec, frame, lang, start)


def _column_writers(ws, spec: dd.Sheet, frame: pd.DataFrame, lang: str) -> list[tuple[int, Any, list[Any], FieldType]]:
    """(column, typed XlsxWriter method, display values, type) for every column with at least one value."""
    out = []
    for col, f in enumerate(spec.fields):
        if f.key not in frame.columns:
            continue
        values = display_column(f, frame[f.key], lang)
        if all(v is None for v in values):
            continue
        if f.type is FieldType.DATE:
            method = ws.write_datetime
        elif f.type in (FieldType.DECIMAL, FieldType.INTEGER):
            method = ws.write_number
        else:
            method = ws.write_string
        out.append((col, method, values, f.type))
    return out


def _write_body_cells(ws, spec: dd.Sheet, frame: pd.DataFrame, lang: str, start: int) -> None:
    """Row by row, each cell through XlsxWriter's typed writer, blank cells skipped (templates, small sheets)."""
    writers = _column_writers(ws, spec, frame, lang)
    for i in range(len(frame)):
        row = start + i
        for col, method, values, _type in writers:
            value = values[i]
            if value is not None:
                method(row, col, value)


# A text needs XlsxWriter's own escaping when it holds XML specials, control characters, a literal _xHHHH_,
# the non-characters U+FFFE/U+FFFF, leading/trailing whitespace (xml:space) or a newline, looks like a rich
# string (<r>…</r>), or is longer than Excel's 32,767 characters; every other text is written as it is.
_SPECIAL_TEXT = re.compile(r"[&<>\n\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$|^.{32768}", re.S)
_EXCEL_EPOCH_ORDINAL = date(1899, 12, 31).toordinal()
ROWS_PER_BLOCK = 10_000


def _text_cells(ws, ref: list[str], values: list[Any]) -> list[str | None]:
    out: list[str | None] = []
    for r, v in zip(ref, values):
        if v is None:
            out.append(None)
        elif not isinstance(v, str) or _SPECIAL_TEXT.search(v):
            out.append(_exact_text_cell(ws, r, v))
        else:
            out.append(f'<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>')
    return out


def _exact_text_cell(ws, r: str, v: str) -> str:
    """What XlsxWriter's write_string + _write_cell produce in constant-memory mode, step by step."""
    from xlsxwriter.utility import _preserve_whitespace

    v = v[: ws.xls_strmax]
    v = ws._escape_control_characters(v)
    if v.startswith("<r>") and v.endswith("</r>"):
        return f'<c r="{r}" t="inlineStr"><is>{v}</is></c>'
    t_attr = ' xml:space="preserve"' if _preserve_whitespace(v) else ""
    return f'<c r="{r}" t="inlineStr"><is><t{t_attr}>{ws._escape_data(v)}</t></is></c>'


def _number_cells(ref: list[str], values: list[Any], style: str) -> list[str | None]:
    for v in values:
        if v is not None and isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' Workbook() option")
    return [None if v is None else f'<c r="{r}"{style}><v>{v:.16G}</v></c>' for r, v in zip(ref, values)]


def _date_serials(values: list[Any]) -> list[Any]:
    """Excel 1900-system serials of dates, as XlsxWriter computes them (1900 counted as a leap year)."""
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        days = float(v.toordinal() - _EXCEL_EPOCH_ORDINAL)
        out.append(days + 1 if days > 59 else days)
    return out


def _write_body_rows(ws, spec: dd.Sheet, frame: pd.DataFrame, lang: str, start: int) -> None:
    """Constant-memory body: each column turned into its cells' XML at once, then one write per row.

    Produces byte for byte what _write_body_cells makes XlsxWriter write (test_export_speed_path.py compares
    both): inline strings escaped as XlsxWriter escapes them, numbers with its %.16G, dates as its serials with
    the default date format. Skips XlsxWriter's per-cell dispatch, dimension checks and attribute escaping,
    which were ~90 % of a province export (docs/performance.md).
    """
    from xlsxwriter.utility import xl_col_to_name

    writers = _column_writers(ws, spec, frame, lang)
    n = len(frame)
    if not writers:
        return
    # the header row (row 0: formats, comments) goes out through XlsxWriter itself, as the first body write
    # would make it, so the formats get their style indices in the same order as cell by cell
    ws._write_single_row(start)
    letters = [xl_col_to_name(col) for col, *_ in writers]
    date_style = None
    if any(ftype is FieldType.DATE for *_, ftype in writers):
        date_style = f' s="{ws.default_date_format._get_xf_index()}"' if ws.default_date_format else ""
    fh = ws.fh
    last = None
    for lo in range(0, n, ROWS_PER_BLOCK):  # a block of rows at a time: the cells' XML of a whole sheet would not fit
        rows = [str(start + i + 1) for i in range(lo, min(n, lo + ROWS_PER_BLOCK))]
        columns = []
        for letter, (_col, _method, values, ftype) in zip(letters, writers):
            ref = [letter + r for r in rows]
            part = values[lo:lo + ROWS_PER_BLOCK]
            if ftype is FieldType.DATE:
                columns.append(_number_cells(ref, _date_serials(part), date_style))
            elif ftype in (FieldType.DECIMAL, FieldType.INTEGER):
                columns.append(_number_cells(ref, part, ""))
            else:
                columns.append(_text_cells(ws, ref, part))
        out = []
        for r, cells in zip(rows, zip(*columns)):
            body = "".join([c for c in cells if c is not None])
            if body:
                out.append(f'<row r="{r}">{body}</row>')
                last = int(r) - 1
        fh.write("".join(out))
    if last is not None:
        ws.dim_rowmax = max(ws.dim_rowmax if ws.dim_rowmax is not None else last, last)
        ws.dim_colmin = min(c for c, *_ in writers) if ws.dim_colmin is None else min(ws.dim_colmin, min(c for c, *_ in writers))
        ws.dim_colmax = max(c for c, *_ in writers) if ws.dim_colmax is None else max(ws.dim_colmax, max(c for c, *_ in writers))
        ws.previous_row = last
    ws.table.clear()


# ---- the streamed export: stored rows → cells' XML, each distinct value converted once ----

CACHE_LIMIT = 50_000  # distinct values remembered per column (a column of unique names is not kept whole)


class _ColumnCells:
    """What follows `<c r="A2` for each stored value of one column: `"` plus the cell's type, style and value XML,
    or None for a blank cell. The value goes through the same canonical() and display_column() as a frame's
    column (once per distinct value, in blocks) and then through the same XML as _write_body_rows."""

    def __init__(self, ws, f: Field, lang: str):
        from registry.exchange.validator import canonical

        self.ws, self.f, self.lang, self.canonical = ws, f, lang, canonical
        self.cache: dict[Any, bytes | None] = {}
        self.distinct = False
        self.any = False

    def rests(self, values) -> list[bytes | None] | None:
        """The cells' XML (UTF-8) after their references, or None when every value is blank."""
        for v in values:  # identity checks only (count(None) would call __eq__ on every value)
            if v is not None:
                break
        else:
            return None
        if self.distinct:  # mostly distinct values (names, measurements): converted as they come
            return self._convert(list(values))
        cache = self.cache
        try:  # usually every value of a repeating column is known already: one pass
            return list(map(cache.__getitem__, values))
        except (KeyError, TypeError):
            pass
        missing = [v for v in dict.fromkeys(values) if v not in cache]
        if missing:
            if len(missing) > len(values) // 2:
                self.distinct = True
                cache.clear()
                return self._convert(list(values))
            if len(cache) + len(missing) > CACHE_LIMIT:  # start again with this chunk's values alone
                cache.clear()
                missing = list(dict.fromkeys(values))
            cache.update(zip(missing, self._convert(missing)))
        return list(map(cache.__getitem__, values))

    def _convert(self, raw: list[Any]) -> list[bytes | None]:
        f = self.f
        if f.type in (FieldType.DECIMAL, FieldType.INTEGER):
            fast = _number_rests(f, raw)
            if fast is not None:
                self.any = self.any or any(c is not None for c in fast)
                return fast
        shown = display_column(f, self.canonical(f, pd.Series(raw, dtype=object)), self.lang)
        if f.type is FieldType.DATE:
            out = _number_cells([""] * len(shown), _date_serials(shown), self._date_style() if any(
                v is not None for v in shown) else "")
        elif f.type in (FieldType.DECIMAL, FieldType.INTEGER):
            out = _number_cells([""] * len(shown), shown, "")
        else:
            out = _text_cells(self.ws, [""] * len(shown), shown)
        rests = [None if c is None else c[len('<c r="'):].encode("utf-8") for c in out]
        self.any = self.any or any(c is not None for c in rests)
        return rests

    def _date_style(self) -> str:
        # the default date format gets its style index at the first date written, as XlsxWriter gives it
        ws = self.ws
        return f' s="{ws.default_date_format._get_xf_index()}"' if ws.default_date_format else ""


def _number_rests(f: Field, raw: list[Any]) -> list[bytes | None] | None:
    """Numbers straight from the stored values, as canonical() + display_column() + _number_cells() make them:
    rounded to the column's places (decimals), None for blank, `%.16G`, an integer-valued float like its int
    (so -0.0 is 0). None when a value is not a plain number (then the general path decides)."""
    try:
        values = np.array(raw, dtype=float)
    except (TypeError, ValueError):
        return None
    if f.type is FieldType.DECIMAL:
        values = np.round(values, dd.decimal_places(f))
    if np.isinf(values).any():
        raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' Workbook() option")
    return [None if v != v else b'"><v>%.16G</v></c>' % (v + 0.0) for v in values.tolist()]


def write_xlsx_rows(out: BinaryIO, sources: dict[str, tuple[list[str], Any]], lang: str = "zh") -> None:
    """The export: like write_xlsx without a template, but each sheet's rows come from `sources` — sheet key →
    (field keys of the row tuples, iterator of row chunks of stored values) — and go into the sheet XML chunk by
    chunk, so no sheet is ever held whole (tests/integration/exchange/test_export_stream.py checks that the
    bytes are those of write_xlsx cell by cell on the canonical frames)."""
    wb = xlsxwriter.Workbook(out, {**WORKBOOK_OPTIONS, "constant_memory": True, "in_memory": False})
    styles = Styles(wb)
    sheets = [s for s in dd.SHEETS if s.key in sources]
    worksheets = {s.key: wb.add_worksheet(s.title(lang)) for s in sheets}
    refs = _lists_sheet(wb, lang)
    for s in sheets:
        ws = worksheets[s.key]
        write_header(ws, styles, s, lang, refs)
        names, chunks = sources[s.key]
        _write_rows_stream(ws, s, names, chunks, lang, 1)
        ws._write_optimized_sheet_data = types.MethodType(_copy_sheet_data, ws)
    wb.close()


def _copy_sheet_data(ws) -> None:
    """XlsxWriter's Worksheet._write_optimized_sheet_data (3.2.9), copying the rows' UTF-8 as bytes instead of
    decoding and encoding them again in 64 KiB pieces of text (the same bytes: the XML holds no raw \\r)."""
    if ws.dim_rowmin is None:
        ws._xml_empty_tag("sheetData")
        return
    ws._xml_start_tag("sheetData")
    ws.fh.flush()
    ws.row_data_fh.flush()
    ws.row_data_fh.seek(0)
    shutil.copyfileobj(ws.row_data_fh.buffer, ws.fh.buffer, 1 << 20)
    ws.row_data_fh.close()
    os.unlink(ws.row_data_filename)
    ws._xml_end_tag("sheetData")


def _write_rows_stream(ws, spec: dd.Sheet, names: list[str], chunks, lang: str, start: int) -> None:
    from xlsxwriter.utility import xl_col_to_name

    position = {k: i for i, k in enumerate(names)}
    columns = [(col, position[f.key], _ColumnCells(ws, f, lang), f'<c r="{xl_col_to_name(col)}'.encode("ascii"))
               for col, f in enumerate(spec.fields) if f.key in position]
    fh = None
    row = start
    last = None
    for rows in chunks:
        if not rows:
            continue
        if fh is None:  # the header row goes out through XlsxWriter itself, as in _write_body_rows
            ws._write_single_row(start)
            ws.fh.flush()
            fh = ws.fh.buffer  # then the rows' XML as UTF-8 bytes, under the text layer (flushed: same order)
        numbers = [b"%d" % r for r in range(row + 1, row + 1 + len(rows))]
        values = list(zip(*rows))
        cells = []
        for _col, i, conv, prefix in columns:
            rests = conv.rests(values[i])
            if rests is not None:
                cells.append([prefix + r + x if x is not None else b"" for r, x in zip(numbers, rests)])
        kept = [(r, body) for r, body in zip(numbers, map(b"".join, zip(*cells))) if body]
        if kept:
            fh.write(b"".join([b"".join((b'<row r="', r, b'">', body, b"</row>")) for r, body in kept]))
            last = int(kept[-1][0]) - 1
        row += len(rows)
    if last is not None:
        used = [col for col, _i, conv, _p in columns if conv.any]
        ws.dim_rowmax = max(ws.dim_rowmax if ws.dim_rowmax is not None else last, last)
        ws.dim_colmin = min(used) if ws.dim_colmin is None else min(ws.dim_colmin, min(used))
        ws.dim_colmax = max(used) if ws.dim_colmax is None else max(ws.dim_colmax, max(used))
        ws.previous_row = last
    if fh is not None:
        ws.table.clear()


def _canonical_example(spec: dd.Sheet, example: pd.DataFrame) -> pd.DataFrame:
    for f in spec.fields:
        if f.type is FieldType.DATE:
            example[f.key] = pd.to_datetime(example[f.key])
    return example


def write_csv(frame: pd.DataFrame, spec: dd.Sheet, lang: str = "zh", encoding: str = "utf-8-sig") -> bytes:
    """One sheet as CSV (UTF-8 with a BOM so Excel opens it correctly; GBK on request), same headers."""
    data = {}
    for f in spec.fields:
        values = display_column(f, frame[f.key], lang) if f.key in frame.columns else [None] * len(frame)
        if f.type is FieldType.DATE:
            values = [v.isoformat() if v is not None else None for v in values]
        data[f.header(lang)] = values
    buf = io.StringIO()
    pd.DataFrame(data, columns=[f.header(lang) for f in spec.fields]).to_csv(buf, index=False)
    return buf.getvalue().encode(encoding, errors="strict")


# ---- the annotated report ----

def write_report(out: BinaryIO, report: ImportReport, book) -> None:
    """The uploaded sheets again, problem cells highlighted and commented, plus a list of all problems."""
    wb = xlsxwriter.Workbook(out, {**WORKBOOK_OPTIONS, "constant_memory": True, "in_memory": False})
    styles = Styles(wb)
    zh = True
    summary = wb.add_worksheet("问题清单" if zh else "Problems")
    heads = ["工作表", "行", "列", "值", "问题", "级别"]
    for col, h in enumerate(heads):
        summary.write_string(0, col, h, styles.header)
    summary.set_column(0, 2, 14)
    summary.set_column(3, 3, 24)
    summary.set_column(4, 4, 70)
    problems = report.sorted_problems()
    for i, p in enumerate(problems, start=1):
        value = p.value if not (isinstance(p.value, float) and p.value != p.value) else None
        if isinstance(value, str):
            value = neutralise(value)
        summary.write_row(i, 0, [p.title, p.row, p.column, cell_value(value), p.reason,
                                 "错误" if p.severity == "error" else "提示"])
    by_cell: dict[tuple[str, int, int], list] = {}
    for p in problems:
        by_cell.setdefault((p.sheet, p.row, p.position if p.position is not None and p.position >= 0 else 0), []).append(p)
    for key, raw in book.sheets.items():
        ws = wb.add_worksheet(raw.title[:31])
        for col, h in enumerate(raw.original_headers):
            cell = by_cell.get((key, 1, col))
            ws.write_string(0, col, neutralise(h), _fmt(styles, cell) or styles.header)
            if cell:
                ws.write_comment(0, col, "\n".join(p.reason for p in cell))
        values = raw.original.to_numpy(dtype=object)
        rows = raw.original.index.tolist()
        marked_rows = {r for (s, r, _c) in by_cell if s == key}
        for excel_row, row in zip(rows, values):
            cells = [cell_value(v, text=True) for v in row]
            ws.write_row(excel_row - 1, 0, cells)
            if excel_row in marked_rows:
                for col in range(max(len(cells), 1)):
                    cell = by_cell.get((key, excel_row, col))
                    if cell:
                        ws.write(excel_row - 1, col, cells[col] if col < len(cells) else None, _fmt(styles, cell))
                        ws.write_comment(excel_row - 1, col, "\n".join(p.reason for p in cell), {"x_scale": 2, "y_scale": 1.5})
    wb.close()


def _fmt(styles: Styles, cell):
    if not cell:
        return None
    return styles.error if any(p.severity == "error" for p in cell) else styles.warning


def cell_value(value: Any, text: bool = False) -> Any:
    """A value as XlsxWriter should write it: NaN/NaT → empty, text neutralised against formula injection if text=True."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return neutralise(value) if text else value
    return value
