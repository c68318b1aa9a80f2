"""The streamed export (issue 18 item 2) writes byte for byte what the former export wrote.

The former export read every sheet whole into canonical frames (exporter.export_frames) and wrote them with
XlsxWriter cell by cell (workbook._write_body_cells). The streamed one reads the same rows a chunk at a time
straight from the cursor (exporter.export_sources) and turns each distinct value into its cell's XML once
(workbook.write_xlsx_rows). Here both run on the same database — awkward stored texts (XML specials, control
characters, formulas to neutralise, a rich-string look-alike), dates on both
sides of Excel's 1900 leap-year bug, -0.0 and large numbers, blank columns — with tiny chunks and a tiny value
cache, and every part of the two files must be equal (document properties aside: they carry the time).
Speed and memory are measured in bench/import_export.py, never here.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from tests.builders.files import enterprise_row, equipment_row, line_row, permit_row, workbook
from tests.builders.payloads import ANCI
from tests.integration.exchange.conftest import problems

AWKWARD = ["A&B <公司> \"引号\"", "控制\x01字符", "_x0041_ 字面转义", " 前导空格", "尾随空格 ", "多行\n文本",
           "<r><t>富文本</t></r>", "=HYPERLINK(\"http://evil\")", "+1", "''=已有引号", "@x", "普通企业有限公司"]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


def _former_export(actor, lang: str) -> bytes:
    from registry.exchange import exporter
    from registry.exchange import workbook as wbmod

    frames = exporter.export_frames(actor, exporter.KINDS)
    buf = io.BytesIO()
    real = wbmod.write_body
    wbmod.write_body = wbmod._write_body_cells
    try:
        wbmod.write_xlsx(buf, frames, lang)
    finally:
        wbmod.write_body = real
    return buf.getvalue()


@pytest.fixture()
def awkward_registry(do_import, admin):
    seeds = range(1, 9)
    book = workbook({
        "enterprises": [enterprise_row(s, name=f"{AWKWARD[s % len(AWKWARD)]}{s}", address=AWKWARD[(s + 3) % len(AWKWARD)],
                                       fugitive_control_done_on=[date(1900, 1, 1), date(1900, 3, 1), date(2018, 9, 30)][s % 3])
                        for s in seeds],
        "lines": [line_row(s, capacity=[0, 2.5, 12345678901.5, 1e-3][s % 4]) for s in seeds]
                 + [line_row(1, "L2", name="2号烧结机", kind="烧结机", so2_status=None, so2_reached_on=None)],
        "equipment": [equipment_row(s) for s in seeds if s % 2],
        "permits": [permit_row(s) for s in seeds],
    })
    report = do_import(admin, book)
    assert report.written, problems(report)
    from sqlalchemy import update

    from registry.extensions import db

    t = db.metadata.tables
    # a stored value no page would write: -0.0 (Excel shows 0, as the former export wrote it)
    db.session.execute(update(t["production_line"]).where(t["production_line"].c.code == "L2").values(capacity=-0.0))
    db.session.commit()


@pytest.mark.parametrize("lang,chunk,cache", [("zh", 10_000, 50_000), ("zh", 2, 3), ("zh", 9, 2), ("en", 3, 1)])
def test_streamed_export_is_byte_identical_to_the_former_export(awkward_registry, admin, monkeypatch, lang, chunk, cache):
    from registry.exchange import exporter
    from registry.exchange import operations as ops
    from registry.exchange import workbook as wbmod

    monkeypatch.setattr(exporter, "CHUNK", chunk)         # many chunks: rows cross chunk boundaries
    monkeypatch.setattr(wbmod, "CACHE_LIMIT", cache)      # the per-column value cache is emptied often
    streamed = _parts(ops.export(admin, "all", "xlsx", lang).data)
    former = _parts(_former_export(admin, lang))
    assert streamed.keys() == former.keys()
    for name in former:
        assert streamed[name] == former[name], name
    sheet = b"".join(v for k, v in streamed.items() if k.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet and b"'=HYPERLINK(" in sheet


def test_streamed_export_of_one_kind_and_of_a_scoped_official(awkward_registry, admin, do_import, make_user):
    """One sheet alone, and a county official's scope (the same visible_enterprises as every list), stream the
    same rows as the former export; the county sees its own enterprises and not the other county's."""
    from registry.exchange import exporter
    from registry.exchange import operations as ops
    from registry.exchange import workbook as wbmod
    from tests.builders.payloads import ZHENGDING

    assert do_import(admin, workbook({"enterprises": [enterprise_row(20, ZHENGDING)],
                                      "lines": [line_row(20, region=ZHENGDING)]})).written
    county = make_user("county", ANCI)
    for actor in (admin, county):
        for kind in ("lines", "permits"):
            data = ops.export(actor, kind, "xlsx", "zh").data
            buf = io.BytesIO()
            real = wbmod.write_body
            wbmod.write_body = wbmod._write_body_cells
            try:
                wbmod.write_xlsx(buf, exporter.export_frames(actor, (kind,)), "zh")
            finally:
                wbmod.write_body = real
            assert _parts(data) == _parts(buf.getvalue())
    lines = b"".join(v for k, v in _parts(ops.export(county, "lines", "xlsx", "zh").data).items() if k.startswith("xl/worksheets/"))
    assert enterprise_row(1)["uscc"].encode() in lines and enterprise_row(20, ZHENGDING)["uscc"].encode() not in lines


def test_value_cache_starts_again_when_full(db_app, monkeypatch):
    """A chunk whose values were partly cached, arriving when the cache is full, is converted whole (not a KeyError
    for the values the emptied cache forgot)."""
    import xlsxwriter

    from registry.core import dictionary as dd
    from registry.exchange import workbook as wbmod

    monkeypatch.setattr(wbmod, "CACHE_LIMIT", 2)
    ws = xlsxwriter.Workbook(io.BytesIO()).add_worksheet()
    cells = wbmod._ColumnCells(ws, dd.ENTERPRISES.field("name"), "zh")
    first = cells.rests(("甲", "乙", "甲", "乙"))
    second = cells.rests(("丙", "甲", "甲", "甲"))
    assert first[0] == second[1] == b'" t="inlineStr"><is><t>\xe7\x94\xb2</t></is></c>'
    assert second[0].endswith("<t>丙</t></is></c>".encode())
