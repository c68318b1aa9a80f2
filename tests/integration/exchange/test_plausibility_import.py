"""Issue 14 point 9 — the import runs the registration's own plausibility checks (registry/enterprises/plausibility.py):
an impossible kind/fuel pair keeps its row out, a bad permit-number check character too; the rest warns, named by
the Chinese column header."""
from __future__ import annotations

from datetime import date

from tests.builders import valid_uscc
from tests.builders.files import enterprise_row, line_row, permit_row, workbook
from tests.integration.exchange.conftest import counts, problems


def test_a_cupola_on_electricity_is_refused_and_an_electric_furnace_on_coke_too(do_import, admin):
    data = workbook({
        "enterprises": [enterprise_row(1, sector="铸造"), enterprise_row(2, sector="铸造")],
        "lines": [line_row(1, "ZZ1", sector="foundry", sub_type=None, kind="冲天炉", fuel="电"),
                  line_row(2, "ZZ1", sector="foundry", sub_type=None, kind="电炉", fuel="焦炭")],
    })
    report = do_import(admin, data, dry_run=True)
    errors = problems(report)
    assert sorted((s, r, c) for s, r, c, _m in errors if s == "lines") == [("lines", 2, "燃料/能源"), ("lines", 3, "燃料/能源")]
    assert not report.ok


def test_permit_numbers_and_management_class_in_the_import(do_import, admin):
    uscc = valid_uscc(3)
    broken = uscc[:-1] + ("0" if uscc[-1] != "0" else "1") + "001P"
    data = workbook({
        "enterprises": [enterprise_row(3)],
        "lines": [line_row(3)],
        "permits": [permit_row(3, number=broken),
                    permit_row(3, number=f"{uscc}002P", management_class="登记管理"),      # kind 排污许可证
                    permit_row(3, number=f"{uscc}003P", management_class="重点管理"),
                    permit_row(3, number="冀环许-2016-8", management_class="简化管理",
                               valid_until=date(2018, 1, 1), issued_on=date(2015, 1, 1))],
    })
    report = do_import(admin, data)
    errors = [(s, r, c) for s, r, c, _m in problems(report) if s == "permits"]
    assert ("permits", 2, "许可证编号") in errors and ("permits", 3, "管理类别") in errors
    warns = [(s, r, c) for s, r, c, _m in problems(report, "warning") if s == "permits"]
    assert ("permits", 5, "许可证编号") in warns and ("permits", 5, "有效期至") in warns


def test_a_clean_workbook_imports_with_its_management_class(do_import, admin):
    from sqlalchemy import select

    from registry.enterprises.models import Permit
    from registry.extensions import db

    before = counts()
    report = do_import(admin, workbook({"enterprises": [enterprise_row(4)], "lines": [line_row(4)],
                                        "permits": [permit_row(4, management_class="重点管理")]}))
    assert report.ok and report.written, problems(report)
    assert counts()["permit"] == before["permit"] + 1
    assert db.session.scalar(select(Permit.management_class).where(Permit.number == f"{valid_uscc(4)}001P")) == "key"
