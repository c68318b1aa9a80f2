"""Excel export of applications, decisions, objections and the public list, through the exchange writer.

Headers are data-dictionary Fields (中文 / English); cells go through registry.exchange.workbook's
typed writers, so text starting with = + - @ is neutralised and dates and numbers are real Excel
types — one xlsx writer in the project, not two.
"""
from __future__ import annotations

import io
from typing import Any

import pandas as pd
import xlsxwriter

from registry.core.dictionary import Field, FieldType, Sheet
from registry.exchange.workbook import WORKBOOK_OPTIONS, Styles, write_body, write_header

T = FieldType


def _f(key: str, zh: str, en: str, type_: FieldType = T.TEXT) -> Field:
    return Field(key, zh, en, type_, f"grade.{key}")


COMMON = (_f("enterprise_name", "企业名称", "Enterprise"), _f("uscc", "统一社会信用代码", "USCC"),
          _f("region", "行政区", "Region"), _f("industry", "行业", "Industry"))

SHEETS: dict[str, Sheet] = {
    "public": Sheet("public", "绩效分级企业名单", "Graded enterprises", "grade_decision", ("uscc",), COMMON + (
        _f("grade", "应急绩效等级", "Emergency grade"), _f("status", "状态", "Status"),
        _f("publicity_until", "公示截止", "Publicity until", T.DATE), _f("effective_from", "生效日期", "Effective from", T.DATE),
        _f("valid_until", "有效期至", "Valid until", T.DATE))),
    "applications": Sheet("applications", "绩效分级申请", "Grade applications", "grade_application", ("id",), (
        _f("id", "申请编号", "Application", T.INTEGER), _f("enterprise_name", "企业名称", "Enterprise"),
        _f("uscc", "统一社会信用代码", "USCC"), _f("region", "行政区", "Region"), _f("industries", "申报行业", "Industries"),
        _f("status", "状态", "Status"), _f("proposed_grade", "拟定等级", "Proposed grade"),
        _f("submitted_at", "提交日期", "Submitted", T.DATE), _f("publicity_until", "公示截止", "Publicity until", T.DATE))),
    "decisions": Sheet("decisions", "分级决定", "Grade decisions", "grade_decision", ("id",), (
        _f("id", "决定编号", "Decision", T.INTEGER),) + COMMON + (
        _f("system", "分级体系", "System"), _f("grade", "等级", "Grade"), _f("proposed_grade", "拟定/原等级", "Proposed / previous"),
        _f("kind", "决定类型", "Kind"), _f("reason", "理由", "Reason"), _f("criteria", "指标包（版本、哈希）", "Criteria (version, hash)"),
        _f("effective_from", "生效日期", "Effective from", T.DATE), _f("valid_until", "有效期至", "Valid until", T.DATE),
        _f("supersedes_id", "取代决定编号", "Supersedes", T.INTEGER), _f("decided_by", "决定人", "Decided by"),
        _f("decided_at", "决定日期", "Decided", T.DATE))),
    "objections": Sheet("objections", "异议", "Objections", "grade_objection", ("id",), (
        _f("id", "异议编号", "Objection", T.INTEGER), _f("application_id", "申请编号", "Application", T.INTEGER),
        _f("enterprise_name", "企业名称", "Enterprise"), _f("name", "异议人", "Filed by"), _f("text", "异议内容", "Objection"),
        _f("status", "状态", "Status"), _f("answer", "答复", "Answer"), _f("created_at", "提出日期", "Filed", T.DATE),
        _f("answered_at", "答复日期", "Answered", T.DATE))),
}


def _beijing_day(value):
    """An instant's calendar day in Beijing (one clock, issue 16): 23:30 UTC is already the next day there."""
    from datetime import datetime

    from registry.core.timeutil import BEIJING

    if isinstance(value, datetime):
        return (value.astimezone(BEIJING) if value.tzinfo else value).date()
    return value


def to_xlsx(kind: str, rows: list[dict[str, Any]], lang: str = "zh") -> bytes:
    spec = SHEETS[kind]
    frame = pd.DataFrame.from_records(rows, columns=[f.key for f in spec.fields]) if rows else \
        pd.DataFrame({f.key: pd.Series(dtype=object) for f in spec.fields})
    for f in spec.fields:
        if f.type is T.DATE:  # datetimes → their day (tz-aware values cannot go into Excel)
            frame[f.key] = [_beijing_day(v) for v in frame[f.key]]
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {**WORKBOOK_OPTIONS, "in_memory": True})
    styles = Styles(wb)
    ws = wb.add_worksheet(spec.title(lang))
    write_header(ws, styles, spec, lang, {}, comments=False, validation=False)
    write_body(ws, spec, frame, lang, 1)
    wb.close()
    return out.getvalue()
