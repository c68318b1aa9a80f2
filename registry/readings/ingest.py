"""Loading readings files: CSV (electricity, CEMS, gate), Excel (gate) and HJ 212-2017 messages (CEMS), checked in
full and reported like the Excel import (registry/exchange/report.py: row, column, value, reason in Chinese).

Vectorised: a CSV is read by pyarrow.csv (multi-threaded, in blocks) as text columns; each column is checked and
converted with Arrow compute kernels over the whole column; identities (an enterprise's USCC and meter code, a
stack's MN) are resolved against a `Lookup` built once for the distinct keys of the file. Only the rows in error are
turned into Python objects for the report. All or nothing: a file with any error stores nothing (as the Excel
import); duplicates of stored readings are not errors (re-loading changes nothing, the report counts them).

This module knows no database: `resolve(kind, keys)` (operations.py: from the registry, scoped to the actor; the
bench: from the synthetic plan) answers which meters, stacks or enterprises the keys name and whether the actor may
load readings for them.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from flask_babel import gettext as _

from registry.core import codes, timeutil
from registry.exchange.report import FileRejected, ImportReport, Problem, SheetSummary
from registry.readings import hj212
from registry.readings.store import SCHEMAS, AppendResult

# Column headers accepted per kind (Chinese as in the template, English as in the API); first is the template's.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "electricity": {"uscc": ("统一社会信用代码", "uscc"), "meter": ("电表编号", "meter", "meter_code"),
                    "ts": ("时间", "ts", "time"), "kwh": ("电量（千瓦时）", "电量", "kwh")},
    "cems": {"mn": ("排放口编号（MN）", "MN", "mn"), "ts": ("时间", "ts", "time"),
             "so2": ("二氧化硫（mg/m³）", "二氧化硫", "so2"), "nox": ("氮氧化物（mg/m³）", "氮氧化物", "nox"),
             "pm": ("颗粒物（mg/m³）", "颗粒物", "烟尘", "pm"), "o2": ("氧含量（%）", "氧含量", "o2"),
             "flow": ("烟气流量（m³/h）", "烟气流量", "flow"), "status": ("数据标记", "status", "flag")},
    "gate": {"uscc": ("统一社会信用代码", "uscc"), "ts": ("时间", "ts", "time"), "plate": ("车牌号", "plate"),
             "emission_standard": ("排放标准", "emission_standard"), "fuel": ("燃料类型", "燃料", "fuel"),
             "cargo": ("货物", "运输货物", "cargo"), "direction": ("进出方向", "方向", "direction")},
}
TYPED = {"electricity": {"ts": pa.timestamp("us"), "kwh": pa.float64()}}  # read as such when every cell allows
REQUIRED = {"electricity": ("meter", "ts", "kwh"), "cems": ("mn", "ts"),
            "gate": ("ts", "plate", "emission_standard", "fuel", "direction")}
OPTIONAL_NUMBERS = {"cems": ("so2", "nox", "pm", "o2", "flow")}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M")
NUMBER = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
MAX_KWH = 1e7          # per interval: more than any one industrial meter draws in 15 minutes or an hour
MAX_CONCENTRATION = 1e5  # mg/m³
STANDARDS = {"国0": "国0", "国1": "国1", "国2": "国2", "国3": "国3", "国4": "国4", "国5": "国5", "国6": "国6",
             "国一": "国1", "国二": "国2", "国三": "国3", "国四": "国4", "国五": "国5", "国六": "国6",
             "国I": "国1", "国II": "国2", "国III": "国3", "国IV": "国4", "国V": "国5", "国VI": "国6",
             "电动": "电动", "纯电动": "电动", "新能源": "电动"}
FUELS = {"柴油": "柴油", "汽油": "汽油", "天然气": "天然气", "LNG": "天然气", "CNG": "天然气", "电": "电",
         "纯电": "电", "电动": "电", "氢": "氢", "氢能": "氢", "混合动力": "混合动力", "油电混合": "混合动力"}
DIRECTIONS = {"in": "in", "进": "in", "入": "in", "进厂": "in", "入厂": "in", "out": "out", "出": "out",
              "出厂": "out"}
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


# ----------------------------------------------------------------------------------------------- identities
@dataclass
class Lookup:
    """Known identities: `keys` (text) → `values` columns (meter_id, enterprise_id, city_code, interval_minutes…);
    `allowed` says whether the actor may load readings for it (known but not allowed: outside the actor's scope)."""

    keys: pa.Array
    values: dict[str, pa.Array]
    allowed: pa.Array

    @classmethod
    def empty(cls) -> "Lookup":
        return cls(pa.array([], pa.string()), {}, pa.array([], pa.bool_()))

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], key: str = "key") -> "Lookup":
        if not rows:
            return cls.empty()
        names = [k for k in rows[0] if k not in (key, "allowed")]
        return cls(pa.array([r[key] for r in rows], pa.string()),
                   {n: pa.array([r[n] for r in rows]) for n in names},
                   pa.array([bool(r.get("allowed", True)) for r in rows], pa.bool_()))

    def index(self, keys: pa.Array) -> pa.Array:
        return pc.index_in(keys, value_set=self.keys)

    def take(self, name: str, index: pa.Array) -> pa.Array:
        return pc.take(self.values[name], index)


