"""Plan completeness (issue 17): which covered enterprises have no filed 一厂一策 plan, or one that misses a line at
a level the pack names (R-A-03, 003:50: the plan states, per alert level, the lines stopped and the measures), and
the season's filing deadline (the pack's `plan_filing_deadline`: 000:143, 001:93, 002:582 where the sources state
it; a local setting with its reason in 003 and 004, F-15 in DOMAIN.md).

`plans_missing(region_code, season)` is the query the page, the API, the CLI and the inbox reminders (registry/alerts,
after merge) call; `missing_for(actor, …)` adds the permission check (officials whose scope covers the region).
"""
from __future__ import annotations

from datetime import date, timezone
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from registry.core import timeutil
from registry.core.errors import NotFound, ValidationFailed
from registry.emergency import auth, queries
from registry.emergency.models import EmergencyPlan, Status
from registry.extensions import db
from registry.policy.emergency import emergency_levels
from registry.policy.packs import Pack, get_pack, pack_for_region, seasons


def _beijing_day(instant) -> date:
    if instant.tzinfo is None:  # SQLite hands back naive UTC
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(timeutil.BEIJING).date()


def filing_deadline(pack: Pack, season: int) -> dict[str, Any] | None:
    """The season's filing deadline: {date, rule, source, note, local_setting}; None where the pack sets none.
    The setting is a month-day, in the year the season (its heating season) starts."""
    value = pack.setting("plan_filing_deadline")
    if not value:
        return None
    month, day = (int(x) for x in str(value).split("-"))
    rule, source, note = pack.setting_reason("plan_filing_deadline")
    return {"date": date(season, month, day), "rule": rule, "source": source, "note": note,
            "local_setting": source == "local setting"}


def default_season(pack: Pack, today: date | None = None) -> int:
    """The latest season of the pack whose deadline has passed (else its first season)."""
    years = seasons(pack.id) or [pack.period_start.year]
    today = today or timeutil.beijing_today()
    due = [y for y in years if (d := filing_deadline(pack, y)) is not None and d["date"] <= today]
    return due[-1] if due else years[0]


def _newest_plans(enterprise_ids: list[int], pack_id: str) -> dict[int, tuple[EmergencyPlan | None, EmergencyPlan | None]]:
    """enterprise id → (newest filed plan, newest plan of any status)."""
    out: dict[int, list[EmergencyPlan | None]] = {}
    for i in range(0, len(enterprise_ids), 1000):
        chunk = enterprise_ids[i:i + 1000]
        for plan in db.session.scalars(select(EmergencyPlan).where(EmergencyPlan.pack_id == pack_id,
                                                                   EmergencyPlan.enterprise_id.in_(chunk))
                                       .order_by(EmergencyPlan.enterprise_id, EmergencyPlan.number)):
            slot = out.setdefault(plan.enterprise_id, [None, None])
            slot[1] = plan
            if plan.status == Status.FILED.value:
                slot[0] = plan
    return {k: (v[0], v[1]) for k, v in out.items()}


def plans_missing(region_code: str, season: int | None = None, pack_id: str | None = None) -> list[dict[str, Any]]:
    """Covered enterprises of the region (approved, with lines) whose plan for the pack is missing (none at all, or
    drafts only) or incomplete (the newest filed plan has no entry for a line at a level of the pack — a line added
    since, say). Each: {enterprise_id, name, uscc, region_code, sector, status: missing | draft | incomplete,
    plan_id, plan_number, filed_at, filed_late, missing: [{line_id, code, name, levels}], deadline, overdue}."""
    pack = get_pack(pack_id or pack_for_region(region_code))
    if pack is None:
        raise ValidationFailed(_("Some fields are invalid."), {"pack": [_("Unknown policy pack %(id)s.", id=pack_id)]})
    season = season if season is not None else default_season(pack)
    deadline = filing_deadline(pack, season)
    today = timeutil.beijing_today()
    overdue = bool(deadline and deadline["date"] < today)
    levels = emergency_levels(pack)
    enterprises = [e for e in queries.covered_enterprises(region_code) if e.lines]
    plans = _newest_plans([e.id for e in enterprises], pack.id)
    out = []
    for ent in enterprises:
        filed, newest = plans.get(ent.id, (None, None))
        gaps: list[dict[str, Any]] = []
        if filed is None:
            status = "draft" if newest is not None else "missing"
        else:
            have = {(e.line_id, e.level) for e in filed.entries}
            for line in ent.lines:
                absent = [lv for lv in levels if (line.id, lv) not in have]
                if absent:
                    gaps.append({"line_id": line.id, "code": line.code, "name": line.name, "levels": absent})
            if not gaps:
                continue
            status = "incomplete"
        filed_on = _beijing_day(filed.filed_at) if filed is not None and filed.filed_at else None
        out.append({"enterprise_id": ent.id, "name": ent.name, "uscc": ent.uscc, "region_code": ent.region_code,
                    "sector": ent.sector, "status": status, "plan_id": (filed or newest).id if (filed or newest) else None,
                    "plan_number": (filed or newest).number if (filed or newest) else None,
                    "filed_at": filed.filed_at if filed is not None else None,
                    "filed_late": bool(deadline and filed_on and filed_on > deadline["date"]),
                    "missing": gaps, "deadline": deadline["date"] if deadline else None, "overdue": overdue})
    return sorted(out, key=lambda r: (r["region_code"], r["status"], r["name"]))


def missing_for(actor, region_code: str, season: int | None = None, pack_id: str | None = None
                ) -> tuple[Pack, int, dict[str, Any] | None, list[dict[str, Any]]]:
    """The page's, API's and CLI's door: officials whose scope covers the region (county and city officials, their
    province); (pack, season, deadline, rows)."""
    if not auth.can_view_list(actor, region_code):
        raise NotFound(_("Not found."))
    pack = get_pack(pack_id or pack_for_region(region_code))
    if pack is None:
        raise ValidationFailed(_("Some fields are invalid."), {"pack": [_("Unknown policy pack %(id)s.", id=pack_id)]})
    season = season if season is not None else default_season(pack)
    if season not in (seasons(pack.id) or [pack.period_start.year]):
        raise ValidationFailed(_("Some fields are invalid."), {"season": [_("The pack has no season %(year)s.", year=season)]})
    return pack, season, filing_deadline(pack, season), plans_missing(region_code, season, pack.id)
