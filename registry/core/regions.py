"""Regions: loading the bundled GB/T 2260 table and answering scope questions."""
from __future__ import annotations

import csv
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