Resolver = Callable[[str, list[str]], Lookup]


# ----------------------------------------------------------------------------------------------- the report
@dataclass
class ReadingsReport(ImportReport):
    kind: str = "electricity"
    accepted: int = 0
    duplicates: int = 0
    rows: int = 0
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    partitions: list = field(default_factory=list)
    batch_id: int | None = None

    def message(self) -> str:
        if self.error_count:
            return _("%(n)s problem(s) found; nothing was stored. Correct the file and upload it again.",
                     n=self.error_count)
        if self.dry_run:
            return _("No problems found. This was a check only: nothing was stored.")
        return _("Stored %(accepted)s readings; %(duplicates)s were already stored and were left as they were.",
                 accepted=self.accepted, duplicates=self.duplicates)

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out.update({"kind": self.kind, "kind_label": codes.label("readings.kind", self.kind), "rows": self.rows,
                    "accepted": self.accepted, "duplicates": self.duplicates, "refused": self.refused,
                    "batch_id": self.batch_id, "first_ts": self.first_ts.isoformat() if self.first_ts else None,
                    "last_ts": self.last_ts.isoformat() if self.last_ts else None})
        return out

    @property
    def refused(self) -> int:
        return self.rows if self.error_count else 0

    def stored(self, result: AppendResult) -> None:
        self.accepted, self.duplicates, self.written = result.accepted, result.duplicates, True
        self.partitions = result.partitions
        self.sheets[0].create, self.sheets[0].unchanged = result.accepted, result.duplicates


class _Problems:
    """Problems of one file, built from boolean masks over whole columns; only the first `limit` become objects."""

    def __init__(self, report: ReadingsReport, headers: dict[str, str], limit: int = 5000):
        self.report, self.headers, self.limit = report, headers, limit
        self.bad = None  # rows with any error (numpy bool)
        self.total = 0

    def mask(self, column: str, mask, values, reason: str, *, row_offset: int = 2) -> None:
        if isinstance(mask, pa.Scalar):
            if not mask.as_py():
                return
            mask = pa.array(np.ones(len(values), bool))
        if isinstance(mask, (pa.Array, pa.ChunkedArray)):
            if len(mask) == 0 or not pc.any(pc.fill_null(mask, False)).as_py():
                return
            m = np.asarray(pc.fill_null(mask, False), bool)
        else:
            m = np.asarray(mask, bool)
        if not m.any():
            return
        self.bad = m if self.bad is None else (self.bad | m)
        rows = np.nonzero(m)[0]
        self.total += len(rows)
        room = self.limit - len(self.report.problems)
        if room <= 0:
            return
        shown = rows[:room]
        vals = pc.take(values, pa.array(shown)).to_pylist() if values is not None else [None] * len(shown)
        title = self.report.sheets[0].title
        header = self.headers.get(column, column)
        for r, v in zip(shown.tolist(), vals, strict=True):
            self.report.problems.append(Problem(self.report.kind, title, r + row_offset, header, v, reason))

    def one(self, row: int, column: str, value: Any, reason: str) -> None:
        self.total += 1
        if len(self.report.problems) < self.limit:
            self.report.problems.append(Problem(self.report.kind, self.report.sheets[0].title, row,
                                                self.headers.get(column, column), value, reason))

    def finish(self) -> None:
        self.report.error_total = self.total
        self.report.sheets[0].errors = self.total


def new_report(kind: str, filename: str, dry_run: bool) -> ReadingsReport:
    report = ReadingsReport(filename=filename, dry_run=dry_run, kind=kind)
    report.sheets.append(SheetSummary(kind, str(codes.label("readings.kind", kind))))
    return report


