"""The letterhead of a notice: who issues it, its number and its date (issue 16 item 4).

Publishing a schedule version and filing an emergency list record them (model columns `issuing_authority`,
`document_number`, `issued_on`); these are the defaults and the printed forms.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from registry.core import timeutil
from registry.core.codes import is_zh
from registry.core.regions import get_region

AUTHORITY_SUFFIX = "生态环境局"  # 廊坊市 + 生态环境局: the body that issues staggering and emergency notices
_DIGITS = "〇一二三四五六七八九"


def default_authority(region_code: str | None) -> str:
    """The region's ecology and environment bureau, named the way the document is written (in Chinese)."""
    region = get_region(region_code) if region_code else None
    return f"{region.name}{AUTHORITY_SUFFIX}" if region is not None else ""


def _small(n: int) -> str:
    """1..31 in Chinese numerals as dates write them: 十一, 二十, 三十一."""
    tens, units = divmod(n, 10)
    out = ("" if tens < 2 else _DIGITS[tens]) + ("十" if tens else "")
    return out + (_DIGITS[units] if units else "")


def chinese_date(value: date) -> str:
    """2017-11-15 → 二〇一七年十一月十五日 (the date line of an official document)."""
    year = "".join(_DIGITS[int(c)] for c in f"{value.year:04d}")
    return f"{year}年{_small(value.month)}月{_small(value.day)}日"


def short_date(value: date) -> str:
    """A date inside the text: 2017年11月15日 in Chinese, ISO in English."""
    return f"{value.year}年{value.month}月{value.day}日" if is_zh() else value.isoformat()


def date_line(value: date) -> str:
    """The notice's date: Chinese numerals in Chinese, ISO in English."""
    return chinese_date(value) if is_zh() else value.isoformat()


def sep() -> str:
    """The separator of items in a sentence: 、/；in Chinese, '; ' in English."""
    return "；" if is_zh() else "; "


def span(start: date, last: date) -> str:
    """A window with its last day included: 2017年11月15日至2018年3月14日."""
    if start == last:
        return short_date(start)
    return _("%(start)s to %(end)s", start=short_date(start), end=short_date(last))


def letterhead(authority: str, number: str, issued_on: date | None, region_code: str | None = None) -> dict[str, Any]:
    """What the notice's head and signature print. An empty authority falls back to the region's bureau; an
    empty number prints as not filled in; a missing date is today's in Beijing (a draft's notice)."""
    on = issued_on or timeutil.beijing_today()
    return {"authority": authority or default_authority(region_code),
            "number": number,
            "number_text": number or _("(not filled in)"),
            "issued_on": on.isoformat(),
            "date_text": date_line(on)}
