"""The list as the Excel workbook a city files upward: one sheet per alert level plus the city summary.

Headers are Chinese with the English in brackets; cells show labels (蓝色预警, 二氧化硫, 钢铁, 限产, 工业源 …)
from the label registry, in the reader's language (issue 16); no importer reads this workbook back, so no code
column is kept. Numbers and dates are real Excel types; text cells are formula-neutralised
(registry/exchange/neutralise.py) so a crafted name cannot run in Excel.
"""
from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from registry.core import codes
from registry.core.citations import cite
from registry.core.regions import region_label
from registry.emergency import labels as _labels  # noqa: F401  (registers the list's vocabularies)
from registry.emergency.models import EmergencyList
from registry.emergency.queries import entries_with_line, totals
from registry.exchange.neutralise import neutralise
from registry.policy.emergency import POLLUTANTS, Action, LineBaseline, baseline_days, emergency_levels, line_reduction
from registry.policy.packs import Pack

LEVEL_SHEETS = {"blue": "蓝色预警", "yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}
MEASURE_LABELS = {"none": "无措施", "curtail": "限产", "stop": "停产", "max_load": "最大允许生产负荷", "extend_coking": "延长出焦时间"}
LEVEL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("enterprise", "企业名称 (enterprise)"), ("uscc", "统一社会信用代码 (USCC)"), ("region", "所在区县 (region)"),
    ("industry", "行业 (industry)"), ("grade", "绩效分级 (grade)"), ("line_code", "生产线编号 (line code)"),
    ("line", "生产线/工序 (line/process)"), ("measure", "减排措施 (measure)"), ("percent", "限产比例% (curtail %)"),
    *((f"reduction_{p}", f"{p.upper()}减排量kg (reduction {p}, kg)") for p in POLLUTANTS),
    *((f"baseline_{p}", f"{p.upper()}基准排放量kg (baseline {p}, kg)") for p in POLLUTANTS),
    ("baseline_class", "基准类别 (baseline class)"), ("key_indicators", "关键指标 (key indicators)"),
    ("responsible_person", "责任人 (responsible person)"), ("contact", "联系方式 (contact)"),
)
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("level", "预警级别 (level)"), ("pollutant", "污染物 (pollutant)"), ("baseline", "基准排放量kg (baseline, kg)"),
    ("reduction", "减排量kg (reduction, kg)"), ("percent", "减排比例% (reduction %)"),
    ("target_percent", "目标比例% (target %)"), ("shortfall", "缺口kg (shortfall, kg)"), ("met", "是否达标 (met)"),
    ("base", "目标基数 (target base)"),
    ("industrial_baseline", "工业基准排放量kg (industrial base, kg)"), ("industrial_percent", "工业口径减排比例% (industrial %)"),
    ("area_baseline", "非工业源基准排放量kg (non-industrial base, kg)"), ("area_reduction", "非工业源减排量kg (non-industrial reduction, kg)"),
    ("society_baseline", "全社会基准排放量kg (society-wide base, kg)"), ("society_percent", "全社会口径减排比例% (society-wide %)"),
)


def _text(value: Any) -> str:
    return neutralise(str(value or ""))


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _measure(code: str) -> str:
    return codes.label("Measure", code)


def level_rows(lst: EmergencyList, pack: Pack, level: str) -> list[dict[str, Any]]:
    days = baseline_days(pack)
    out = []
    for row in entries_with_line(lst):
        e, ent, line = row["entry"], row["enterprise"], row["line"]
        if e.level != level:
            continue
        base = LineBaseline(str(ent.id), str(line.id), {"so2": float(e.daily_so2_kg), "nox": float(e.daily_nox_kg),
                                                         "pm": float(e.daily_pm_kg), "vocs": float(e.daily_vocs_kg)},
                            e.baseline_class)
        cut = line_reduction(base, Action(e.measure, float(e.percent)), days)
        n = days.of(e.baseline_class)
        out.append({"enterprise": ent.name, "uscc": ent.uscc, "region": region_label(ent.region_code) or ent.region_code,
                    "industry": codes.label("Sector", ent.sector), "grade": e.grade or "", "line_code": line.code,
                    "line": line.name, "measure": _measure(e.measure), "percent": float(e.percent),
                    **{f"reduction_{p}": round(cut[p], 3) for p in POLLUTANTS},
                    **{f"baseline_{p}": round(base.daily[p] * n, 3) for p in POLLUTANTS},
                    "baseline_class": codes.label("emergency.baseline_class", e.baseline_class), "key_indicators": e.key_indicators,
                    "responsible_person": e.responsible_person, "contact": e.contact})
    return out


