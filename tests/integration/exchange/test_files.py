"""Files, not rows: CSV in GBK and UTF-8, limits, damaged, password-protected and zip-bomb workbooks, formulas (issue 8 §3).

A file that cannot be read is one clear message and never a 500; formulas are read as the
values Excel saved with them (calamine reads cached values) and are never evaluated.
"""
from __future__ import annotations

import io
import zipfile

import xlsxwriter

from tests.builders.files import csv_bytes, enterprise_row, line_row, workbook
from tests.integration.exchange.conftest import counts, problems


def _file_error(report) -> str:
    assert not report.ok and not report.written
    assert len(report.problems) == 1 and report.problems[0].sheet == "file"
    return report.problems[0].reason


def test_gbk_csv_is_read(do_import, admin):
    rows = [enterprise_row(1, fugitive_control_done_on="2018/9/30"), enterprise_row(2, name="石家庄某铸造厂", sector="铸造")]
    data = csv_bytes("enterprises", rows, encoding="gbk")
    data.decode("gbk")
    try:
        data.decode("utf-8")
        raise AssertionError("the fixture must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    report = do_import(admin, data, filename="企业.csv")
    assert report.ok and report.written, problems(report)
    from sqlalchemy import select

    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    names = set(db.session.scalars(select(Enterprise.name)))
    assert "石家庄某铸造厂" in names


def test_utf8_csv_with_bom_and_lines_sheet_detected_by_headers(do_import, admin):
    assert do_import(admin, workbook({"enterprises": [enterprise_row(1)]})).written
    data = b"\xef\xbb\xbf" + csv_bytes("lines", [line_row(1)])
    report = do_import(admin, data, filename="lines.csv")
    assert report.ok and [s.key for s in report.sheets] == ["lines"] and report.sheets[0].create == 1, problems(report)


def test_csv_with_unknown_headers_is_rejected_clearly(do_import, admin):
    reason = _file_error(do_import(admin, "甲,乙\n1,2\n".encode(), filename="x.csv"))
    assert "模板" in reason


def test_csv_in_neither_utf8_nor_gbk(do_import, admin):
    reason = _file_error(do_import(admin, b"\x81\x30\xff\xfe\xff" * 10, filename="x.csv"))
    assert "UTF-8" in reason


def test_password_protected_or_old_xls_is_refused(do_import, admin):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096  # an encrypted xlsx is an OLE compound file
    reason = _file_error(do_import(admin, ole, filename="加密.xlsx"))
    assert "密码" in reason


def test_damaged_workbook_is_refused(do_import, admin):
    assert "xlsx" in _file_error(do_import(admin, b"PK\x03\x04" + b"garbage" * 100, filename="坏.xlsx"))
    assert "xlsx" in _file_error(do_import(admin, b"this is not a workbook", filename="坏.xlsx"))
    # a zip that is not a workbook
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    assert _file_error(do_import(admin, buf.getvalue(), filename="x.xlsx"))
    # a workbook whose sheet XML is broken
    good = workbook({"enterprises": [enterprise_row(1)]})
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            z.writestr(item, data)
    assert _file_error(do_import(admin, out.getvalue(), filename="半个.xlsx"))


def test_zip_bomb_is_refused(do_import, admin):
    good = workbook({"enterprises": [enterprise_row(1)]})
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item))
        z.writestr("xl/media/bomb.bin", b"\0" * (40 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 200_000
    reason = _file_error(do_import(admin, data, filename="炸弹.xlsx")).lower()
    assert "zip" in reason or "炸弹" in reason


def test_size_and_row_limits(do_import, admin, db_app):
    data = workbook({"enterprises": [enterprise_row(i) for i in range(1, 12)]})
    db_app.config["EXCHANGE_MAX_BYTES"] = 1000
    try:
        assert "MiB" in _file_error(do_import(admin, data))
    finally:
        db_app.config.pop("EXCHANGE_MAX_BYTES")
    db_app.config["EXCHANGE_MAX_ROWS"] = 10
    try:
        assert "10" in _file_error(do_import(admin, data))
        assert do_import(admin, workbook({"enterprises": [enterprise_row(i) for i in range(1, 11)]})).ok
    finally:
        db_app.config.pop("EXCHANGE_MAX_ROWS")
    assert counts()["enterprise"] == 10


def test_formulas_are_read_as_saved_values_never_evaluated(do_import, admin):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet("企业")
    from registry.core import dictionary as dd

    ws.write_row(0, 0, dd.ENTERPRISES.headers("zh"))
    row = enterprise_row(1)
    for c, f in enumerate(dd.ENTERPRISES.fields):
        if row.get(f.key) is not None:
            ws.write(1, c, row[f.key])
    # the name is a formula whose saved value is a plain name; the stack of a WEBSERVICE call must never run
    ws.write_formula(1, 1, '=CONCATENATE("公式","企业")', None, "公式企业")
    ws.write_formula(1, 3, '=WEBSERVICE("http://127.0.0.1:9/x")', None, "码头镇")
    wb.close()
    report = do_import(admin, buf.getvalue())
    assert report.ok and report.written, problems(report)
    warns = [p for p in report.problems if p.severity == "warning"]
    assert {(p.row, p.column) for p in warns} >= {(2, "企业名称"), (2, "乡镇（街道）")}
    from sqlalchemy import select

    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    e = db.session.scalar(select(Enterprise))
    assert (e.name, e.township) == ("公式企业", "码头镇")


def test_workbook_without_template_sheets(do_import, admin):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    wb.add_worksheet("Sheet1").write(0, 0, "x")
    wb.close()
    assert "企业" in _file_error(do_import(admin, buf.getvalue()))


def test_annotated_report_highlights_and_comments_problem_cells(db_app, admin):
    from registry.exchange import operations as ops

    data = workbook({"enterprises": [enterprise_row(1), enterprise_row(2, sector="炼金术")]})
    outcome = ops.import_workbook(admin, data, "县登记表.xlsx", dry_run=True)
    download = ops.report_workbook(outcome)
    assert download.filename == "县登记表-report.xlsx"
    z = zipfile.ZipFile(io.BytesIO(download.data))
    names = z.namelist()
    assert any(n.startswith("xl/comments") for n in names)
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 2  # the problem list + the uploaded sheet
    import pandas as pd

    frames = pd.read_excel(io.BytesIO(download.data), sheet_name=None, engine="calamine", dtype=object)
    listed = frames["问题清单"]
    assert listed.iloc[0]["行"] == 3 and listed.iloc[0]["列"] == "所属行业" and listed.iloc[0]["值"] == "炼金术"
    assert frames["企业"].shape[0] == 2
    comments = "".join(z.read(n).decode() for n in names if n.startswith("xl/comments"))
    assert "Allowed" in comments or "可选" in comments or "允许" in comments
