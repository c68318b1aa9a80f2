"""The schedules' part of the dashboard (issue 16): an official's schedules (draft or published, per season), the
flags and exemption applications waiting for a decision, the publication deadline; an enterprise's measures in
force today per line and its exemption applications. Registered from the blueprint's setup (views.py).

Counts are aggregate SQL: flags are summed with json_array_length over the latest drafts' entries in scope
(SQLite's JSON1 and PostgreSQL both have it), never by loading the entries.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core import codes, timeutil
from registry.core.dashboard import within
from registry.core.regions import enclosing_codes, region_label
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.schedules import labels
from registry.schedules.models import (
    ApplicationStatus,
    ExemptionApplication,
    Schedule,
    ScheduleEntry,
    ScheduleVersion,
    VersionStatus,
)

SHOWN = 5


def _is_official(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_official", False))


def _latest_versions(prefix: str | None):
    """(schedule, latest version) of every schedule whose region lies in `prefix` (a few per region and season)."""
    newest = select(ScheduleVersion.schedule_id, func.max(ScheduleVersion.number).label("n")) \
        .group_by(ScheduleVersion.schedule_id).subquery()
    stmt = (select(Schedule, ScheduleVersion)
            .join(newest, newest.c.schedule_id == Schedule.id)
            .join(ScheduleVersion, (ScheduleVersion.schedule_id == Schedule.id) & (ScheduleVersion.number == newest.c.n))
            .order_by(Schedule.season_year.desc(), Schedule.region_code, Schedule.id))
    if prefix is not None:
        stmt = stmt.where(Schedule.region_code.startswith(prefix))
    return list(db.session.execute(stmt).tuples())


def schedule_rows(user) -> list[dict[str, Any]]:
    """One row per schedule in the user's region and below: season, latest version, draft or published, and
    whether any version was published."""
    prefix = scope_prefix(user)
    rows = _latest_versions(prefix)
    published = set(db.session.scalars(select(ScheduleVersion.schedule_id).where(
        ScheduleVersion.status == VersionStatus.PUBLISHED.value).distinct()))
    return [{"id": s.id, "title": s.title or f"{region_label(s.region_code)} {s.season_year}", "region_code": s.region_code,
             "season_year": s.season_year, "number": v.number, "status": v.status,
             "status_label": labels.version_status(v.status), "ever_published": s.id in published,
             "season_start": v.season_start, "version_id": v.id} for s, v in rows]


def pending_flags(user, version_ids: list[int]) -> dict[int, int]:
    """Flags left open per draft version, counting only the entries inside the user's scope."""
    if not version_ids:
        return {}
    stmt = (select(ScheduleEntry.version_id, func.sum(func.json_array_length(ScheduleEntry.flags)))
            .where(ScheduleEntry.version_id.in_(version_ids)).group_by(ScheduleEntry.version_id))
    prefix = scope_prefix(user)
    if prefix is not None:
        stmt = stmt.where(ScheduleEntry.region_code.startswith(prefix))
    return {vid: int(n or 0) for vid, n in db.session.execute(stmt)}


def pending_applications(user) -> int:
    """Exemption applications waiting for a decision on the schedules the user decides on: those of their own region
    and below (a county official does not decide under the city's schedule, operations.decide_application)."""
    stmt = (select(func.count()).select_from(ExemptionApplication)
            .join(Schedule, Schedule.id == ExemptionApplication.schedule_id)
            .where(ExemptionApplication.status == ApplicationStatus.SUBMITTED.value))
    prefix = scope_prefix(user)
    if prefix is not None:
        stmt = stmt.where(ExemptionApplication.region_code.startswith(prefix), Schedule.region_code.startswith(prefix),
                          *within(ExemptionApplication.region_code, prefix))
    return db.session.scalar(stmt) or 0


def official_panel(user) -> dict[str, Any]:
    rows = schedule_rows(user)
    drafts = [r for r in rows if r["status"] == VersionStatus.DRAFT.value]
    flags = pending_flags(user, [r["version_id"] for r in drafts])
    apps = pending_applications(user)
    items: list[dict[str, Any]] = []
    for r in drafts:
        n = flags.get(r["version_id"], 0)
        if n:
            items.append({"label": r["title"], "url": url_for("schedules.detail", schedule_id=r["id"]) + "#flags",
                          "detail": _("flags waiting for a decision"), "due": None, "count": n, "tone": "urgent"})
    if apps:
        items.append({"label": _("Exemption applications waiting for a decision"), "url": url_for("schedules.index"),
                      "detail": None, "due": None, "count": apps, "tone": "urgent"})
    today = timeutil.beijing_today()
    deadlines = [{"label": r["title"], "url": url_for("schedules.detail", schedule_id=r["id"]),
                  "detail": _("version %(n)s not yet published: the heating season starts on the date due", n=r["number"]),
                  "due": r["season_start"], "count": None, "tone": "urgent" if r["season_start"] <= today else "normal"}
                 for r in drafts if r["season_start"] >= today or not r["ever_published"]]
    def state(r) -> str:
        if r["status"] == VersionStatus.DRAFT.value and r["ever_published"]:
            return _("%(status)s (an earlier version is published)", status=r["status_label"])
        return r["status_label"]

    table = {"columns": [_("Schedule"), _("Heating season"), _("Version"), _("Status"), _("Flags waiting")],
             "rows": [{"cells": [r["title"], f"{r['season_year']}–{r['season_year'] + 1}", str(r["number"]),
                                 state(r), str(flags.get(r["version_id"], 0)) if r["status"] == "draft" else "—"],
                       "url": url_for("schedules.detail", schedule_id=r["id"]), "status": r["status"]} for r in rows[:10]]}
    count = sum(flags.values()) + apps
    return {"key": "schedules", "title": _("Staggered production"), "order": 30, "count": count, "items": items,
            "deadlines": deadlines, "table": table if rows else None,
            "empty": _("No flag or exemption application is waiting for a decision."),
            "more_url": url_for("schedules.index"),
            "stats": [{"label": _("Schedules published"), "value": sum(1 for r in rows if r["ever_published"])},
                      {"label": _("Versions in draft"), "value": len(drafts)}]}


