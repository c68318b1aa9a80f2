"""A schedule version as an Excel workbook: one row per line stretch, real dates and numbers.

Cells go through the exchange package's cell writer, so exported text is neutralised against
formula injection exactly as every other export of the registry.
"""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from registry.core import codes
from registry.core.citations import basis_items
from registry.exchange.workbook import WORKBOOK_OPTIONS, cell_value
from registry.schedules.queries import unfiled_note


def headers() -> list[str]:
    return [_("Enterprise"), _("USCC"), _("Region"), _("Sector"), _("Line"), _("Line name"), _("Measure"),
            _("Ratio") + " (%)", _("Basis"), _("From"), _("Until (exclusive)"), _("Clauses"), _("Rule ids"), _("Exemption"),
            _("Residual obligations"), _("Not implementing staggering: ratio changed without filing")]


def _ratio(row: dict[str, Any]) -> Any:
    lo, hi = row["percentage_min"], row["percentage_max"]
    if lo is None and hi is None:
        return float(row["coking_time_hours"]) if row.get("coking_time_hours") is not None else None
    if lo is not None and hi is not None and lo != hi:
        return f"{float(lo):g}–{float(hi):g}"
    value = lo if lo is not None else hi
    return float(value) if isinstance(value, Decimal) else value


def basis_label(code) -> str:
    return codes.label("Basis", code) if code else ""


def row_values(row: dict[str, Any], measure_label, sector_label, region_label, unfiled: dict | None = None) -> list[Any]:
    exemption = row.get("exemption") or {}
    changes = (unfiled or {}).get(row["uscc"])
    clauses = basis_items(row["reasons"])
    return [row["enterprise_name"], row["uscc"], region_label(row["region_code"]), sector_label(row["sector"]),
            row["line_ref"], row["line_name"], measure_label(row["measure"]), _ratio(row), basis_label(row["basis"]),
            row["phase_start"], row["phase_end"],
            "; ".join(i["cite"] + (f"：{i['note']}" if i["note"] else "") for i in clauses),  # 依据 in words (issue 16)
            "; ".join(dict.fromkeys(rule for i in clauses for rule in i["rules"])),
            f"{exemption.get('clause', '')} #{exemption.get('application_id')}" if exemption else "",
            "; ".join(i["note"] or i["cite"] for i in basis_items(row["residual_obligations"])),
            unfiled_note(changes) if changes else ""]


def write_xlsx(rows: list[dict[str, Any]], title: str, *, measure_label=str, sector_label=str, region_label=str,
               unfiled: dict | None = None) -> bytes:
    """`unfiled`: USCC → ratio changes not filed (queries.unfiled_for_rows), shown in the last column."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {**WORKBOOK_OPTIONS, "in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(_("Schedule")[:31])
    ws.write_string(0, 0, cell_value(title, text=True) or "")
    for col, h in enumerate(headers()):
        ws.write_string(1, col, h, head)
    for i, row in enumerate(rows, start=2):
        for col, value in enumerate(row_values(row, measure_label, sector_label, region_label, unfiled)):
            if col in (9, 10):
                ws.write_datetime(i, col, _as_datetime(value), day)
            else:
                ws.write(i, col, cell_value(value, text=True))
    ws.freeze_panes(2, 0)
    ws.set_column(0, 0, 30)
    ws.set_column(11, 15, 40)
    wb.close()
    return out.getvalue()


def _as_datetime(d):
    from datetime import datetime

    return datetime(d.year, d.month, d.day)
