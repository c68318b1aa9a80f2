"""The emergency list's part of the dashboard (issue 16): for an official, the enterprises without a filed
一厂一策 plan, the city's list versions (draft or filed) and the newest list's target attainment per alert level
(an ECharts chart whose names come from the label registry); for an enterprise, its own plan.
Registered from the blueprint's setup (views.py, `record_once`).

A list version's entries, resplit and inventory are fixed when it is compiled (a change is a new version:
operations.compile_list, apply_proposals; filing only stamps its status), so its attainment is computed once per
process and remembered by (id, compiled at) — a province's dashboard does not re-add the cities' lines each time.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core import codes
from registry.core.dashboard import within
from registry.core.regions import enclosing_codes, get_region, region_label
from registry.emergency import queries
from registry.emergency.models import EmergencyList, EmergencyPlan, Status
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.emergency import emergency_levels
from registry.policy.packs import get_pack, pack_for_region

POLLUTANTS = ("so2", "nox", "pm", "vocs")
_ATTAINMENT: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()  # (list id, compiled at) → attainment
_REMEMBERED = 256


def _is_official(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_official", False))


def attainment(lst: EmergencyList) -> list[dict[str, Any]]:
    """Per alert level of the list's pack: reduction % and target % per pollutant, and whether every target is met."""
    key = (lst.id, lst.created_at.isoformat() if lst.created_at else "", lst.pack_sha256)
    if key in _ATTAINMENT:
        _ATTAINMENT.move_to_end(key)
        return _ATTAINMENT[key]
    pack = get_pack(lst.pack_id)
    out: list[dict[str, Any]] = []
    if pack is not None:
        levels = emergency_levels(pack)
        by_level = queries.totals_by_level(lst, pack, levels)  # shared with the list page (issue 18)
        for level in levels:
            t = by_level[level]
            by = t.by_pollutant()
            out.append({"level": level, "met": t.met,
                        "has_targets": any(p.target_percent is not None for p in t.pollutants),
                        "pollutants": {p: {"percent": round(by[p].percent, 2) if p in by else None,
                                           "target": by[p].target_percent if p in by else None} for p in POLLUTANTS}})
    _ATTAINMENT[key] = out
    while len(_ATTAINMENT) > _REMEMBERED:
        _ATTAINMENT.popitem(last=False)
    return out


def latest_lists(prefix: str | None, *, filed_only: bool = False) -> list[EmergencyList]:
    """The newest version per (region, pack) in `prefix` (filed ones only when asked)."""
    inner = select(EmergencyList.region_code, EmergencyList.pack_id, func.max(EmergencyList.number).label("n"))
    if filed_only:
        inner = inner.where(EmergencyList.status == Status.FILED.value)
    if prefix is not None:
        inner = inner.where(EmergencyList.region_code.startswith(prefix))
    newest = inner.group_by(EmergencyList.region_code, EmergencyList.pack_id).subquery()
    stmt = (select(EmergencyList).join(newest, (newest.c.region_code == EmergencyList.region_code)
                                       & (newest.c.pack_id == EmergencyList.pack_id) & (newest.c.n == EmergencyList.number))
            .order_by(EmergencyList.region_code, EmergencyList.pack_id))
    return list(db.session.scalars(stmt))


def filed_by_city(prefix: str | None) -> dict[str, dict[str, int]]:
    """Per city (first four digits of the region): lists with a filed version ('filed'), and for the newest filed
    version of each, the alert levels with targets ('levels') and those whose targets are met ('met')."""
    out: dict[str, dict[str, int]] = {}
    for lst in latest_lists(prefix, filed_only=True):
        row = out.setdefault(lst.region_code[:4], {"filed": 0, "levels": 0, "met": 0})
        row["filed"] += 1
        for lv in attainment(lst):
            if lv["has_targets"]:
                row["levels"] += 1
                row["met"] += int(lv["met"])
    return out


def without_plan(user, pack_id: str) -> int:
    """Approved registrations in scope with no filed 一厂一策 plan for `pack_id` (003:50: every covered enterprise
    files one)."""
    filed = exists().where(EmergencyPlan.enterprise_id == Enterprise.id, EmergencyPlan.pack_id == pack_id,
                           EmergencyPlan.status == Status.FILED.value)
    stmt = select(func.count()).select_from(Enterprise).where(Enterprise.approved_at.is_not(None), ~filed)
    prefix = scope_prefix(user)
    if prefix is not None:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix), *within(Enterprise.region_code, prefix))
    return db.session.scalar(stmt) or 0


def chart(levels: list[dict[str, Any]]) -> dict[str, Any]:
    """An ECharts option: reduction % per pollutant (bars) and its target % (markers), one group per alert level;
    every name shown is a label from the registry (AlertLevel, Pollutant)."""
    used = [p for p in POLLUTANTS if any(lv["pollutants"][p]["percent"] for lv in levels)
            or any(lv["pollutants"][p]["target"] is not None for lv in levels)] or list(POLLUTANTS[:2])
    series: list[dict[str, Any]] = []
    for p in used:
        name = codes.label("Pollutant", p)
        series.append({"name": name, "type": "bar", "data": [lv["pollutants"][p]["percent"] or 0 for lv in levels]})
    for p in used:
        name = _("%(pollutant)s target", pollutant=codes.label("Pollutant", p))
        series.append({"name": name, "type": "scatter", "symbol": "diamond", "symbolSize": 12,
                       "data": [lv["pollutants"][p]["target"] for lv in levels]})
    return {"tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"},
            "xAxis": {"type": "category", "data": [codes.label("AlertLevel", lv["level"]) for lv in levels]},
            "yAxis": {"type": "value", "name": _("Reduction (%)")}, "series": series}


