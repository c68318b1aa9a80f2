"""zh/en message templates for contract errors (输入错误提示); Chinese is the default."""
from __future__ import annotations

FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "unknown_pack": {"zh": "未知的政策包“{value}”。可选值：{allowed}", "en": "Unknown policy pack '{value}'. Allowed values: {allowed}"},
    "date_outside_period": {"zh": "日期 {value} 不在政策包适用期内（{detail}）", "en": "Date {value} is outside the pack's period ({detail})"},
    "not_allowed": {"zh": "取值“{value}”无效。可选值：{allowed}", "en": "Value '{value}' is not allowed. Allowed values: {allowed}"},
    "required": {"zh": "缺少必填字段“{detail}”", "en": "Required field '{detail}' is missing"},
    "wrong_type": {"zh": "类型错误：“{value}”应为{detail}", "en": "Wrong type: '{value}' should be {detail}"},
    "unknown_field": {"zh": "未知字段“{detail}”", "en": "Unknown field '{detail}'"},
    "bad_date": {"zh": "日期“{value}”无效，格式应为 YYYY-MM-DD", "en": "Invalid date '{value}', expected YYYY-MM-DD"},
    "out_of_range": {"zh": "数值 {value} 超出范围（{detail}）", "en": "Value {value} is out of range ({detail})"},
    "duplicate_line": {"zh": "生产线编号“{value}”重复", "en": "Duplicate line id '{value}'"},
    "unknown_line": {"zh": "决定引用了不存在的生产线“{value}”。可选值：{allowed}", "en": "Decision refers to unknown line '{value}'. Allowed values: {allowed}"},
    "not_a_document": {"zh": "无法读取文档：{detail}", "en": "Cannot read the document: {detail}"},
    "invalid": {"zh": "输入无效：{detail}", "en": "Invalid input: {detail}"},
}

TYPE_NAMES = {
    "string": {"zh": "字符串", "en": "a string"}, "number": {"zh": "数字", "en": "a number"},
    "integer": {"zh": "整数", "en": "an integer"}, "boolean": {"zh": "布尔值（true/false）", "en": "a boolean"},
    "object": {"zh": "对象", "en": "an object"}, "array": {"zh": "列表", "en": "a list"}, "null": {"zh": "空值", "en": "null"},
}

SUMMARY = {"zh": "输入无效，共 {n} 处错误", "en": "Invalid input: {n} error(s)"}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def type_name(t, lang: str) -> str:
    ts = t if isinstance(t, list) else [t]
    sep = "或" if _lang(lang) == "zh" else " or "
    return sep.join(TYPE_NAMES.get(x, {}).get(_lang(lang), str(x)) for x in ts)


def field_message(err, lang: str = "zh") -> str:
    tpl = FIELD_MESSAGES.get(err.code, FIELD_MESSAGES["invalid"])[_lang(lang)]
    allowed = ", ".join(str(a) for a in err.allowed) if err.allowed else "—"
    detail = err.detail
    if err.code == "wrong_type":
        detail = type_name(err.detail, lang)
    return tpl.format(value=err.value, allowed=allowed, detail=detail)


def summary_message(n: int, lang: str = "zh") -> str:
    return SUMMARY[_lang(lang)].format(n=n)
