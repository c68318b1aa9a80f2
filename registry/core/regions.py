"""Regions: loading the bundled GB/T 2260 table and answering scope questions."""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from registry.core.models import Region
from registry.extensions import db

DATA = Path(__file__).resolve().parent / "data" / "regions.csv"


def read_table() -> list[dict[str, str]]:
    with open(DATA, encoding="utf-8") as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    return list(csv.DictReader(lines))


def load_regions() -> int:
    """Insert the national table once; idempotent, so `make run` can call it on every start."""
    if db.session.scalar(select(func.count()).select_from(Region)):
        return 0
    rows = read_table()
    db.session.execute(
        Region.__table__.insert(),
        [{**r, "parent_code": r["parent_code"] or None} for r in rows],
    )
    db.session.flush()
    return len(rows)


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything below it (GB/T 2260: 2 digits province, 2 city, 2 county):
    '130000' → '13' (a province), '131000' → '1310' (a city), '131002' → '131002' (a county, or a county-level
    list such as '419001'). The one place this is computed: official scopes, schedules, lists, filters."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def enclosing_codes(code: str) -> list[str]:
    """The province and city codes above `code`, by its digits: '131002' → ['130000', '131000']."""
    return [code[:2] + "0000", code[:4] + "00"]


def get_region(code: str | None) -> Region | None:
    return db.session.get(Region, code) if code else None


def region_path(code: str) -> list[Region]:
    """Province → city → county for breadcrumbs and exports."""
    out: list[Region] = []
    region = get_region(code)
    while region is not None:
        out.append(region)
        region = get_region(region.parent_code)
    return list(reversed(out))


_LABELS: dict[str, str] = {}  # code → label; the bundled GB/T 2260 table never changes while the app runs


def region_label(code: str | None) -> str:
    """"河北省 廊坊市 安次区"; remembered per process, because list pages ask for it on every row
    (Region objects fall out of the session's weak identity map, so each call was 2–3 queries)."""
    if not code:
        return ""
    label = _LABELS.get(code)
    if label is None and code in _table():  # the bundled table answers without a query (issue 16: 183 counties
        label = full_name(code)              # of a province listing cost 549 lookups)
    if label is None:
        label = " ".join(r.name for r in region_path(code) if r.name not in ("市辖区", "省直辖县级行政区划"))
        if label:  # an unknown code (or a table not loaded yet) is not remembered
            _LABELS[code] = label
    return label


def counties_under(code: str) -> list[Region]:
    region = get_region(code)
    if region is None:
        return []
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.level == "county", Region.code.startswith(region_prefix(region.code)))
            .order_by(Region.code)
        )
    )


@lru_cache(maxsize=1)
def county_codes() -> frozenset[str]:
    return frozenset(r["code"] for r in read_table() if r["level"] == "county")


@lru_cache(maxsize=1)
def cities_without_counties() -> frozenset[str]:
    """Prefecture-level cities with no county-level children in the table (不设区的地级市, e.g. 441900).

    Their enterprises sit in the city itself. Derived from the data, never from a list of names: a city that
    the table gives a county child (even one repeating the city's name) is not one of them.
    """
    rows = read_table()
    parents = {r["parent_code"] for r in rows if r["level"] == "county"}
    return frozenset(r["code"] for r in rows if r["level"] == "city" and r["code"] not in parents)


@lru_cache(maxsize=1)
def enterprise_region_codes() -> frozenset[str]:
    """Where an enterprise may be registered: every county-level region and every city without counties."""
    return county_codes() | cities_without_counties()


def holds_enterprises(region: Region) -> bool:
    """The region an enterprise sits in: a county, or a city that has no counties below it."""
    if region.level == "county":
        return True
    return region.level == "city" and not db.session.scalar(
        select(func.count()).select_from(Region).where(Region.parent_code == region.code, Region.level == "county"))


def enterprise_region_problem(code: str | None) -> str | None:
    """Why `code` cannot be an enterprise's region (translated, naming the region), or None when it can."""
    from flask_babel import gettext as _

    region = get_region(code)
    if region is None:
        return _("Unknown region code %(code)s.", code=code)
    if holds_enterprises(region):
        return None
    if region.level == "city":
        return _("%(name)s (%(code)s) is divided into counties: choose the county, district or county-level city "
                 "(县/区/县级市) where the enterprise is.", name=region_label(region.code), code=region.code)
    return _("Choose a county-level region (县/区/县级市), or a city that has no counties (不设区的市).")


# ---- the region picker (issue 16): province → city → county, searched on the server ----
# Everything below reads the bundled GB/T 2260 table (3,300 rows) once per process: no database query,
# so the picker's JSON and the no-JS name lookup cost microseconds even at province scale.

