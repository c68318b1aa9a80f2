"""A rule's source in words: "000:129" → 《廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案》（十二）第32条.

Decisions cite their source documents as file:line (DOMAIN.md style). Readers — an official deciding, an
enterprise posting a notice — need the document's name and the clause (issue 16: "the 依据 names the source
document and clause in words, the rule id on hover"). Pages, notices and exports all call `cite`. The clause
enclosing a line comes from data/source_clauses.json, built from the sources by scripts/source_clauses.py.
"""
from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registry.core.codes import is_zh

CLAUSES_FILE = Path(__file__).parent / "data" / "source_clauses.json"
LOCAL_SOURCES = {"local setting", "local_setting", "local"}
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CJK_LEAD = re.compile(r"^[^A-Za-z]*[\u4e00-\u9fff][^A-Za-z]*")  # up to the first Latin letter
_FILE_LINE = re.compile(r"[（(]?\d{3}:\d+[^)）]*[)）]?")

# The five source documents (../shared/sources/README.md), by their file prefix.
DOCUMENTS = {
    "000": ("廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案", "Langfang 2017-18 autumn-winter air pollution action plan"),
    "001": ("蓟州区2018—2019年秋冬季大气污染综合治理攻坚行动方案", "Jizhou 2018-19 autumn-winter air pollution action plan"),
    "002": ("济源市2018年大气污染防治攻坚战任务分解台账", "Jiyuan 2018 air pollution task ledger"),
    "003": ("京津冀及周边地区2019-2020年秋冬季大气污染综合治理攻坚行动方案",
            "Beijing-Tianjin-Hebei and surrounding areas 2019-20 autumn-winter action plan"),
    "004": ("石家庄市打赢蓝天保卫战三年行动计划（2018-2020年）", "Shijiazhuang three-year blue-sky action plan (2018-2020)"),
}


# Documents outside the shipped sources (issue 20: a policy document an official uploaded, cited "D<id>:<line>"):
# resolvers prefix -> title or None, registered by the domain that keeps them (registry/authoring).
_DOCUMENT_RESOLVERS: list = []


def register_document_resolver(resolver) -> None:
    if resolver not in _DOCUMENT_RESOLVERS:
        _DOCUMENT_RESOLVERS.append(resolver)


def _resolved_title(prefix: str) -> str | None:
    for resolver in _DOCUMENT_RESOLVERS:
        title = resolver(prefix)
        if title:
            return title
    return None


def document_title(prefix: str) -> str:
    """The document's title in the reader's language; an unknown prefix is returned as is."""
    zh_en = DOCUMENTS.get(prefix)
    if zh_en is None:
        return _resolved_title(prefix) or prefix
    return zh_en[0] if is_zh() else zh_en[1]


@lru_cache(maxsize=1)
def _clauses() -> dict[str, tuple[list[int], list[list]]]:
    try:
        data = json.loads(CLAUSES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {prefix: ([row[0] for row in rows], rows) for prefix, rows in data.items()}


def chinese_number(text: str) -> int | None:
    """'十二' → 12, '三十五' → 35, '七' → 7 (the numbers the documents use for parts and sections)."""
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _sep, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def clause(prefix: str, line: int) -> tuple[str, str, str]:
    """(part, section, item) enclosing `line` of source `prefix` ('' where unknown)."""
    starts, rows = _clauses().get(prefix, ([], []))
    i = bisect.bisect_right(starts, line) - 1
    return tuple(rows[i][1:4]) if i >= 0 else ("", "", "")  # type: ignore[return-value]


def clause_words(prefix: str, line: int) -> str:
    """The clause in words: zh （十二）第32条 / 第六部分第83项; en section (12), item 32. '' when unknown."""
    part, section, item = clause(prefix, line)
    if is_zh():
        head = f"（{section}）" if section else (f"第{part}部分" if part else "")
        tail = (f"第{item}条" if section else f"第{item}项") if item else ""
        return head + tail
    words = []
    if section:
        words.append(_("section (%(n)s)", n=chinese_number(section) or section))
    elif part:
        words.append(_("part %(n)s", n=chinese_number(part) or part))
    if item:
        words.append(_("item %(n)s", n=item))
    return " ".join(words)


def cite(source: str | None) -> str:
    """'000:129' → the document in 《》 and the clause in it; a local setting in words; an unknown source as is."""
    if not source:
        return ""
    text = str(source).strip()
    if text in LOCAL_SOURCES:
        return str(_l("local setting (not from the sources)"))
    prefix, _sep, rest = text.partition(":")
    digits = "".join(c for c in rest.split("/")[0].replace("–", "-").split("-")[0] if c.isdigit())
    if not digits:
        return text
    if prefix not in DOCUMENTS:
        uploaded = _resolved_title(prefix)
        return f"《{uploaded}》{_l('line %(line)s', line=digits)}" if uploaded else text
    title = document_title(prefix)
    where = clause_words(prefix, int(digits)) or str(_l("line %(line)s", line=digits))
    return f"《{title}》{where}" if is_zh() else f"{title}, {where}"


def cite_all(sources) -> list[str]:
    """Several sources in words, duplicates removed, order kept."""
    return list(dict.fromkeys(c for c in (cite(s) for s in sources) if c))


def _get(item, key: str):
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _note_words(item) -> str:
    """A reason's note for the reader: a coded note through the label registry ("engine.note"); an uncoded note only
    where it is in the reader's language (Chinese text for zh, any text for en); never English for a zh reader."""
    from registry.core import codes

    code = _get(item, "code")
    if code and codes.known("engine.note", code):
        params = _get(item, "params") or {}
        return codes.label("engine.note", code, **(params if isinstance(params, dict) else dict(params)))
    note = str(_get(item, "note") or "").strip()
    if not note:
        return ""
    if " — " in note:  # the packs' bilingual notes: "中文 — English"
        zh_part, _dash, en_part = note.partition(" — ")
        return zh_part.strip() if is_zh() else en_part.strip()
    if not is_zh():
        return note
    # a pack's note that opens in Chinese ("在确保安全的前提下 provided safety is ensured"): its Chinese opening
    lead = _CJK_LEAD.match(note)
    text = _FILE_LINE.sub("", lead.group(0)).strip(" :：-—(（,，;；") if lead else ""
    return text if sum("\u4e00" <= c <= "\u9fff" for c in text) >= 2 else ""


def basis_items(reasons) -> list[dict]:
    """Reasons as the 依据 detail shows them: one item per clause, in words (rule ids kept for the hover title), with
    the notes citing it in the reader's language; duplicates removed. A local setting's note says "地方设定：…"
    itself, so it is not prefixed by the clause again."""
    items: dict[str, dict] = {}
    for r in reasons or ():
        source, note = _get(r, "source"), _note_words(r)
        where = "" if note and str(source or "").strip() in LOCAL_SOURCES else cite(source)
        if not where and not note:
            continue
        item = items.setdefault(where or note, {"cite": where, "note": "", "notes": [], "rules": []})
        if note and note not in item["notes"]:
            item["notes"].append(note)
        rule = _get(r, "rule")
        if rule and rule not in item["rules"]:
            item["rules"].append(str(rule))
    for item in items.values():
        item["note"] = ("；" if is_zh() else "; ").join(item["notes"])
    return list(items.values())


def register(app) -> None:
    """Jinja filters: `|cite` (a source in words) and `|basis_items` (see templates/macros/basis.html)."""
    app.jinja_env.filters.update(cite=cite, basis_items=basis_items)
