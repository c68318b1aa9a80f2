"""A rule's source in words: "000:129" → 《廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案》第129行.

Decisions cite their source documents as file:line (DOMAIN.md style). Readers — an official deciding, an
enterprise posting a notice — need the document's name and the clause (issue 16: "the 依据 names the source
document and clause in words, the rule id on hover"). Pages, notices and exports all call `cite`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.core.codes import is_zh

# The five source documents (../shared/sources/README.md), by their file prefix.
DOCUMENTS = {
    "000": ("廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案", "Langfang 2017-18 autumn-winter air pollution action plan"),
    "001": ("蓟州区2018—2019年秋冬季大气污染综合治理攻坚行动方案", "Jizhou 2018-19 autumn-winter air pollution action plan"),
    "002": ("济源市2018年大气污染防治攻坚战任务分解台账", "Jiyuan 2018 air pollution task ledger"),
    "003": ("京津冀及周边地区2019-2020年秋冬季大气污染综合治理攻坚行动方案",
            "Beijing-Tianjin-Hebei and surrounding areas 2019-20 autumn-winter action plan"),
    "004": ("石家庄市打赢蓝天保卫战三年行动计划（2018-2020年）", "Shijiazhuang three-year blue-sky action plan (2018-2020)"),
}


def document_title(prefix: str) -> str:
    """The document's title in the reader's language; an unknown prefix is returned as is."""
    zh_en = DOCUMENTS.get(prefix)
    if zh_en is None:
        return prefix
    return zh_en[0] if is_zh() else zh_en[1]


def cite(source: str | None) -> str:
    """'000:129' → the document in 《》 and the place in it. A local setting or an unknown source is kept as is."""
    if not source:
        return ""
    prefix, _, line = str(source).partition(":")
    if prefix not in DOCUMENTS or not line:
        return str(source)
    title = document_title(prefix)
    where = _l("line %(line)s", line=line)
    return f"《{title}》{where}" if is_zh() else f"{title}, {where}"
