"""Export → import is a no-op: same headers, real Excel types, neutralised formulas restored exactly (issue 8)."""
from __future__ import annotations

import io
from datetime import datetime

import pandas as pd
import pytest

from tests.builders.files import enterprise_row, full_book, line_row, permit_row, workbook
from tests.integration.exchange.conftest import counts, problems


def _export(actor, kind="all", fmt="xlsx", lang="zh") -> bytes:
    from registry.exchange import operations as ops

    return ops.export(actor, kind, fmt, lang).data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_export_then_import_changes_nothing(do_import, admin, lang):
    assert do_import(admin, full_book((1, 2, 3))).written
    before = counts()
    data = _export(admin, lang=lang)
    report = do_import(admin, data, filename="export.xlsx")
    assert report.ok, problems(report)
    assert not report.written
    assert all(s.create == 0 and s.update == 0 for s in report.sheets), [s.as_dict() for s in report.sheets]
    assert {s.key: s.unchanged for s in report.sheets} == {"enterprises": 3, "lines": 4, "equipment": 3, "permits": 3}
    assert counts() == before


@pytest.mark.parametrize("kind", ["enterprises", "lines", "equipment", "permits"])
def test_csv_export_then_import_changes_nothing(do_import, admin, kind):
    assert do_import(admin, full_book((1, 2))).written
    data = _export(admin, kind, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it correctly
    report = do_import(admin, data, filename=f"{kind}.csv")
    assert report.ok, problems(report)
    assert [(s.key, s.create, s.update) for s in report.sheets] == [(kind, 0, 0)]
    assert report.sheets[0].unchanged > 0


def test_export_writes_real_types_and_neutralises_formulas(do_import, admin):
    rows = [enterprise_row(1, name="=HYPERLINK(\"http://evil\",\"点我\")", address="''=已有引号", contact_person="@张三",
                           contact_phone="-1234", township="+镇")]
    assert do_import(admin, workbook({"enterprises": rows, "lines": [line_row(1)], "permits": [permit_row(1)]})).written
    data = _export(admin)
    frames = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", dtype=object)
    ent = frames["企业"].iloc[0]
    assert ent["企业名称"] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    assert ent["详细地址"] == "''=已有引号"
    assert ent["联系人"] == "'@张三" and ent["联系电话"] == "'-1234" and ent["乡镇（街道）"] == "'+镇"
    assert isinstance(ent["无组织排放治理完成日期"], (datetime, pd.Timestamp))
    line = frames["生产线"].iloc[0]
    assert isinstance(line["设计产能"], (int, float)) and line["设计产能"] == 200
    assert line["所属行业"] == "钢铁" and line["安装在线监测"] == "是"
    # xlsx has no formula anywhere
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    # and importing the export restores the exact text
    report = do_import(admin, data)
    assert report.ok and not report.written, problems(report)
    from sqlalchemy import select

    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    e = db.session.scalar(select(Enterprise))
    assert e.name.startswith("=HYPERLINK") and e.address == "'=已有引号" and e.contact_person == "@张三"


def test_csv_export_neutralises_too(do_import, admin):
    assert do_import(admin, workbook({"enterprises": [enterprise_row(1, name="=1+1")]})).written
    text = _export(admin, "enterprises", "csv").decode("utf-8-sig")
    assert ",'=1+1," in text


def test_changed_cell_is_one_update_with_before_and_after_in_the_audit_log(do_import, admin):
    assert do_import(admin, full_book((1, 2))).written
    rows = [enterprise_row(1, name="改名后的企业"), enterprise_row(2)]
    report = do_import(admin, workbook({"enterprises": rows}))
    assert report.written
    assert [(s.create, s.update, s.unchanged) for s in report.sheets] == [(0, 1, 1)]
    from sqlalchemy import select

    from registry.core.models import AuditEntry
    from registry.extensions import db

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enterprise.import").order_by(AuditEntry.id.desc())).all()
    assert entries[0].before == {"name": "测试企业1有限公司"} and entries[0].after["fields"] == {"name": "改名后的企业"}
    summary = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exchange.import").order_by(AuditEntry.id.desc())).first()
    assert summary.after["enterprises"] == {"create": 0, "update": 1, "unchanged": 1}


def test_absent_column_keeps_the_stored_value(do_import, admin):
    assert do_import(admin, full_book((1,))).written
    data = workbook({"enterprises": [enterprise_row(1, address=None)]}, drop={"enterprises": ["address", "in_key_area"]})
    report = do_import(admin, data)
    assert report.ok and [(s.update, s.unchanged) for s in report.sheets] == [(0, 1)]


def test_emission_change_replaces_that_lines_emissions(do_import, admin):
    assert do_import(admin, full_book((1,))).written
    report = do_import(admin, workbook({"lines": [line_row(1, so2_status="超低排放", nox_status="稳定达标（现行标准）")]}))
    assert report.written and report.sheets[0].update == 1
    from sqlalchemy import select

    from registry.enterprises.models import LineEmission, ProductionLine
    from registry.extensions import db

    line = db.session.scalar(select(ProductionLine).where(ProductionLine.code == "L1"))
    got = {e.pollutant: e.status for e in db.session.scalars(select(LineEmission).where(LineEmission.line_id == line.id))}
    assert got == {"so2": "ultra_low", "nox": "compliant"}
    assert line.version == 2