def summary_rows(lst: EmergencyList, pack: Pack) -> list[dict[str, Any]]:
    out = []
    for level in emergency_levels(pack):
        for p in totals(lst, pack, level).pollutants:
            out.append({"level": codes.label("AlertLevel", level), "pollutant": codes.label("Pollutant", p.pollutant),
                        "baseline": round(p.baseline, 3),
                        "reduction": round(p.reduction, 3), "percent": round(p.percent, 3),
                        "target_percent": p.target_percent, "shortfall": round(p.shortfall, 3),
                        "met": _yes_no(p.met) if p.target_percent is not None else "—",
                        "base": codes.label("emergency.target_base", p.base), "industrial_baseline": round(p.industrial_baseline, 3),
                        "industrial_percent": round(p.industrial_percent, 3), "area_baseline": round(p.area_baseline, 3),
                        "area_reduction": round(p.area_reduction, 3),
                        "society_baseline": round(p.industrial_baseline + p.area_baseline, 3),
                        "society_percent": round(p.society_percent, 3)})
    return out


def _sheet(book, name: str, columns, rows, numeric: set[str]) -> None:
    ws = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    for c, (_key, header) in enumerate(columns):
        ws.write_string(0, c, header, bold)
        ws.set_column(c, c, 16)
    for r, row in enumerate(rows, start=1):
        for c, (key, _header) in enumerate(columns):
            value = row.get(key)
            if value is None:
                ws.write_blank(r, c, None)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif key in numeric:
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, _text(value))


def to_xlsx(lst: EmergencyList, pack: Pack) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    numeric = {"percent"} | {f"reduction_{p}" for p in POLLUTANTS} | {f"baseline_{p}" for p in POLLUTANTS}
    _sheet(book, "城市汇总", SUMMARY_COLUMNS, summary_rows(lst, pack),
           {"baseline", "reduction", "percent", "target_percent", "shortfall", "industrial_baseline", "industrial_percent",
            "area_baseline", "area_reduction", "society_baseline", "society_percent"})
    for level in emergency_levels(pack):
        _sheet(book, LEVEL_SHEETS[level], LEVEL_COLUMNS, level_rows(lst, pack, level), numeric)
    book.close()
    return buf.getvalue()


ORDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "日期 (date)"), ("level", "预警级别 (level)"), ("enterprise", "企业名称 (enterprise)"),
    ("uscc", "统一社会信用代码 (USCC)"), ("region", "所在区县 (region)"), ("grade", "绩效分级 (grade)"),
    ("line_code", "生产线编号 (line code)"), ("line", "生产线/工序 (line/process)"), ("measure", "减排措施 (measure)"),
    ("percent", "限产比例% (curtail %)"), ("key_indicators", "关键指标 (key indicators)"),
    ("responsible_person", "责任人 (responsible person)"), ("contact", "联系方式 (contact)"),
    ("transport", "运输管控 (transport)"),
)


def _transport(t: dict[str, Any]) -> str:
    """A transport restriction in words with its source document (engine.transport labels; the rule id is left out)."""
    words = codes.label("engine.transport", t.get("restriction", ""))
    if t.get("minimum_standard"):
        words += _(" (minimum %(standard)s)", standard=codes.label("VehicleStandard", t["minimum_standard"]))
    if t.get("exceptions"):
        words += _("; exceptions: %(list)s", list="、".join(codes.label("VehiclePurpose", x) for x in t["exceptions"]))
    source = t.get("source") or ""
    where = _("local setting") if source == "local setting" else cite(source)
    return f"{words}（{where}）" if where else words


def orders_xlsx(orders: list[dict[str, Any]], on, level: str) -> bytes:
    """Every enterprise's alert-day orders in one sheet: a row per line (or one 'no measure' row for an enterprise without lines)."""
    rows = []
    for o in orders:
        transport = "; ".join(_transport(t) for t in o["transport"])
        base = {"date": on.isoformat(), "level": codes.label("AlertLevel", level), "enterprise": o["name"], "uscc": o["uscc"],
                "region": region_label(o["region_code"]) or o["region_code"], "grade": o["grade"] or "",
                "transport": transport}
        for line in o["lines"] or [None]:
            if line is None:
                rows.append({**base, "measure": _measure("none"), "percent": 0.0})
            else:
                rows.append({**base, "line_code": line["code"], "line": line["name"], "measure": _measure(line["measure"]),
                             "percent": line["percent"], "key_indicators": line["key_indicators"],
                             "responsible_person": line["responsible_person"], "contact": line["contact"]})
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    _sheet(book, "应急指令", ORDER_COLUMNS, rows, {"percent"})
    book.close()
    return buf.getvalue()
