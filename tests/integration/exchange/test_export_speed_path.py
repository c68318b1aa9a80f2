"""The fast export body (column-wise row XML) writes byte for byte what XlsxWriter's cell-by-cell writers write.

Speed is measured in bench/import_export.py, never here. These tests write the same frames both ways — the
constant-memory path of workbook._write_body_rows and the cell-by-cell workbook._write_body_cells — and compare
every part of the two xlsx files (the document properties aside, which carry the creation time), with the
texts XlsxWriter escapes specially: XML characters, control characters, a literal _xHHHH_, U+FFFE, leading and
trailing whitespace, newlines, a rich-string look-alike, a text over Excel's 32,767 characters, formulas
(neutralised before either path sees them), dates on both sides of Excel's 1900 leap-year bug, numbers of every
shape, blank cells and wholly blank rows.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd
import pytest

from tests.builders.files import enterprise_row, full_book, line_row, permit_row, workbook
from tests.integration.exchange.conftest import problems

TRICKY_TEXTS = [
    "普通企业有限公司", "A&B <公司> \"引号\"", "控制\x01字符\x1f", "_x0041_ 字面转义", "非字符\ufffe\uffff",
    " 前导空格", "尾随空格 ", "多行\n文本", "末尾换行\n", "\t制表开头", "<r><t>富文本</t></r>", "长" * 40000,
    "=HYPERLINK(\"http://evil\")", "+1", "-2", "@x", "''=已有引号", "", None, "中文 & English",
]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


def _both_ways(frames: dict[str, pd.DataFrame], lang: str = "zh") -> tuple[dict[str, bytes], dict[str, bytes]]:
    from registry.exchange import workbook as wbmod

    fast = io.BytesIO()
    wbmod.write_xlsx(fast, frames, lang)
    real = wbmod.write_body
    wbmod.write_body = wbmod._write_body_cells
    try:
        slow = io.BytesIO()
        wbmod.write_xlsx(slow, frames, lang)
    finally:
        wbmod.write_body = real
    return _parts(fast.getvalue()), _parts(slow.getvalue())


def _frames(n: int) -> dict[str, pd.DataFrame]:
    """Canonical frames (what the exporter hands the writer) with every awkward value, cycling over n rows."""
    from registry.core import dictionary as dd

    ent = {}
    for i, f in enumerate(dd.ENTERPRISES.fields):
        col = []
        for r in range(n):
            if (r + i) % 7 == 0:
                col.append(None)
            elif f.type.value in ("date",):
                col.append(pd.Timestamp(date(1900, 1, 1) if r % 5 == 0 else date(1900, 3, 1) if r % 5 == 1 else date(2018, 9, 30)))
            elif f.type.value in ("decimal", "integer"):
                col.append([0, 1, 2.5, 1e-7, 123456789012345, 3.14159265358979, -7][r % 7])
            elif f.type.value == "boolean":
                col.append(bool(r % 2))
            elif f.vocabulary is not None:
                codes = f.vocabulary.codes()
                col.append(codes[r % len(codes)] if r % 9 else "=未知代码")
            else:
                col.append(TRICKY_TEXTS[(r + i) % len(TRICKY_TEXTS)])
        ent[f.key] = col
    frame = pd.DataFrame(ent)
    frame.loc[3] = None  # a wholly blank row: no <row> element at all
    return {"enterprises": frame, "permits": pd.DataFrame({f.key: [] for f in dd.PERMITS.fields})}


@pytest.mark.parametrize("lang,block", [("zh", 10_000), ("en", 10_000), ("zh", 7)])
def test_fast_body_is_byte_identical_to_cell_by_cell(db_app, monkeypatch, lang, block):
    from registry.exchange import workbook as wbmod

    monkeypatch.setattr(wbmod, "ROWS_PER_BLOCK", block)  # 7: many blocks, the blank row 3 inside the first
    fast, slow = _both_ways(_frames(60), lang)
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name


def test_formula_texts_stay_neutralised_and_unknown_vocabulary_values_too(db_app):
    fast, _slow = _both_ways(_frames(30))
    sheet = next(v for k, v in fast.items() if k.startswith("xl/worksheets/sheet") and b"HYPERLINK" in v).decode()
    assert "<t>'=HYPERLINK(" in sheet and "<t>'+1</t>" in sheet and "<t>'@x</t>" in sheet
    assert "<t>'=未知代码</t>" in sheet  # outside the vocabulary: written as text, neutralised
    assert "<f>" not in sheet


def test_a_real_export_is_identical_both_ways_and_still_round_trips(do_import, admin):
    from registry.exchange import operations as ops
    from registry.exchange import workbook as wbmod

    rows = [enterprise_row(1, name="=1+1", address="A&B <路> 1号 "), enterprise_row(2)]
    assert do_import(admin, workbook({"enterprises": rows, "lines": [line_row(1), line_row(2)],
                                      "permits": [permit_row(1)]})).written
    assert do_import(admin, full_book((3, 4))).written
    fast = ops.export(admin, "all", "xlsx", "zh").data
    real = wbmod.write_body
    wbmod.write_body = wbmod._write_body_cells
    try:
        slow = ops.export(admin, "all", "xlsx", "zh").data
    finally:
        wbmod.write_body = real
    assert _parts(fast) == _parts(slow)
    report = do_import(admin, fast, filename="export.xlsx")
    assert report.ok and not report.written, problems(report)