def _percent(entry: ScheduleEntry) -> str:
    lo, hi = entry.percentage_min, entry.percentage_max
    if lo is None:
        return ""
    show = lambda x: format(x.normalize(), "f")  # noqa: E731
    if hi is not None and hi != lo:
        return f" {show(lo)}–{show(hi)} %"
    return f" {show(lo)} %"


def measures_today(user) -> list[ScheduleEntry]:
    """The enterprise's lines with a measure today in the newest published version of each schedule covering it."""
    ent = db.session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    if ent is None:
        return []
    today = timeutil.beijing_today()
    newest = (select(ScheduleVersion.schedule_id, func.max(ScheduleVersion.number).label("n"))
              .where(ScheduleVersion.status == VersionStatus.PUBLISHED.value,
                     ScheduleVersion.season_start <= today, ScheduleVersion.season_end > today)
              .group_by(ScheduleVersion.schedule_id).subquery())
    versions = (select(ScheduleVersion.id).join(newest, (newest.c.schedule_id == ScheduleVersion.schedule_id)
                                                 & (newest.c.n == ScheduleVersion.number))
                .join(Schedule, Schedule.id == ScheduleVersion.schedule_id)
                .where(or_(Schedule.region_code == ent.region_code, Schedule.region_code.in_(enclosing_codes(ent.region_code)))))
    stmt = (select(ScheduleEntry).where(ScheduleEntry.version_id.in_(versions), ScheduleEntry.enterprise_id == ent.id,
                                        ScheduleEntry.phase_start <= today, ScheduleEntry.phase_end > today,
                                        ScheduleEntry.measure != "none")
            .order_by(ScheduleEntry.line_ref, ScheduleEntry.position))
    return list(db.session.scalars(stmt))


def enterprise_panel(user) -> dict[str, Any]:
    items = []
    for e in measures_today(user):
        until = _("until %(day)s", day=e.phase_end.isoformat())
        items.append({"label": f"{e.line_ref} {e.line_name} · {codes.label('Measure', e.measure)}{_percent(e)}",
                      "url": url_for("schedules.notice", version_id=e.version_id, enterprise_id=e.enterprise_id),
                      "detail": until, "due": None, "count": None, "tone": "urgent", "measure": e.measure})
    apps = list(db.session.scalars(select(ExemptionApplication).where(
        ExemptionApplication.enterprise_id == (user.enterprise_id or -1)).order_by(ExemptionApplication.id.desc()).limit(SHOWN)))
    mine = [{"label": f"{labels.application_kind(a.kind)} · {a.line_ref} · {labels.application_status(a.status)}",
             "url": url_for("schedules.detail", schedule_id=a.schedule_id),
             "detail": a.decision_reason or (_("Waiting for the official's decision.")
                                             if a.status == ApplicationStatus.SUBMITTED.value else None),
             "due": None, "count": None, "status": a.status,
             "tone": "done" if a.status == ApplicationStatus.APPROVED.value else "normal"} for a in apps]
    return {"key": "today", "title": _("What I must do today"), "order": 5, "items": items,
            "empty": _("No staggered-production measure applies to your lines today."),
            "more_url": url_for("schedules.index"),
            "subpanels": [{"title": _("My exemption applications"), "items": mine}] if mine else []}


def panel(user) -> dict[str, Any] | None:
    if getattr(user, "role", None) == Role.PROVINCE.value:
        return None  # the province drafts no schedule: its overview counts the cities' published ones
    if _is_official(user):
        return official_panel(user)
    if getattr(user, "role", None) == Role.ENTERPRISE.value and user.enterprise_id:
        return enterprise_panel(user)
    return None


def published_by_city(prefix: str | None) -> dict[str, int]:
    """Schedules with a published version per city (first four digits of the region): one GROUP BY."""
    city = func.substr(Schedule.region_code, 1, 4)
    published = exists().where(ScheduleVersion.schedule_id == Schedule.id,
                               ScheduleVersion.status == VersionStatus.PUBLISHED.value)
    stmt = select(city, func.count()).where(published).group_by(city)
    if prefix is not None:
        stmt = stmt.where(Schedule.region_code.startswith(prefix))
    return {c: n for c, n in db.session.execute(stmt)}
