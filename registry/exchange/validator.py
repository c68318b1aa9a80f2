"""Column-wise validation of read sheets against the data dictionary: types, units, vocabularies, USCC, regions, duplicates.

A province file has 300,000 lines, so nothing here runs marshmallow per row: each column is
converted once with pandas, and checks that need Python (USCC check characters, vocabulary
labels, dates typed as text) run once per *distinct* value and are broadcast back with
Series.map. Every failing cell becomes a problem row (sheet, row, column, value, reason);
reasons are translated once per check, not per cell. Checks that need the database (what
exists, who may change it) live in plan.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from stdnum.cn import uscc as stdnum_uscc

from registry.core import dictionary as dd
from registry.core.dictionary import Field, FieldType
from registry.core.regions import cities_without_counties, read_table
from registry.enterprises.schemas import CROSS_FIELD_RULES
from registry.exchange.neutralise import restore_series
from registry.exchange.reader import RawBook, RawSheet
from registry.exchange.report import Problem


def current_lang() -> str:
    from flask_babel import get_locale

    try:
        return "en" if str(get_locale() or "zh").startswith("en") else "zh"
    except Exception:  # outside any app context
        return "zh"


SHEET_ORDER = {s.key: i for i, s in enumerate(dd.SHEETS)}
EXCEL_EPOCH = datetime(1899, 12, 30)


class ProblemLog:
    """Problems kept as small DataFrames while checking; turned into Problem objects once, at the end."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []
        self.extra: list[Problem] = []

    def add(self, sheet: RawSheet, rows: pd.Index, fkey: str | None, reason: str, severity: str = "error",
            values: pd.Series | None = None) -> None:
        if len(rows) == 0:
            return
        if fkey is not None and fkey in sheet.frame.columns:
            vals = sheet.frame.loc[rows, fkey] if values is None else values.loc[rows]
            column, position = sheet.headers[fkey], sheet.positions[fkey]
        else:
            vals = pd.Series([None] * len(rows), index=rows) if values is None else values.loc[rows]
            column = dd.sheet(sheet.key).field(fkey).header("zh") if fkey else ""
            position = -1
        self._frames.append(pd.DataFrame({
            "sheet": sheet.key, "title": sheet.title, "row": np.asarray(rows, dtype=np.int64), "column": column,
            "value": vals.to_numpy(dtype=object), "reason": reason, "severity": severity, "position": position,
        }))

    def add_one(self, problem: Problem) -> None:
        self.extra.append(problem)

    def bad_rows(self, sheet_key: str) -> set[int]:
        rows: set[int] = set()
        for f in self._frames:
            if len(f) and f["sheet"].iat[0] == sheet_key:
                rows.update(f.loc[f["severity"] == "error", "row"].tolist())
        rows.update(p.row for p in self.extra if p.sheet == sheet_key and p.severity == "error" and p.row > 1)
        return rows

    def counts(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for f in self._frames:
            for (sheet, severity), n in f.groupby(["sheet", "severity"]).size().items():
                out[(sheet, severity)] = out.get((sheet, severity), 0) + int(n)
        for p in self.extra:
            out[(p.sheet, p.severity)] = out.get((p.sheet, p.severity), 0) + 1
        return out

    def problems(self, cap: int) -> list[Problem]:
        frames = [f for f in self._frames if len(f)]
        out = list(self.extra)
        if frames:
            allp = pd.concat(frames, ignore_index=True)
            allp["order"] = allp["sheet"].map(SHEET_ORDER)
            allp = allp.sort_values(["order", "row", "position"], kind="stable").head(cap)
            out += [Problem(r.sheet, r.title, int(r.row), r.column, r.value, r.reason, r.severity,
                            None if r.position < 0 else int(r.position))
                    for r in allp.itertuples(index=False)]
        order = {"error": 0, "warning": 1}
        out.sort(key=lambda p: (SHEET_ORDER.get(p.sheet, 9), p.row, p.position if p.position is not None else -1,
                                order.get(p.severity, 2)))
        return out[:cap]


@dataclass
class CleanSheet:
    key: str
    raw: RawSheet
    frame: pd.DataFrame                 # canonical values of the present fields, index = Excel row
    present: list[str]
    skipped_example: bool = False

    @property
    def spec(self) -> dd.Sheet:
        return dd.sheet(self.key)


@dataclass
class CleanBook:
    raw: RawBook
    sheets: dict[str, CleanSheet] = field(default_factory=dict)


# ---- blanks and text ----

def blank_mask(s: pd.Series) -> pd.Series:
    mask = s.isna()
    strings = s[~mask].map(type).eq(str)
    if strings.any():
        idx = strings[strings].index
        mask.loc[idx] = s.loc[idx].str.strip().eq("")
    return mask


def _number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text with the export's formula neutralisation removed; numbers typed into text cells kept exact."""
    if s.empty:
        return s.astype(object)
    kinds = s.map(type)
    out = s.copy()
    other = ~kinds.eq(str)
    if other.any():
        out.loc[other] = s.loc[other].map(_number_text)
    out = out.astype(str).str.strip()
    return restore_series(out)


# ---- converters: raw non-blank values → (canonical values, {reason: bad mask}) ----

Check = dict[str, pd.Series]


def _convert_text(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    text = as_text(s)
    checks: Check = {}
    limit = dd.max_length(f)
    if limit:
        checks[_("Longer than maximum length %(max)s.", max=limit)] = text.str.len() > limit
    if f.type is FieldType.EMAIL:
        ok = text.str.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+")
        checks[_("Not a valid email address.")] = ~ok.fillna(False).astype(bool)
    return text, checks


def _numeric(s: pd.Series) -> pd.Series:
    kinds = s.map(type)
    strings = kinds.eq(str)
    values = s.copy()
    if strings.any():
        values.loc[strings] = (s.loc[strings].str.strip().str.replace(",", "", regex=False)
                               .str.replace("，", "", regex=False).str.rstrip("%"))
    bools = kinds.eq(bool)
    if bools.any():
        values.loc[bools] = np.nan  # TRUE is not a number
    return pd.to_numeric(values, errors="coerce").astype(float)


def _convert_decimal(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    num = _numeric(s)
    finite = np.isfinite(num)
    checks: Check = {_("Not a valid number."): ~finite}
    num = num.where(finite)
    if f.minimum is not None:
        checks[_("Must be %(min)s or more.", min=f"{f.minimum:g}") if f.minimum else _("Must be zero or more.")] = num < f.minimum
    if f.maximum is not None:
        checks[_("Must be %(max)s or less.", max=f"{f.maximum:g}")] = num > f.maximum
    top = dd.decimal_limit(f)
    if top is not None and (f.maximum is None or f.maximum >= top):
        checks[_("Too large for this column (must be less than %(max)s).", max=f"{top:g}")] = num.abs() >= top
    return num.round(dd.decimal_places(f)), checks


def _convert_integer(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    num = _numeric(s)
    finite = np.isfinite(num)
    whole = finite & (np.floor(num) == num)
    checks: Check = {_("Not a valid integer."): ~whole}
    if f.minimum is not None:
        checks[_("Must be %(min)s or more.", min=f"{f.minimum:g}") if f.minimum else _("Must be zero or more.")] = num < f.minimum
    checks[_("Too large for this column (must be less than %(max)s).", max="2147483648")] = num.abs() >= 2 ** 31
    return num.where(whole & (num.abs() < 2 ** 31)).astype("Int64"), checks


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")


def _parse_date(value: Any) -> pd.Timestamp | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).normalize() if value.time() == datetime.min.time() else None
    if isinstance(value, date):
        return pd.Timestamp(value)
    if isinstance(value, (int, float)):  # an Excel serial number in a cell without a date format
        if 1 <= value < 2958466 and float(value).is_integer():
            return pd.Timestamp(EXCEL_EPOCH + timedelta(days=int(value)))
        return None
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return pd.Timestamp(parsed).normalize() if parsed.time() == datetime.min.time() else None
    return None


def _per_unique(s: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """Apply a Python function once per distinct value and broadcast it back (the vectorised trick)."""
    try:
        uniques = pd.unique(s.to_numpy(dtype=object))
        table = {u: func(u) for u in uniques}
    except TypeError:  # unhashable cell values cannot come from calamine or CSV, but be safe
        return s.map(func)
    return s.map(table)


def _convert_date(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    parsed = _per_unique(s, _parse_date)
    out = pd.to_datetime(parsed, errors="coerce")
    return out, {_("Not a valid date (use YYYY-MM-DD)."): out.isna()}


_TRUE = {"是", "yes", "y", "true", "1", "√", "✓", "有", "t", "1.0"}
_FALSE = {"否", "no", "n", "false", "0", "×", "无", "f", "0.0"}


def _parse_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _convert_bool(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    out = _per_unique(s, _parse_bool)
    return out, {_("Not a valid yes/no value (use 是 or 否)."): out.isna()}


def _vocabulary_lookup(f: Field) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in f.vocabulary.choices():
        for key in (code, code.lower(), label, dd.normalise_header(label), code.replace("_", " ").lower()):
            table.setdefault(key, code)
    return table


def _convert_vocabulary(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    lookup = _vocabulary_lookup(f)
    text = as_text(s)

    def code_of(value: str):
        return lookup.get(value) or lookup.get(value.lower()) or lookup.get(dd.normalise_header(value))

    out = _per_unique(text, code_of)
    allowed = f.allowed_text(current_lang())
    return out, {_("Not an allowed value. Allowed: %(allowed)s", allowed=allowed): out.isna()}


@lru_cache(maxsize=1 << 20)
def _uscc_problem(value: str) -> str:
    """'' or the name of stdnum's exception; cached, since every sheet of a file repeats the same codes."""
    try:
        stdnum_uscc.validate(value)
        return ""
    except Exception as err:
        return type(err).__name__


def _uscc_reasons() -> dict[str, str]:
    reason = {
        "InvalidChecksum": _("the check character does not match"),
        "InvalidLength": _("it must be 18 characters"),
        "InvalidFormat": _("it contains characters that are not allowed"),
        "InvalidComponent": _("the registration authority or region part is invalid"),
    }
    return {k: _("Not a valid unified social credit code (统一社会信用代码): %(reason)s", reason=v) for k, v in reason.items()}


def _convert_uscc(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    text = as_text(s).str.upper().str.replace(" ", "", regex=False).str.replace("-", "", regex=False)
    kinds = _per_unique(text, _uscc_problem)
    reasons = _uscc_reasons()
    checks: Check = {}
    for kind in pd.unique(kinds.to_numpy(dtype=object)):
        if kind:
            checks[reasons.get(kind) or _("Not a valid unified social credit code (统一社会信用代码): %(reason)s",
                                          reason=_("invalid"))] = kinds.eq(kind)
    return text, checks


def _convert_region(f: Field, s: pd.Series) -> tuple[pd.Series, Check]:
    text = as_text(s)
    levels = {r["code"]: r["level"] for r in read_table()}
    level = text.map(levels)
    holds = level.eq("county") | text.isin(cities_without_counties())  # a city without counties holds enterprises itself
    return text, {
        _("Unknown region code (use a 6-digit GB/T 2260 code)."): level.isna(),
        _("This city is divided into counties: give the code of the county, district or county-level city "
          "(县/区/县级市) where the enterprise is."): level.eq("city") & ~holds,
        _("Choose a county-level region (县/区/县级市), or a city that has no counties (不设区的市)."):
            level.notna() & level.ne("city") & ~holds,
    }


CONVERTERS = {
    FieldType.TEXT: _convert_text,
    FieldType.EMAIL: _convert_text,
    FieldType.DECIMAL: _convert_decimal,
    FieldType.INTEGER: _convert_integer,
    FieldType.DATE: _convert_date,
    FieldType.BOOLEAN: _convert_bool,
    FieldType.VOCABULARY: _convert_vocabulary,
    FieldType.USCC: _convert_uscc,
    FieldType.REGION: _convert_region,
}


def convert_column(f: Field, raw: pd.Series) -> tuple[pd.Series, pd.Series, Check]:
    """raw column → (canonical values with defaults for blanks, blank mask, {reason: bad mask})."""
    blank = blank_mask(raw)
    filled = raw[~blank]
    values, checks = CONVERTERS[f.type](f, filled)
    out = pd.Series(empty_value(f), index=raw.index, dtype=dtype_of(f))
    if len(values):
        out.loc[values.index] = values.astype(dtype_of(f)) if f.type not in (FieldType.BOOLEAN,) else values
    if f.type is FieldType.BOOLEAN:
        out = out.where(~blank, f.default).astype(object)
    elif f.default is not None:
        out = out.where(~blank, f.default)
    full_checks = {reason: mask.reindex(raw.index, fill_value=False).fillna(False).astype(bool)
                   for reason, mask in checks.items()}
    return out, blank, full_checks


def dtype_of(f: Field):
    return {
        FieldType.DECIMAL: "float64",
        FieldType.INTEGER: "Int64",
        FieldType.DATE: "datetime64[ns]",
        FieldType.BOOLEAN: object,
    }.get(f.type, object)


def empty_value(f: Field):
    if f.type is FieldType.DECIMAL:
        return np.nan
    if f.type is FieldType.INTEGER:
        return pd.NA
    if f.type is FieldType.DATE:
        return pd.NaT
    if f.type in (FieldType.TEXT, FieldType.EMAIL):
        return ""
    return None


# ---- the sheet and the book ----

def validate_book(raw: RawBook, log: ProblemLog) -> CleanBook:
    book = CleanBook(raw)
    for key, sheet in raw.sheets.items():
        book.sheets[key] = _validate_sheet(sheet, log)
    return book


def _validate_sheet(sheet: RawSheet, log: ProblemLog) -> CleanSheet:
    spec = dd.sheet(sheet.key)
    present = [f.key for f in spec.fields if f.key in sheet.frame.columns]
    for f in spec.fields:
        if f.required and f.key not in present:
            log.add_one(Problem(sheet.key, sheet.title, 1, f.header("zh"), None,
                                _("Required column “%(column)s” is missing.", column=f.header("zh"))))
    frame = pd.DataFrame(index=sheet.frame.index)
    for fkey in present:
        f = spec.field(fkey)
        values, blank, checks = convert_column(f, sheet.frame[fkey])
        if f.required:
            log.add(sheet, blank[blank].index, fkey, _("This field is required."))
        for reason, mask in checks.items():
            log.add(sheet, mask[mask].index, fkey, reason)
        frame[fkey] = values
    clean = CleanSheet(sheet.key, sheet, frame, present)
    _skip_example_row(clean)
    _cross_field_checks(clean, log)
    _duplicates(clean, log)
    return clean


def _skip_example_row(clean: CleanSheet) -> None:
    """The template's example row (its USCC is the dictionary's example) is never imported."""
    if "uscc" in clean.frame.columns and len(clean.frame):
        example = clean.frame["uscc"].eq(dd.EXAMPLE_USCC)
        if example.any():
            clean.frame = clean.frame[~example]
            clean.raw.frame = clean.raw.frame.loc[clean.frame.index]
            clean.skipped_example = True


def _cross_field_checks(clean: CleanSheet, log: ProblemLog) -> None:
    frame, sheet = clean.frame, clean.raw
    for rule in CROSS_FIELD_RULES.get(clean.key, ()):  # declared once, beside the schemas pages and API load with
        if not set(rule.fields) <= set(frame.columns):
            continue
        given = frame[list(rule.fields)].notna().all(axis=1)
        bad = given & pd.Series(rule.broken(*(frame[f] for f in rule.fields)), index=frame.index).fillna(False).astype(bool)
        log.add(sheet, bad[bad].index, rule.report_on, str(rule.message))
    if clean.key == "lines":
        for p in ("pm", "so2", "nox", "vocs"):
            status = f"{p}_status"
            others = [c for c in (f"{p}_reached_on", f"{p}_concentration", f"{p}_limit") if c in frame.columns]
            if not others:
                continue
            filled = pd.concat([sheet.frame[c].notna() for c in others], axis=1).any(axis=1)
            missing = frame[status].isna() if status in frame.columns else pd.Series(True, index=frame.index)
            bad = filled & missing
            if status in sheet.frame.columns:
                bad &= blank_mask(sheet.frame[status])  # an invalid status is reported already
            log.add(sheet, bad[bad].index, status if status in frame.columns else None,
                    _("Give the emission status of this pollutant, or leave its other columns blank."))


def _duplicates(clean: CleanSheet, log: ProblemLog) -> None:
    keys = list(clean.spec.keys)
    if not set(keys) <= set(clean.frame.columns) or clean.frame.empty:
        return
    frame = clean.frame[keys]
    valid = ~frame.isna().any(axis=1) & frame.ne("").all(axis=1)
    frame = frame[valid]
    dup = frame.duplicated(keep="first")
    if not dup.any():
        return
    first_row = frame.reset_index().groupby(keys, sort=False)["index"].transform("first")
    first_row.index = frame.index
    rows = dup[dup].index
    for first, group in first_row.loc[rows].groupby(first_row.loc[rows]):
        log.add(clean.raw, group.index, keys[-1], _("Duplicate: the same key as row %(row)s.", row=int(first)))


def canonical(f: Field, values: pd.Series) -> pd.Series:
    """Stored values (from the database) in the validator's canonical form, for comparison."""
    if f.type is FieldType.DECIMAL:
        return pd.to_numeric(values, errors="coerce").astype(float).round(dd.decimal_places(f))
    if f.type is FieldType.INTEGER:
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    if f.type is FieldType.DATE:
        return pd.to_datetime(values, errors="coerce")
    if f.type is FieldType.BOOLEAN:
        return values.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else bool(v)).astype(object)
    if f.type in (FieldType.TEXT, FieldType.EMAIL):
        return values.fillna("").astype(str)
    return values.astype(object).where(values.notna(), None)


def equal(f: Field, a: pd.Series, b: pd.Series) -> pd.Series:
    """Null-aware equality of two canonical columns."""
    if f.type is FieldType.DECIMAL:
        both_nan = a.isna() & b.isna()
        tol = 0.5 * 10 ** -dd.decimal_places(f)
        return both_nan | ((a - b).abs() < tol).fillna(False)
    if f.type in (FieldType.INTEGER, FieldType.DATE):
        both = a.isna() & b.isna()
        return both | (a == b).fillna(False).astype(bool)
    an, bn = a.isna(), b.isna()
    return (an & bn) | ((~an & ~bn) & (a.astype(object) == b.astype(object)))