def pack_title(pack_id: str) -> str:
    pack = get_pack(pack_id) if pack_id else None
    if pack is None:
        return pack_id
    return pack.title if codes.is_zh() else pack.title_en


def own_pack(region_code: str) -> str:
    """The pack of the newest list covering this region (its own, or its city's for a county), else the deployment's
    pack for the region — as the enterprise's plan form chooses it (views._default_pack)."""
    newest = db.session.scalar(select(EmergencyList.pack_id)
                               .where(EmergencyList.region_code.in_([region_code, *enclosing_codes(region_code)]))
                               .order_by(EmergencyList.created_at.desc(), EmergencyList.id.desc()).limit(1))
    return newest or pack_for_region(region_code)


PLACEHOLDER_PARENTS = ("市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划", "县")


def compiles_lists(user) -> bool:
    """A city compiles its list (003:50); a county only where no city stands above it (济源 419001, 蓟州 120119: their
    parent in GB/T 2260 is a placeholder, not a city) — a Langfang county's list is its city's."""
    if user.role == Role.CITY.value:
        return True
    if user.role != Role.COUNTY.value or not user.region_code:
        return False
    region = get_region(user.region_code)
    parent = get_region(region.parent_code) if region is not None and region.parent_code else None
    return parent is None or parent.level != "city" or parent.name in PLACEHOLDER_PARENTS


def official_panel(user) -> dict[str, Any]:
    prefix = scope_prefix(user)
    region = user.region_code or ""
    pack_id = own_pack(region) if region else ""
    missing = without_plan(user, pack_id) if pack_id else 0
    lists = latest_lists(prefix)
    items: list[dict[str, Any]] = []
    if missing:
        items.append({"label": _("Approved enterprises without a filed emergency plan (one plant, one policy)"),
                      "url": url_for("enterprises.index", status="approved"),
                      "detail": pack_title(pack_id), "due": None, "count": missing,
                      "tone": "urgent"})
    shown = [x for x in lists if x.region_code == region] or lists[:1]
    chart_option = None
    level_rows: list[dict[str, Any]] = []
    if shown and user.role != Role.PROVINCE.value:
        lst = next((x for x in shown if x.pack_id == pack_id), shown[0])
        levels = attainment(lst)
        if levels:
            chart_option = chart(levels)
            level_rows = [{"label": codes.label("AlertLevel", lv["level"]),
                           "value": _("target met") if lv["met"] else _("target not met"),
                           "tone": "done" if lv["met"] else "urgent"} for lv in levels if lv["has_targets"]]
    table = {"columns": [_("Region"), _("Policy pack"), _("Version"), _("Status")],
             "rows": [{"cells": [region_label(x.region_code), pack_title(x.pack_id),
                                 str(x.number), _("Filed (list)") if x.status == Status.FILED.value else _("Draft (list)")],
                       "url": url_for("emergency.detail", list_id=x.id), "status": x.status} for x in lists[:10]]}
    if not lists and compiles_lists(user):
        items.append({"label": _("No emergency list compiled yet"), "url": url_for("emergency.index"), "detail": None,
                      "due": None, "count": None, "tone": "urgent"})
    drafts = sum(1 for x in lists if x.status == Status.DRAFT.value)
    return {"key": "emergency", "title": _("Emergency reduction list"), "order": 40, "count": missing,
            "items": items, "table": table if lists else None, "chart": chart_option, "levels": level_rows,
            "chart_title": _("Target attainment per alert level"),
            "empty": _("Every approved enterprise has filed its emergency plan."), "more_url": url_for("emergency.index"),
            "stats": [{"label": _("Lists filed"), "value": sum(1 for x in lists if x.status == Status.FILED.value)},
                      {"label": _("Versions in draft"), "value": drafts}]}


def enterprise_panel(user) -> dict[str, Any] | None:
    ent = db.session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    if ent is None or ent.approved_at is None:
        return None  # a plan is written on approved facts (issue 14 point 10)
    pack_id = own_pack(ent.region_code)
    plan = queries.latest_plan(ent.id, pack_id)
    filed = db.session.scalar(select(EmergencyPlan).where(
        EmergencyPlan.enterprise_id == ent.id, EmergencyPlan.pack_id == pack_id, EmergencyPlan.status == Status.FILED.value)
        .order_by(EmergencyPlan.number.desc()).limit(1))
    url = url_for("emergency.plan", enterprise_id=ent.id, pack=pack_id)
    if filed is not None:
        item = {"label": _("Emergency plan version %(n)s filed", n=filed.number), "url": url, "detail": None,
                "tone": "done", "status": "filed"}
    elif plan is not None:
        item = {"label": _("Emergency plan saved as a draft: file it"), "url": url, "detail": None, "tone": "urgent",
                "status": "draft"}
    else:
        item = {"label": _("Write and file your emergency plan (one plant, one policy)"), "url": url, "detail": None,
                "tone": "urgent", "status": "missing"}
    item.update(due=None, count=None, detail=pack_title(pack_id))
    return {"key": "my_plan", "title": _("My emergency plan"), "order": 24, "items": [item], "empty": "", "more_url": None}


def panel(user) -> dict[str, Any] | None:
    if getattr(user, "role", None) == Role.PROVINCE.value:
        return None  # the province compiles no list: its overview counts the cities' filed lists and targets met
    if _is_official(user):
        return official_panel(user)
    if getattr(user, "role", None) == Role.ENTERPRISE.value and user.enterprise_id:
        return enterprise_panel(user)
    return None
