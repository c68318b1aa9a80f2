"""Every row is checked before anything is written, and every problem is reported at once (issue 8).

Each problem names the sheet, the Excel row, the column as headed in the file, the value and
the reason, in Chinese by default or in English on request.
"""
from __future__ import annotations

from datetime import date

from tests.builders import valid_uscc
from tests.builders.files import (
    enterprise_row,
    equipment_row,
    line_row,
    permit_row,
    workbook,
)
from tests.integration.exchange.conftest import counts, problems


def _reasons(report, sheet: str, row: int, column: str) -> list[str]:
    return [p.reason for p in report.problems if p.sheet == sheet and p.row == row and p.column == column]


def test_every_kind_of_cell_error_is_reported_and_nothing_is_written(do_import, admin):
    bad_check = valid_uscc(7)[:-1] + ("0" if valid_uscc(7)[-1] != "0" else "1")
    rows = [
        enterprise_row(1),                                                   # row 2: fine
        enterprise_row(2, uscc=bad_check),                                   # 3: check character
        enterprise_row(3, uscc="9113"),                                      # 4: length
        enterprise_row(4, region_code="999999"),                             # 5: unknown region
        enterprise_row(5, region_code="131000"),                             # 6: a city, not a county
        enterprise_row(6, sector="炼金术"),                                  # 7: not in the vocabulary
        enterprise_row(8, rail_share=150),                                   # 8: percentage > 100
        enterprise_row(9, heavy_diesel_vehicles=2.5),                        # 9: not an integer
        enterprise_row(10, capacity_utilisation_2018="很多"),                # 10: not a number
        enterprise_row(11, relocation_deadline="明年"),                      # 11: not a date
        enterprise_row(12, in_key_area="也许"),                              # 12: not yes/no
        enterprise_row(13, name=None),                                       # 13: required
        enterprise_row(14, name="长" * 201),                                 # 14: too long
        enterprise_row(1, name="重复"),                                      # 15: duplicate USCC in the file
        enterprise_row(15, contact_email="不是邮箱"),                        # 16: e-mail
        enterprise_row(16, fleet_china4=-3),                                 # 17: negative
    ]
    lines = [
        line_row(1),                                                         # 2
        line_row(1, name="同号"),                                            # 3: duplicate line code
        line_row(99),                                                        # 4: no such enterprise
        line_row(1, "L3", capacity_unit="斤/年"),                            # 5: unit not allowed
        line_row(1, "L4", nox_reached_on=date(2018, 1, 1)),                  # 6: emission date without status
        line_row(1, "L5", capacity=10 ** 12),                                # 7: beyond the column's precision
    ]
    equipment = [equipment_row(1, "L9"), equipment_row(1, quantity=0)]      # 2: no such line; 3: quantity < 1
    permits = [permit_row(1, issued_on=date(2020, 1, 1), valid_until=date(2019, 1, 1)),   # 2: validity before issue
               permit_row(1, kind="临时许可")]                                             # 3: duplicate number + vocabulary
    report = do_import(admin, workbook({"enterprises": rows, "lines": lines, "equipment": equipment, "permits": permits}))
    assert not report.ok and not report.written
    assert counts()["enterprise"] == 0

    E, L, Q, P = "enterprises", "lines", "equipment", "permits"
    assert "校验" in "".join(_reasons(report, E, 3, "统一社会信用代码")) or _reasons(report, E, 3, "统一社会信用代码")
    assert _reasons(report, E, 4, "统一社会信用代码")
    assert _reasons(report, E, 5, "所在县（区）代码")
    assert _reasons(report, E, 6, "所在县（区）代码")
    assert _reasons(report, E, 7, "所属行业")
    assert _reasons(report, E, 8, "铁路运输比例（%）")
    assert _reasons(report, E, 9, "重型柴油车数量（辆）")
    assert _reasons(report, E, 10, "2018年产能利用率（%）")
    assert _reasons(report, E, 11, "搬迁期限")
    assert _reasons(report, E, 12, "位于重点区域")
    assert _reasons(report, E, 13, "企业名称")
    assert _reasons(report, E, 14, "企业名称")
    assert any("2" in r for r in _reasons(report, E, 15, "统一社会信用代码"))  # "same key as row 2"
    assert _reasons(report, E, 16, "电子邮箱")
    assert _reasons(report, E, 17, "国四车辆数（辆）")
    assert _reasons(report, L, 3, "生产线编号")
    assert _reasons(report, L, 4, "企业统一社会信用代码")
    assert _reasons(report, L, 5, "产能单位")
    assert _reasons(report, L, 6, "氮氧化物排放状态")
    assert _reasons(report, L, 7, "设计产能")
    assert _reasons(report, Q, 2, "生产线编号")
    assert _reasons(report, Q, 3, "数量（台）")
    assert _reasons(report, P, 2, "有效期至")
    assert _reasons(report, P, 3, "许可证编号") and _reasons(report, P, 3, "许可类型")
    # values are carried as given
    bad = [p for p in report.problems if p.sheet == E and p.row == 7]
    assert bad[0].value == "炼金术" and bad[0].title == "企业"
    # nothing but the rows above is wrong
    wrong_rows = {(p.sheet, p.row) for p in report.problems if p.severity == "error"}
    assert (E, 2) not in wrong_rows and (L, 2) not in wrong_rows