_FILLER = ("市辖区", "省直辖县级行政区划", "县")  # GB/T 2260 placeholders, not names a person would type or read
_UNSHOWN = ("市辖区", "省直辖县级行政区划")  # left out of full names, as region_label always did


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in read_table()}


@lru_cache(maxsize=1)
def _children() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in read_table():
        out.setdefault(r["parent_code"] or "", []).append(r["code"])
    return out


def _display_name(row: dict[str, str]) -> str:
    """A placeholder city ('市辖区') reads as its province's name plus the placeholder: '北京市（市辖区）'."""
    if row["name"] in _FILLER and row["parent_code"]:
        parent = _table().get(row["parent_code"])
        if parent:
            return f'{parent["name"]}（{row["name"]}）'
    return row["name"]


@lru_cache(maxsize=4096)
def full_name(code: str) -> str:
    """'河北省 廊坊市 安次区' from the table alone (region_label asks the database)."""
    names = []
    row = _table().get(code)
    while row is not None:
        if row["name"] not in _UNSHOWN:
            names.append(row["name"])
        row = _table().get(row["parent_code"] or "")
    return " ".join(reversed(names))


def ancestry(code: str | None) -> list[str]:
    """Codes from the province down to `code` itself, [] for an unknown code."""
    out: list[str] = []
    row = _table().get(code or "")
    while row is not None:
        out.append(row["code"])
        row = _table().get(row["parent_code"] or "")
    return list(reversed(out))


def _item(code: str) -> dict:
    row = _table()[code]
    return {"code": code, "name": _display_name(row), "level": row["level"], "label": full_name(code),
            "has_children": bool(_children().get(code)), "holds_enterprises": code in enterprise_region_codes(),
            "path": ancestry(code)}


def _in(code: str, within: str) -> bool:
    """Inside the subtree `within` (a prefix, as scope_prefix gives) or above it on the way down to it."""
    return not within or code.startswith(within) or within.startswith(region_prefix(code))


def children(parent: str = "", within: str = "") -> list[dict]:
    """The regions directly below `parent` ('' = the provinces), restricted to the subtree `within`."""
    return [_item(c) for c in _children().get(parent or "", []) if _in(c, within)]


def _normal(text: str) -> str:
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def search(query: str, within: str = "", level: str = "", limit: int = 20) -> list[dict]:
    """Regions whose name, full name or code contains `query` (codes by prefix); `level`='enterprise' keeps only
    the regions an enterprise can be registered in. Counties first, then by code."""
    q = _normal(query)
    if not q:
        return []
    hits = []
    for code, row in _table().items():
        if within and not code.startswith(within):
            continue
        if level == "enterprise" and code not in enterprise_region_codes():
            continue
        if level in ("province", "city", "county") and row["level"] != level:
            continue
        if code.startswith(q) or q in _normal(full_name(code)) or q in row["name"]:
            hits.append(code)
    order = {"county": 0, "city": 1, "province": 2}
    hits.sort(key=lambda c: (not _table()[c]["name"].startswith(q), order[_table()[c]["level"]], c))
    return [_item(c) for c in hits[:limit]]


_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def resolve(text: str | None, within: str = "", level: str = "") -> tuple[str, str | None]:
    """What a region field received → (code, None), or (the text as typed, why it names no region).

    The picker posts a code; without JavaScript the field is a text box taking a code, a name ('安次区'), a
    full name ('廊坊市安次区', '河北省 廊坊市 安次区') or the picker's own 'name (code)'. A name that fits
    several regions is refused with the candidates, never guessed."""
    from flask_babel import gettext as _

    raw = (text or "").strip()
    if not raw:
        return "", None
    found = _CODE_IN_TEXT.search(raw)
    if found:
        return found.group(1), None
    q = _normal(raw)
    candidates = [c for c, row in _table().items()
                  if (not within or c.startswith(within))
                  and (level != "enterprise" or c in enterprise_region_codes())
                  and (level not in ("province", "city", "county") or row["level"] == level)
                  and (row["name"] == q or _normal(full_name(c)).endswith(q))]
    if not candidates:  # '安次' for 安次区, '东莞' for 东莞市: a unique beginning of a name is enough
        candidates = [c for c, row in _table().items()
                      if (not within or c.startswith(within))
                      and (level != "enterprise" or c in enterprise_region_codes())
                      and (level not in ("province", "city", "county") or row["level"] == level)
                      and row["name"].startswith(q) and row["name"] not in _FILLER]
    if len(candidates) == 1:
        return candidates[0], None
    if not candidates:
        return raw, _("No region is named “%(text)s”: type its name as in GB/T 2260 (e.g. 安次区) or its 6-digit code.",
                      text=raw)
    shown = "；".join(f"{full_name(c)} ({c})" for c in candidates[:6])
    return raw, _("“%(text)s” names several regions: %(list)s. Add the city or type the code.", text=raw, list=shown)
