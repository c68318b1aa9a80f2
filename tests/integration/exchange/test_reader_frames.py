"""The upload reader's own calamine frames equal what pandas' calamine reader gave (issue 18 item 2); approved facts in chunks.

reader._read_sheets replaced `pd.read_excel(engine="calamine", header=None, dtype=object, nrows=…,
keep_default_na=False, na_values=[""])` to hold less memory; every later check depends on the exact values it
hands on, so here both read the same workbooks — awkward cells (a used range that starts at C3, blank rows and
columns, integer-valued and fractional floats, huge numbers, booleans, dates, date-times, times, "", " ", "NA",
"null", a formula with its cached value, an error value), the template and a full registration book — and every
cell must be the same value of the same type (NaN for blank).
"""
from __future__ import annotations

import io
import math
from datetime import date, datetime, time

import pandas as pd
import pytest
import xlsxwriter

from tests.builders.files import full_book


def _awkward() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"strings_to_numbers": False})
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    tfmt = wb.add_format({"num_format": "hh:mm:ss"})
    dtfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet("企业")
    ws.write_string(2, 2, "统一社会信用代码")
    ws.write_string(2, 3, "企业名称")
    ws.write_string(2, 5, "行业")
    values = [1.0, 2.5, 1e16, -0.0, 3, True, False, "NA", "null", " ", "0316-1234567", "甲"]
    for i, v in enumerate(values):
        ws.write(3 + i, 2, v)
        ws.write(3 + i, 5, values[-1 - i])
    ws.write_datetime(4, 3, date(2018, 9, 30), fmt)
    ws.write_datetime(5, 3, datetime(2018, 9, 30, 12, 30), dtfmt)
    ws.write_datetime(6, 3, time(8, 15), tfmt)
    ws.write_formula(7, 3, "=1+1", None, 2)
    ws.write_formula(8, 3, "=1/0", None, "#DIV/0!")
    ws.write_string(20, 4, "孤立")  # rows 10–19 blank
    wb.add_worksheet("生产线")      # empty sheet
    one = wb.add_worksheet("设备")  # one column with blank and whitespace cells
    for i, v in enumerate(["设备名称", "", " ", "1#", None, "2#"]):
        if v is not None:
            one.write_string(i, 0, v)
    wb.close()
    return buf.getvalue()


def _template() -> bytes:
    from registry.accounts.auth import SYSTEM
    from registry.exchange import operations as ops

    return ops.template(SYSTEM, "zh").data


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("make", [_awkward, _template, full_book])
@pytest.mark.parametrize("nrows", [1_000, 5])
def test_frames_equal_pandas_calamine(db_app, make, nrows):
    from python_calamine import CalamineWorkbook

    from registry.exchange.reader import _read_sheets

    data = make()
    titles = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    ours = dict(_read_sheets(data, titles, nrows))
    theirs = pd.read_excel(io.BytesIO(data), sheet_name=titles, header=None, engine="calamine", dtype=object,
                           nrows=nrows, keep_default_na=False, na_values=[""])
    assert list(ours) == list(theirs)
    for title in titles:
        a, b = ours[title], theirs[title]
        assert a.shape == b.shape, title
        assert list(a.columns) == list(b.columns) and list(a.index) == list(b.index), title
        for col in b.columns:
            for x, y in zip(a[col].tolist(), b[col].tolist()):
                assert _same(x, y), (title, col, x, y)


def test_an_import_captures_approved_facts_in_chunks(do_import, admin, monkeypatch):
    """approved.capture works CAPTURE_CHUNK enterprises at a time (issue 18 item 2: memory); the copies are those of
    one pass — one per enterprise, numbered per enterprise, in id order — and a second import numbers them 2."""
    from sqlalchemy import select

    from registry.enterprises import approved
    from registry.extensions import db
    from tests.builders.files import enterprise_row, workbook

    monkeypatch.setattr(approved, "CAPTURE_CHUNK", 2)
    assert do_import(admin, full_book((1, 2, 3, 4, 5))).written
    t = db.metadata.tables["approved_facts"]
    rows = db.session.execute(select(t.c.enterprise_id, t.c.number).order_by(t.c.id)).all()
    assert [n for _e, n in rows] == [1] * 5 and [e for e, _n in rows] == sorted(e for e, _n in rows)
    assert do_import(admin, workbook({"enterprises": [enterprise_row(s, address="新地址1号") for s in (1, 2, 3)]})).written
    again = db.session.execute(select(t.c.enterprise_id, t.c.number).order_by(t.c.id)).all()[5:]
    assert [n for _e, n in again] == [2, 2, 2] and [e for e, _n in again] == [e for e, _n in rows[:3]]