# ----------------------------------------------------------------------------------------------- reading files
def sniff_encoding(data: bytes) -> str:
    head = data[: 1 << 16]
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start > len(head) - 4:  # a character cut at the end of the sample
            return "utf-8"
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRejected(_("The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8).")) from None


def _header_map(kind: str, names: list[str]) -> tuple[dict[str, str], list[str]]:
    """canonical name → header as written; and the headers not recognised."""
    aliases = {a.strip().lower(): canon for canon, al in HEADERS[kind].items() for a in al}
    found, unknown = {}, []
    for n in names:
        canon = aliases.get(n.strip().lower())
        if canon and canon not in found:
            found[canon] = n
        else:
            unknown.append(n)
    return found, unknown


def read_csv(kind: str, data: bytes, *, max_rows: int | None = None) -> tuple[pa.Table, dict[str, str]]:
    """The CSV as text columns named canonically, and the headers as written."""
    if b"\x00" in data[: 1 << 16]:
        raise FileRejected(_("This is not a text file. Upload a CSV file."))
    encoding = sniff_encoding(data)
    text_head = data[:4096].decode(encoding, errors="replace").lstrip("\ufeff").splitlines()
    if not text_head or not text_head[0].strip():
        raise FileRejected(_("The file is empty."))
    names = [h.strip().strip('"') for h in text_head[0].split(",")]
    found, _unknown = _header_map(kind, names)
    missing = [HEADERS[kind][c][0] for c in REQUIRED[kind] if c not in found]
    if missing:
        raise FileRejected(_("Columns missing: %(columns)s", columns="、".join(missing)))
    read_options = pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding, block_size=8 << 20)
    types = {n: pa.string() for n in names}
    table = None
    typed = {h: TYPED[kind][c] for c, h in found.items() if c in TYPED.get(kind, {})}
    if typed:  # the usual file: times and numbers parsed while reading (no text columns built for them)
        try:
            table = pacsv.read_csv(io.BytesIO(data), read_options=read_options, convert_options=pacsv.ConvertOptions(
                column_types={**types, **typed}, include_columns=list(found.values()), strings_can_be_null=False,
                quoted_strings_can_be_null=False, timestamp_parsers=["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]))
        except pa.ArrowInvalid:
            table = None  # some cell is not a time or a number: read everything as text and report each one
    try:
        if table is None:
            table = pacsv.read_csv(io.BytesIO(data), read_options=read_options, convert_options=pacsv.ConvertOptions(
                column_types=types, include_columns=list(found.values()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as err:
        raise FileRejected(_("The CSV file cannot be read: %(reason)s", reason=str(err)[:200])) from err
    if max_rows is not None and table.num_rows > max_rows:
        raise FileRejected(_("The file has %(n)s rows; at most %(max)s are read at once.", n=table.num_rows, max=max_rows))
    renamed = table.rename_columns([next(c for c, h in found.items() if h == n) for n in table.column_names])
    return renamed, found


def read_excel(kind: str, data: bytes, *, max_rows: int | None = None) -> tuple[pa.Table, dict[str, str]]:
    """The first sheet of an xlsx (gate ledgers are kept in Excel) as text columns, like `read_csv`."""
    from python_calamine import CalamineWorkbook

    if not data.startswith(b"PK\x03\x04"):
        raise FileRejected(_("This is not an Excel (.xlsx) file."))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except Exception as err:  # calamine raises its own error types for damaged files
        raise FileRejected(_("The Excel file cannot be read: %(reason)s", reason=str(err)[:200])) from err
    if not rows:
        raise FileRejected(_("The file is empty."))
    names = [str(h).strip() for h in rows[0]]
    found, _unknown = _header_map(kind, names)
    missing = [HEADERS[kind][c][0] for c in REQUIRED[kind] if c not in found]
    if missing:
        raise FileRejected(_("Columns missing: %(columns)s", columns="、".join(missing)))
    body = rows[1:]
    if max_rows is not None and len(body) > max_rows:
        raise FileRejected(_("The file has %(n)s rows; at most %(max)s are read at once.", n=len(body), max=max_rows))
    cols = {}
    for canon, header in found.items():
        i = names.index(header)
        cols[canon] = pa.array([_cell_text(r[i]) if i < len(r) else "" for r in body], pa.string())
    return pa.table(cols), found


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ----------------------------------------------------------------------------------------------- conversions
def _blank(col):
    """Empty cells: a mask, or the scalar False when there is none (the common case costs one pass over the
    offsets, and no mask is built). Typed columns (read as numbers or times) hold NULL for an empty cell."""
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return pc.is_null(col) if col.null_count else pa.scalar(False)
    lengths = pc.binary_length(col)
    if len(col) == 0 or pc.min(lengths).as_py() > 0:
        return pa.scalar(False)
    return pc.equal(lengths, 0)


def _bad_values(col, fn):
    """Rows whose value fails `fn`, judged on the distinct values: the scalar False when none does."""
    uniq = pc.unique(col)
    bad = pc.fill_null(fn(uniq), False)
    if not pc.any(bad).as_py():
        return pa.scalar(False)
    return pc.is_in(col, value_set=pc.filter(uniq, bad))


def _per_value(col, fn):
    """`fn` applied to the distinct values only, mapped back onto the column (readings repeat a few keys
    millions of times: work on the keys, not the rows)."""
    uniq = pc.unique(col)
    out = fn(uniq)
    if out.type == uniq.type and pc.all(pc.equal(out, uniq)).as_py() is not False and not out.null_count:
        return col  # nothing to change: keep the column as it is (no copy)
    return pc.take(out, pc.index_in(col, value_set=uniq))


def parse_times(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Text → timestamp[us]; NULL where no accepted format matches. ISO text (the usual case) is cast directly."""
    if pa.types.is_timestamp(col.type):
        return pc.cast(col, pa.timestamp("us"))
    try:
        return pc.cast(col, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    col = pc.utf8_trim_whitespace(col)
    out = pc.strptime(col, format=TIME_FORMATS[0], unit="us", error_is_null=True)
    for fmt in TIME_FORMATS[1:]:
        if not out.null_count:
            break
        alt = pc.strptime(col, format=fmt, unit="us", error_is_null=True)
        out = pc.coalesce(out, alt)
    return out


def parse_numbers(col) -> tuple[pa.Array, pa.Array]:
    """Text → float64 and a mask of the texts that are not numbers (blank is not flagged: NULL)."""
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        return pc.cast(col, pa.float64()), pa.scalar(False)
    try:
        return pc.cast(col, pa.float64()), pa.scalar(False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.match_substring_regex(col, NUMBER)
    blank = _blank(col)
    bad = pc.and_(pc.invert(ok), pc.invert(blank))
    cleaned = pc.if_else(ok, pc.utf8_trim_whitespace(col), pa.scalar(None, pa.string()))
    return pc.cast(cleaned, pa.float64()), bad


def _normalise(col, mapping: dict[str, str]) -> tuple[pa.Array, pa.Array]:
    """Text → canonical code through `mapping`; mask of texts not in it."""
    trimmed = pc.utf8_trim_whitespace(col)
    keys = pa.array(list(mapping), pa.string())
    idx = pc.index_in(trimmed, value_set=keys)
    out = pc.take(pa.array(list(mapping.values()), pa.string()), idx)
    return out, pc.is_null(idx)


# ----------------------------------------------------------------------------------------------- per kind
@dataclass
class Checked:
    """A file checked: the canonical table (rows in error dropped) and the report."""

    table: pa.Table
    report: ReadingsReport


def check(kind: str, raw: pa.Table, headers: dict[str, str], resolve: Resolver, report: ReadingsReport, *,
          own_uscc: str | None = None, now: datetime | None = None, row_offset: int = 2) -> Checked:
    """Validate text columns of `kind` and build the canonical table. `own_uscc`: an enterprise account's own
    enterprise (the USCC column may be left out; any other enterprise is refused)."""
    report.rows = raw.num_rows
    report.sheets[0].rows = raw.num_rows
    probs = _Problems(report, {**{c: HEADERS[kind][c][0] for c in HEADERS[kind]}, **headers})
    n = raw.num_rows
    if n == 0:
        probs.finish()
        return Checked(SCHEMAS[kind].empty_table(), report)
    latest = (now or timeutil.beijing_now().replace(tzinfo=None)) + timedelta(days=1)  # Beijing wall clock; a day's grace

    def required_text(name: str) -> pa.Array:
        col = raw.column(name)
        probs.mask(name, _blank(col), col, _("This field is required."), row_offset=row_offset)
        return col

    ts_text = required_text("ts")
    ts = parse_times(ts_text)
    probs.mask("ts", pc.and_(pc.is_null(ts), pc.invert(_blank(ts_text))), ts_text,
               _("Not a time: write YYYY-MM-DD hh:mm (Beijing time)."), row_offset=row_offset)
    probs.mask("ts", pc.greater(ts, pa.scalar(latest, pa.timestamp("us"))), ts_text,
               _("This time is in the future."), row_offset=row_offset)

    if kind in ("electricity", "gate"):
        if "uscc" in raw.column_names:
            uscc = _per_value(raw.column("uscc"), lambda u: pc.utf8_upper(pc.utf8_trim_whitespace(u)))
            if own_uscc:
                uscc = pc.if_else(_blank(uscc), pa.scalar(own_uscc), uscc)
            else:
                probs.mask("uscc", _blank(uscc), uscc, _("This field is required."), row_offset=row_offset)
            bad = _bad_values(uscc, lambda u: pc.and_(pc.invert(pc.match_substring_regex(u, _USCC.pattern)),
                                                      pc.invert(_blank(u))))
            probs.mask("uscc", bad, uscc, _("Not a unified social credit code (18 characters)."), row_offset=row_offset)
        elif own_uscc:
            uscc = pa.array([own_uscc] * n, pa.string())
        else:
            raise FileRejected(_("Columns missing: %(columns)s", columns=HEADERS[kind]["uscc"][0]))

    if kind == "electricity":
        meter = _per_value(required_text("meter"), pc.utf8_trim_whitespace)
        idx, look = _meter_index(uscc, meter, resolve)
        known = pc.invert(pc.is_null(idx))
        unknown = pc.and_(pc.is_null(idx), pc.invert(pc.or_(_blank(meter), _blank(uscc))))
        probs.mask("meter", unknown, meter, _("No such meter is registered for this enterprise."), row_offset=row_offset)
        allowed = pc.fill_null(look_take_bool(look, idx), False)
        probs.mask("meter", pc.and_(known, pc.invert(allowed)), meter,
                   _("You may not load readings for this meter (outside your region or enterprise)."),
                   row_offset=row_offset)
        kwh, bad = parse_numbers(raw.column("kwh"))
        probs.mask("kwh", bad, raw.column("kwh"), _("Not a number."), row_offset=row_offset)
        probs.mask("kwh", _blank(raw.column("kwh")), raw.column("kwh"), _("This field is required."), row_offset=row_offset)
        probs.mask("kwh", pc.less(kwh, 0), raw.column("kwh"), _("Electricity use cannot be negative."), row_offset=row_offset)
        probs.mask("kwh", pc.greater(kwh, MAX_KWH), raw.column("kwh"),
                   _("More than %(max)s kWh in one interval: check the unit (kWh).", max=f"{MAX_KWH:,.0f}"),
                   row_offset=row_offset)
        if look.values:
            step = np.where(np.asarray(pc.fill_null(pc.take(look.values["interval_minutes"], idx), 15)) == 60,
                            3_600_000_000, 900_000_000)
            micros = np.asarray(pc.fill_null(pc.cast(ts, pa.int64()), 0))
            off = (micros % step) != 0
            probs.mask("ts", pc.and_(known, pa.array(off)), ts_text,
                       _("The time is not on the meter's interval (every 15 minutes, or on the hour for hourly meters)."),
                       row_offset=row_offset)
        cols = {"city_code": _take(look, "city_code", idx, pa.string(), n),
                "enterprise_id": _take(look, "enterprise_id", idx, pa.int64(), n),
                "meter_id": _take(look, "meter_id", idx, pa.int64(), n), "ts": ts, "kwh": kwh}

    elif kind == "cems":
        mn = pc.utf8_trim_whitespace(required_text("mn"))
        look = resolve("cems", pc.unique(mn).to_pylist())
        idx = look.index(mn)
        known = pc.invert(pc.is_null(idx))
        probs.mask("mn", pc.and_(pc.is_null(idx), pc.invert(_blank(mn))), mn,
                   _("No stack with this MN code is registered."), row_offset=row_offset)
        allowed = pc.fill_null(look_take_bool(look, idx), False)
        probs.mask("mn", pc.and_(known, pc.invert(allowed)), mn,
                   _("You may not load readings for this stack (outside your region or enterprise)."),
                   row_offset=row_offset)
        probs.mask("ts", pc.or_(pc.not_equal(pc.minute(ts), 0), pc.not_equal(pc.second(ts), 0)), ts_text,
                   _("Hourly values are stamped on the hour."), row_offset=row_offset)
        cols = {"city_code": _take(look, "city_code", idx, pa.string(), n),
                "enterprise_id": _take(look, "enterprise_id", idx, pa.int64(), n),
                "stack_id": _take(look, "stack_id", idx, pa.int64(), n), "ts": ts}
        for name in OPTIONAL_NUMBERS["cems"]:
            if name in raw.column_names:
                val, bad = parse_numbers(raw.column(name))
                probs.mask(name, bad, raw.column(name), _("Not a number."), row_offset=row_offset)
                probs.mask(name, pc.less(val, 0), raw.column(name), _("A measured value cannot be negative."),
                           row_offset=row_offset)
                top = 25.0 if name == "o2" else 1e9 if name == "flow" else MAX_CONCENTRATION
                probs.mask(name, pc.greater(val, top), raw.column(name), _("Out of the possible range."),
                           row_offset=row_offset)
                cols[name] = val
            else:
                cols[name] = pa.nulls(n, pa.float64())
        if "status" in raw.column_names:
            status_text = pc.utf8_upper(pc.utf8_trim_whitespace(raw.column("status")))
            status = pc.if_else(_blank(status_text), pa.scalar("N"), status_text)
            bad = pc.invert(pc.is_in(status, value_set=pa.array(list(hj212.FLAGS))))
            probs.mask("status", bad, raw.column("status"),
                       _("Unknown data flag (HJ 212: N, F, M, S, D, C, T, B)"), row_offset=row_offset)
            cols["status"] = status
        else:
            cols["status"] = pa.array(["N"] * n, pa.string())

    else:  # gate
        look = resolve("gate", pc.unique(uscc).to_pylist())
        idx = look.index(uscc)
        known = pc.invert(pc.is_null(idx))
        probs.mask("uscc", pc.and_(pc.is_null(idx), pc.invert(_blank(uscc))), uscc,
                   _("No enterprise with this code is registered."), row_offset=row_offset)
        allowed = pc.fill_null(look_take_bool(look, idx), False)
        probs.mask("uscc", pc.and_(known, pc.invert(allowed)), uscc,
                   _("You may not load readings for this enterprise (outside your region)."), row_offset=row_offset)
        plate = pc.utf8_upper(pc.utf8_trim_whitespace(required_text("plate")))
        probs.mask("plate", pc.greater(pc.utf8_length(plate), 16), plate, _("A plate number has at most 16 characters."),
                   row_offset=row_offset)
        std, bad = _normalise(required_text("emission_standard"), STANDARDS)
        probs.mask("emission_standard", pc.and_(bad, pc.invert(_blank(raw.column("emission_standard")))),
                   raw.column("emission_standard"), _("Unknown emission standard: write 国0 to 国6, or 电动."),
                   row_offset=row_offset)
        fuel, bad = _normalise(required_text("fuel"), FUELS)
        probs.mask("fuel", pc.and_(bad, pc.invert(_blank(raw.column("fuel")))), raw.column("fuel"),
                   _("Unknown fuel: write 柴油, 汽油, 天然气, 电, 氢 or 混合动力."), row_offset=row_offset)
        direction, bad = _normalise(required_text("direction"), DIRECTIONS)
        probs.mask("direction", pc.and_(bad, pc.invert(_blank(raw.column("direction")))), raw.column("direction"),
                   _("Write 进 (entering) or 出 (leaving)."), row_offset=row_offset)
        cargo = pc.utf8_trim_whitespace(raw.column("cargo")) if "cargo" in raw.column_names else pa.array([""] * n)
        probs.mask("cargo", pc.greater(pc.utf8_length(cargo), 60), cargo, _("At most 60 characters."),
                   row_offset=row_offset)
        cols = {"city_code": _take(look, "city_code", idx, pa.string(), n),
                "enterprise_id": _take(look, "enterprise_id", idx, pa.int64(), n), "ts": ts, "plate": plate,
                "emission_standard": std, "fuel": fuel, "cargo": cargo, "direction": direction}

    probs.finish()
    cols["day"] = pc.cast(cols["ts"], pa.date32())
    table = pa.table({f.name: cols[f.name] for f in SCHEMAS[kind]}, schema=SCHEMAS[kind]) if not probs.total \
        else SCHEMAS[kind].empty_table()
    if table.num_rows:
        report.first_ts = pc.min(table.column("ts")).as_py()
        report.last_ts = pc.max(table.column("ts")).as_py()
    return Checked(table, report)


def _meter_index(uscc, meter, resolve: Resolver) -> tuple[pa.Array, Lookup]:
    """Row → position in the lookup of (USCC, meter code), through integer codes: each text column is matched against
    its distinct values once, and the pair becomes one int64 (no per-row string joining)."""
    us, ms = pc.unique(uscc), pc.unique(meter)
    width = max(len(ms), 1)
    r_key = pc.add(pc.multiply(pc.cast(pc.index_in(uscc, value_set=us), pa.int64()), width),
                   pc.cast(pc.index_in(meter, value_set=ms), pa.int64()))
    pairs = pc.unique(r_key).to_numpy(zero_copy_only=False)
    u_list, m_list = us.to_pylist(), ms.to_pylist()
    look = resolve("electricity", [f"{u_list[int(k) // width]}|{m_list[int(k) % width]}" for k in pairs])
    if not len(look.keys):
        return pa.nulls(len(uscc), pa.int32()), look
    parts = pc.split_pattern(look.keys, "|", max_splits=1)
    l_u = pc.index_in(pc.list_element(parts, 0), value_set=us)
    l_m = pc.index_in(pc.list_element(parts, 1), value_set=ms)
    l_key = pc.add(pc.multiply(pc.cast(l_u, pa.int64()), width), pc.cast(l_m, pa.int64()))  # NULL: not in the file
    return pc.index_in(r_key, value_set=pc.drop_null(l_key)), _subset(look, pc.invert(pc.is_null(l_key)))


def _subset(look: Lookup, keep) -> Lookup:
    if pc.all(keep).as_py():
        return look
    return Lookup(pc.filter(look.keys, keep), {k: pc.filter(v, keep) for k, v in look.values.items()},
                  pc.filter(look.allowed, keep))


def look_take_bool(look: Lookup, idx: pa.Array) -> pa.Array:
    return pc.take(look.allowed, idx) if len(look.keys) else pa.nulls(len(idx), pa.bool_())


def _take(look: Lookup, name: str, idx, typ, n: int) -> pa.Array:
    if name not in look.values:
        return pa.nulls(n, typ)
    return pc.cast(pc.take(look.values[name], idx), typ)


# ----------------------------------------------------------------------------------------------- HJ 212 lines
def check_hj212(text: str, resolve: Resolver, report: ReadingsReport, *, now: datetime | None = None) -> Checked:
    """HJ 212 messages, one per line: parse each (CRC included), keep the hourly data rows, then the same checks as a
    CEMS CSV (MN registered and in scope, on the hour, values in range). Any error: nothing stored."""
    headers = {"mn": "MN", "ts": "DataTime", "so2": "a21026", "nox": "a21002", "pm": "a34013", "o2": "a19001",
               "flow": "a00000", "status": "Flag"}
    rows: dict[str, list] = {k: [] for k in ("mn", "ts", "so2", "nox", "pm", "o2", "flow", "status")}
    line_of: list[int] = []
    parse_errors: list[tuple[int, str, str, str]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            msg = hj212.parse(line.strip())
            row = hj212.hourly(msg)
        except hj212.MessageError as err:
            parse_errors.append((i, str(err.field), err.value, str(err.reason)))
            continue
        line_of.append(i)
        rows["mn"].append(msg.mn)
        rows["ts"].append(row["ts"].strftime("%Y-%m-%d %H:%M:%S"))
        for k in ("so2", "nox", "pm", "o2", "flow"):
            rows[k].append("" if row[k] is None else repr(row[k]))
        rows["status"].append(row["status"])
    raw = pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})
    checked = check("cems", raw, headers, resolve, report, now=now, row_offset=0)
    # row numbers: check() numbered rows 0..n-1; map them to their lines
    for p in report.problems:
        p.row = line_of[p.row] if 0 <= p.row < len(line_of) else p.row
    for line_no, field_name, value, reason in parse_errors:
        report.problems.append(Problem("cems", report.sheets[0].title, line_no, field_name, value, reason))
    report.error_total = (report.error_total or 0) + len(parse_errors)
    report.sheets[0].errors = report.error_total
    report.rows = report.sheets[0].rows = len([ln for ln in lines if ln.strip()])
    if parse_errors:
        checked = Checked(SCHEMAS["cems"].empty_table(), report)
    return checked
