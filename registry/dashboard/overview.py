"""The province's overview (issue 16): one row per city — registrations (waiting, approved), standing emergency
grades (A/B/C) and open applications, schedules published, emergency lists filed, alert levels whose targets are
met — and an ECharts option of the same figures. Each figure is one aggregate query of its domain's dashboard
module, grouped by the first four digits of the region code; nothing loops over enterprises."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core import codes, timeutil
from registry.core.models import AuditEntry, Region
from registry.emergency.dashboard import filed_by_city
from registry.enterprises.dashboard import counts_by_city
from registry.enterprises.models import STATUS_LABELS
from registry.extensions import db
from registry.grades.dashboard import grades_by_city
from registry.schedules.dashboard import published_by_city

PLACEHOLDERS = ("市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划", "县")


def _city_names(prefix: str, keys: set[str]) -> dict[str, str]:
    """City prefix (4 digits) → its name; a group of county-level cities directly under the province is named by
    its counties."""
    rows = db.session.execute(select(Region.code, Region.name, Region.level).where(Region.code.startswith(prefix)))
    cities: dict[str, str] = {}
    counties: dict[str, list[str]] = {}
    for code, name, level in rows:
        if level == "city":
            cities[code[:4]] = name
        elif level == "county":
            counties.setdefault(code[:4], []).append(name)
    out = {}
    for key in set(k for k, v in cities.items() if v not in PLACEHOLDERS) | keys:
        name = cities.get(key, "")
        if not name or name in PLACEHOLDERS:
            names = counties.get(key, [])
            name = "、".join(names[:3]) + ("…" if len(names) > 3 else "") if names else key
        out[key] = name
    return out


_REMEMBERED: dict[tuple, list[dict[str, Any]]] = {}


def _state() -> tuple:
    """The newest audit entry (id, time, hash): every write that changes a figure of the overview (a registration's
    state, a grade decision, a published schedule, a filed list) is audited in the same transaction, so while it stays
    the same the figures do too (with the day: a grade stands from a date). Its time and hash tell apart two
    databases that happen to have as many entries (a test database emptied and filled again)."""
    newest = db.session.scalar(select(func.max(AuditEntry.id)))
    if newest is None:
        return (0,)
    row = db.session.execute(select(AuditEntry.at, AuditEntry.entry_hash).where(AuditEntry.id == newest)).first()
    return (newest, *(row or ()))


def city_rows(user) -> list[dict[str, Any]]:
    """The overview's rows, remembered per (scope, state of the audit log, day, language): a province's figures are
    aggregates over all its enterprises (hundreds of milliseconds at 60,000), asked again only after a change."""
    key = (scope_prefix(user) or "", _state(), timeutil.beijing_today(), codes.is_zh())
    if key not in _REMEMBERED:
        if len(_REMEMBERED) > 64:
            _REMEMBERED.clear()
        _REMEMBERED[key] = _city_rows(user)
    return _REMEMBERED[key]


def _city_rows(user) -> list[dict[str, Any]]:
    prefix = scope_prefix(user) or ""
    regs, grades = counts_by_city(prefix or None), grades_by_city(prefix or None)
    schedules, lists = published_by_city(prefix or None), filed_by_city(prefix or None)
    names = _city_names(prefix, set(regs) | set(grades) | set(schedules) | set(lists))
    out = []
    for key in sorted(names):
        r, g, lst = regs.get(key, {}), grades.get(key, {}), lists.get(key, {})
        out.append({"city": key, "name": names[key], "submitted": r.get("submitted", 0), "returned": r.get("returned", 0),
                    "approved": r.get("approved", 0), "A": g.get("A", 0), "B": g.get("B", 0), "C": g.get("C", 0),
                    "pending_grades": g.get("pending", 0), "schedules": schedules.get(key, 0),
                    "lists": lst.get("filed", 0), "levels": lst.get("levels", 0), "met": lst.get("met", 0)})
    return out


def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars per city: registrations (approved, waiting) and standing grades (A, B, C); names are labels."""
    def bar(name, stack, key, colour=None):
        s = {"name": name, "type": "bar", "stack": stack, "data": [r[key] for r in rows]}
        if colour:
            s["itemStyle"] = {"color": colour}
        return s

    return {"tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"},
            "xAxis": {"type": "category", "data": [r["name"] for r in rows], "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [bar(str(STATUS_LABELS["approved"]), "registrations", "approved", "#2e7d32"),
                       bar(_("Waiting for review"), "registrations", "submitted", "#1565c0"),
                       bar(_("Grade %(g)s", g="A"), "grades", "A", "#66bb6a"),
                       bar(_("Grade %(g)s", g="B"), "grades", "B", "#f9a825"),
                       bar(_("Grade %(g)s", g="C"), "grades", "C", "#c62828")]}


def panel(user) -> dict[str, Any] | None:
    if getattr(user, "role", None) != Role.PROVINCE.value:
        return None
    rows = city_rows(user)
    table = {"columns": [_("City"), _("Registrations waiting"), _("Registrations approved"), _("Grade A"), _("Grade B"),
                         _("Grade C"), _("Grade applications open"), _("Schedules published"), _("Emergency lists filed"),
                         _("Alert levels meeting targets")],
             "numeric": True,
             "rows": [{"cells": [r["name"], r["submitted"], r["approved"], r["A"], r["B"], r["C"], r["pending_grades"],
                                 r["schedules"], r["lists"], f"{r['met']}/{r['levels']}" if r["levels"] else "—"],
                       "city": r["city"]} for r in rows]}
    return {"key": "province", "title": _("Cities at a glance"), "order": 1, "items": [], "empty": "",
            "table": table, "chart": chart(rows), "chart_title": _("Registrations and grades per city"),
            "more_url": None, "wide": True}
