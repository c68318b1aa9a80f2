"""Real files for the exchange tests, made with XlsxWriter and the data dictionary's own headers."""
from __future__ import annotations

import io
from datetime import date
from typing import Any

import xlsxwriter

from registry.core import dictionary as dd
from tests.builders.payloads import ANCI, valid_uscc


def enterprise_row(seed: int, region: str = ANCI, **over) -> dict[str, Any]:
    row = {"uscc": valid_uscc(seed, region), "name": f"测试企业{seed}有限公司", "region_code": region,
           "address": "测试路1号", "sector": "钢铁", "contact_person": "张三", "contact_phone": "0316-1234567",
           "in_key_area": "是", "fugitive_control_done_on": date(2018, 9, 30)}
    row.update(over)
    return row


def line_row(seed: int, code: str = "L1", region: str = ANCI, **over) -> dict[str, Any]:
    row = {"uscc": valid_uscc(seed, region), "code": code, "name": "1号高炉", "sector": "steel", "sub_type": "高炉炼铁",
           "kind": "高炉", "fuel": "焦炭", "capacity": 200, "capacity_unit": "万吨/年", "stack_height_m": 60,
           "has_cems": "是", "cems_transmission_rate": 95, "so2_status": "特别排放限值", "so2_reached_on": date(2017, 9, 1)}
    row.update(over)
    return row


def equipment_row(seed: int, code: str = "L1", name: str = "1#高炉", region: str = ANCI, **over) -> dict[str, Any]:
    row = {"uscc": valid_uscc(seed, region), "line_code": code, "name": name, "kind": "高炉", "fuel": "焦炭",
           "capacity": 200, "capacity_unit": "万吨/年", "quantity": 1}
    row.update(over)
    return row


def permit_row(seed: int, number: str | None = None, region: str = ANCI, **over) -> dict[str, Any]:
    row = {"number": number or f"{valid_uscc(seed, region)}001P", "uscc": valid_uscc(seed, region), "kind": "排污许可证",
           "status": "已核发", "industry": "炼铁", "issued_on": date(2017, 6, 30), "valid_until": date(2030, 6, 29)}
    row.update(over)
    return row


def workbook(sheets: dict[str, list[dict[str, Any]]], lang: str = "zh", *, extra_headers: dict[str, list[str]] | None = None,
             drop: dict[str, list[str]] | None = None) -> bytes:
    """An xlsx with the given rows under the dictionary's headers (keys → headers), cells typed as given."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_numbers": False,
                                   "default_date_format": "yyyy-mm-dd"})
    for key, rows in sheets.items():
        spec = dd.sheet(key)
        ws = wb.add_worksheet(spec.title(lang))
        fields = [f for f in spec.fields if f.key not in (drop or {}).get(key, [])]
        headers = [f.header(lang) for f in fields] + (extra_headers or {}).get(key, [])
        ws.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            for c, f in enumerate(fields):
                value = row.get(f.key)
                if value is not None:
                    ws.write(r, c, value)
            for c, h in enumerate((extra_headers or {}).get(key, []), start=len(fields)):
                if h in row:
                    ws.write(r, c, row[h])
    wb.close()
    return buf.getvalue()


def csv_bytes(key: str, rows: list[dict[str, Any]], encoding: str = "utf-8", lang: str = "zh") -> bytes:
    spec = dd.sheet(key)
    lines = [",".join(f.header(lang) for f in spec.fields)]
    for row in rows:
        cells = []
        for f in spec.fields:
            v = row.get(f.key)
            cells.append("" if v is None else (v.isoformat() if isinstance(v, date) else str(v)))
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def full_book(seeds=(1, 2), region: str = ANCI) -> bytes:
    return workbook({
        "enterprises": [enterprise_row(s, region) for s in seeds],
        "lines": [line_row(s, region=region) for s in seeds] + [line_row(seeds[0], "L2", region=region, name="2号烧结机",
                                                                          kind="烧结机", so2_status=None, so2_reached_on=None)],
        "equipment": [equipment_row(s, region=region) for s in seeds],
        "permits": [permit_row(s, region=region) for s in seeds],
    })