def test_messages_in_english_on_request(do_import, admin):
    report = do_import(admin, workbook({"enterprises": [enterprise_row(1, sector="alchemy")]}), lang="en")
    reasons = " ".join(p.reason for p in report.problems)
    assert "Not an allowed value" in reasons
    from flask_babel import force_locale

    with force_locale("en"):
        assert report.message().startswith("1 problem")


def test_chinese_by_default(do_import, admin):
    report = do_import(admin, workbook({"enterprises": [enterprise_row(1, region_code="999999")]}))
    assert report.problems and all(any("\u4e00" <= ch <= "\u9fff" for ch in p.reason) or "GB/T" in p.reason for p in report.problems)


def test_missing_required_column_and_unknown_column(do_import, admin):
    data = workbook({"enterprises": [enterprise_row(1, 备注="x")]}, drop={"enterprises": ["sector"]},
                    extra_headers={"enterprises": ["备注"]})
    report = do_import(admin, data)
    errs = problems(report)
    assert any(row == 1 and "所属行业" in reason for _s, row, _c, reason in errs)
    warns = problems(report, "warning")
    assert any(col == "备注" for _s, _r, col, _reason in warns)


def test_headers_are_matched_in_english_and_by_key(do_import, admin):
    report = do_import(admin, workbook({"enterprises": [enterprise_row(1, sector="steel", in_key_area="yes")]}, lang="en"))
    assert report.ok and report.written, problems(report)


def test_duplicates_against_the_registry(do_import, admin, make_enterprise):
    ent, _owner = make_enterprise(submitted=True)  # holds permit P-131002-1
    report = do_import(admin, workbook({"enterprises": [enterprise_row(5)], "permits": [permit_row(5, number="P-131002-1")]}))
    assert any(p.sheet == "permits" and p.column == "许可证编号" for p in report.problems if p.severity == "error")
    assert not report.written


def test_plausibility_warnings_do_not_block(do_import, admin):
    data = workbook({
        "enterprises": [enterprise_row(1), enterprise_row(2)],
        "lines": [line_row(1), line_row(2)],
        "permits": [permit_row(1, industry="水泥制造"),                               # steel enterprise, cement permit
                    permit_row(2, valid_until=date(2019, 1, 1), issued_on=date(2016, 1, 1))],  # expired but "issued"
    })
    report = do_import(admin, data)
    assert report.ok and report.written
    warns = problems(report, "warning")
    assert any(s == "permits" and c == "许可行业" for s, _r, c, _m in warns)
    assert any(s == "permits" and c == "有效期至" for s, _r, c, _m in warns)
    assert any(s == "lines" and r == 3 and c == "设计产能" for s, r, c, _m in warns)  # enterprise 2 holds no permit in force


def test_template_example_row_is_skipped(do_import, admin):
    from registry.exchange import operations as ops

    report = do_import(admin, ops.template(admin, "zh").data)
    assert report.ok and not report.written
    assert all(s.rows == 0 for s in report.sheets)


def test_problem_list_is_capped_but_counted(do_import, admin, db_app):
    db_app.config["EXCHANGE_MAX_PROBLEMS"] = 10
    try:
        report = do_import(admin, workbook({"enterprises": [enterprise_row(i, sector="x") for i in range(1, 31)]}))
    finally:
        db_app.config.pop("EXCHANGE_MAX_PROBLEMS")
    data = report.as_dict()
    assert data["error_count"] == 30 and len(data["problems"]) == 10 and data["problems_not_listed"] == 20
