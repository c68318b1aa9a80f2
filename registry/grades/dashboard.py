"""The grades' part of the dashboard (issue 16): an official's applications to review, approve or make effective,
publicity periods ending, open objections; an enterprise's own applications and what each still lacks.
Registered from the blueprint's setup (views.py, `record_once`).

Who acts at each step is pack data (auth.py, `grade_workflow` per region): counts are one GROUP BY over the
applications in scope by (region, status, proposed grade), and the pack is asked once per group, never per row.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core import timeutil
from registry.core.codes import is_zh
from registry.core.dashboard import onward, within
from registry.core.regions import region_label
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades import auth
from registry.grades.models import ApplicationStatus as S
from registry.grades.models import GradeApplication, GradeDecision, GradeSystem, Objection
from registry.grades.operations import status_label
from registry.grades.queries import visible_applications
from registry.policy.grades import get_criteria

SHOWN = 5
PROCEDURE_KINDS = ("approval", "override")  # the end of an application's procedure (current.py rule 2)
ENDING_DAYS = 7  # a publicity period ending within a week is a deadline on the dashboard

# the step an official takes on an application in each state: (state, predicate on (user, app-like, grade))
STEPS = {
    "review": S.SUBMITTED.value,
    "approve": S.COUNTY_ACCEPTED.value,
    "effective": S.PUBLICITY.value,
}


def _acts(user, step: str, region_code: str, grade: str | None, reviewed_by_me: bool, approved_by_me: bool) -> bool:
    """Whether `user` takes `step` on an application of this region/grade (the pack's level, four eyes)."""
    app = SimpleNamespace(region_code=region_code)
    if step == "review":
        return auth.is_reviewer_level(user, app)
    if step == "approve":
        return auth.is_approver_level(user, app, [grade] if grade else []) and not reviewed_by_me
    if step == "effective":
        return auth.is_publisher_level(user, app) and not approved_by_me
    return False


def _is_official(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_official", False))


def _scoped(user):
    """queries.visible_applications, with the scope also as a region range the index answers (core.dashboard.within)."""
    stmt = visible_applications(user)
    if getattr(user, "is_official", False):
        stmt = stmt.where(*within(GradeApplication.region_code, scope_prefix(user)))
    return stmt


def step_counts(user) -> dict[str, int]:
    """How many applications in scope wait for `user` at each step (one GROUP BY — by region, state, grade and the
    officials who took the earlier steps, for four eyes — the pack asked per group).

    'effective' counts only applications whose publicity is over (the day after `publicity_until`)."""
    today = timeutil.beijing_today()
    me = getattr(user, "id", None)
    over = GradeApplication.publicity_until < today
    stmt = (_scoped(user)
            .with_only_columns(GradeApplication.region_code, GradeApplication.status, GradeApplication.proposed_grade,
                               GradeApplication.reviewed_by_id, GradeApplication.approved_by_id, func.count())
            .where(GradeApplication.status.in_(list(STEPS.values())))
            .where((GradeApplication.status != S.PUBLICITY.value) | over)
            .group_by(GradeApplication.region_code, GradeApplication.status, GradeApplication.proposed_grade,
                      GradeApplication.reviewed_by_id, GradeApplication.approved_by_id))
    out = dict.fromkeys(STEPS, 0)
    by_status = {v: k for k, v in STEPS.items()}
    for region, status, grade, reviewed_by, approved_by, n in db.session.execute(stmt):
        step = by_status[status]
        if _acts(user, step, region, grade, me is not None and reviewed_by == me, me is not None and approved_by == me):
            out[step] += n
    return out


def queue(user, step: str, *, after_id: int | None = None, limit: int = SHOWN) -> list[GradeApplication]:
    """The applications waiting for `user` at `step`, oldest submission first (the queue's order)."""
    stmt = _scoped(user).where(GradeApplication.status == STEPS[step])
    if step == "effective":
        stmt = stmt.where(GradeApplication.publicity_until < timeutil.beijing_today())
    if after_id is not None:
        stmt = stmt.where(GradeApplication.id != after_id)
    me = getattr(user, "id", None)
    out = []
    for app in db.session.scalars(stmt.order_by(GradeApplication.submitted_at, GradeApplication.id).limit(limit * 10)):
        if _acts(user, step, app.region_code, app.proposed_grade, app.reviewed_by_id == me, app.approved_by_id == me):
            out.append(app)
            if len(out) >= limit:
                break
    return out


def next_application(user, after_id: int) -> GradeApplication | None:
    """After a review or an approval: the next application waiting for `user`, review first, then approval."""
    for step in ("review", "approve"):
        found = queue(user, step, after_id=after_id, limit=1)
        if found:
            return found[0]
    return None


def _names(ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all())


def publicity_ending(user, limit: int = SHOWN) -> tuple[int, list[GradeApplication]]:
    """Applications in publicity whose period ends within ENDING_DAYS (today included)."""
    today = timeutil.beijing_today()
    stmt = _scoped(user).where(GradeApplication.status == S.PUBLICITY.value,
                                            GradeApplication.publicity_until >= today,
                                            GradeApplication.publicity_until <= today + timedelta(days=ENDING_DAYS))
    n = db.session.scalar(stmt.with_only_columns(func.count())) or 0
    rows = list(db.session.scalars(stmt.order_by(GradeApplication.publicity_until, GradeApplication.id).limit(limit)))
    return n, rows


def open_objections(user) -> int:
    stmt = select(func.count()).select_from(Objection).where(Objection.status == "open")
    prefix = scope_prefix(user)
    if prefix is not None:
        stmt = stmt.where(Objection.region_code.startswith(prefix), *within(Objection.region_code, prefix))
    return db.session.scalar(stmt) or 0


STEP_TITLES = {
    "review": lambda: _("Check the documents"),
    "approve": lambda: _("Approve the grade"),
    "effective": lambda: _("Publicity over: make the grade effective"),
}


def official_panel(user) -> dict[str, Any]:
    counts = step_counts(user)
    items: list[dict[str, Any]] = []
    shown: list[tuple[str, GradeApplication]] = []
    for step in STEPS:
        if counts[step]:
            shown += [(step, a) for a in queue(user, step)]
    shown = shown[:SHOWN]
    names = _names(a.enterprise_id for _s, a in shown)
    for step, app in shown:
        proposed = _("proposed grade %(g)s", g=app.proposed_grade) if app.proposed_grade else ""
        grade = f" · {proposed}" if proposed else ""
        items.append({"label": names.get(app.enterprise_id, ""), "url": url_for("grades.detail", application_id=app.id),
                      "detail": f"{STEP_TITLES[step]()} · {region_label(app.region_code)}{grade}",
                      "due": app.publicity_until if step == "effective" else None, "count": None,
                      "tone": "urgent", "step": step})
    ending, ending_rows = publicity_ending(user)
    names = _names(a.enterprise_id for a in ending_rows)
    deadlines = [{"label": names.get(a.enterprise_id, ""), "url": url_for("grades.detail", application_id=a.id),
                  "detail": _("publicity ends"), "due": a.publicity_until, "count": None, "tone": "normal"}
                 for a in ending_rows]
    objections = open_objections(user)
    if objections:
        items.append({"label": _("Objections waiting for an answer"), "url": url_for("grades.index", status=S.PUBLICITY.value),
                      "detail": None, "due": None, "count": objections, "tone": "urgent"})
    total = sum(counts.values())
    return {
        "key": "grades", "title": _("Grade applications waiting for you"), "order": 12, "count": total,
        "items": items, "deadlines": deadlines, "empty": _("No grade application is waiting for you."),
        "more_url": url_for("grades.index") if total > len(shown) else None,
        "stats": [{"label": STEP_TITLES[s](), "value": counts[s]} for s in STEPS]
        + [{"label": _("Publicity periods ending within %(n)s days", n=ENDING_DAYS), "value": ending}],
    }


def lacks(app: GradeApplication) -> list[str]:
    """What a draft or returned application still lacks before it can be submitted (the checks submit makes),
    and the county's reasons for what it returned."""
    out = []
    for key, verdict in sorted((app.county_review or {}).items()):
        if app.status == S.RETURNED.value and (verdict or {}).get("verdict") == "returned":
            industry, _sep, indicator = key.partition(".")
            label = next((i.label if is_zh() else i.label_en for i in get_criteria(industry).indicators
                          if i.key == indicator), indicator)
            out.append(_("Returned: %(indicator)s — %(reason)s", indicator=label, reason=verdict.get("reason", "")))
    unanswered = 0
    no_lines = False
    for industry, entry in (app.industries or {}).items():
        if not entry.get("line_ids"):
            no_lines = True
        answers = entry.get("answers", {})
        unanswered += sum(1 for ind in get_criteria(industry).indicators if ind.key not in answers)
    if no_lines:
        out.append(_("Choose the production lines of each industry."))
    if unanswered:
        out.append(_("%(n)s indicators not answered", n=unanswered))
    return out


def enterprise_panel(user) -> dict[str, Any]:
    apps = list(db.session.scalars(visible_applications(user).order_by(GradeApplication.id.desc()).limit(SHOWN)))
    items = []
    for app in apps:
        editable = app.status in auth.EDITABLE
        missing = lacks(app) if editable else []
        if editable:
            detail = "；".join(missing) if missing else _("Complete: submit it to the county.")
        elif app.status == S.PUBLICITY.value and app.publicity_until:
            detail = _("In publicity until %(day)s", day=app.publicity_until.isoformat())
        else:
            detail = None
        grade = f" · {app.proposed_grade}" if app.proposed_grade else ""
        title = _("Grade application #%(n)s", n=app.id)
        items.append({"label": f"{title} · {status_label(app.status)}{grade}",
                      "url": url_for("grades.detail", application_id=app.id), "detail": detail,
                      "due": app.publicity_until if app.status == S.PUBLICITY.value else None, "count": None,
                      "tone": "urgent" if editable else ("done" if app.status == S.EFFECTIVE.value else "normal"),
                      "status": app.status})
    return {"key": "my_grades", "title": _("My grade applications"), "order": 22, "items": items,
            "empty": _("No grade application yet."), "more_url": url_for("grades.index")}


def panel(user) -> dict[str, Any] | None:
    if _is_official(user):
        return official_panel(user)
    if getattr(user, "role", None) == Role.ENTERPRISE.value and user.enterprise_id:
        return enterprise_panel(user)
    return None


def _taken(decision, application, today):
    """SQL for current.takes_effect (rule 2): a procedure's approval once its application is effective; every
    decision from its effective_from."""
    return (and_(or_(decision.kind.not_in(PROCEDURE_KINDS), application.status.is_(None),
                     application.status == S.EFFECTIVE.value),
                 or_(decision.effective_from.is_(None), decision.effective_from <= today)))


def grades_by_city(prefix: str | None) -> dict[str, dict[str, int]]:
    """Enterprises per city (first four digits of the region) by their standing emergency grade today — the worst
    of their industries ('C' > 'B' > 'A', C on fraud) — and applications still open ('pending').

    Aggregate SQL for the one rule of registry/grades/current.py: per chain (enterprise × industry) the newest
    decision that has taken effect (no newer one in the chain has), if still within its validity (rules 1–4)."""
    today = timeutil.beijing_today()
    d, a = aliased(GradeDecision), aliased(GradeApplication)
    newer, newer_app = aliased(GradeDecision), aliased(GradeApplication)
    superseded = (select(newer.id).outerjoin(newer_app, newer_app.id == newer.application_id)
                  .where(newer.enterprise_id == d.enterprise_id, newer.system == d.system, newer.industry == d.industry,
                         newer.id > d.id, _taken(newer, newer_app, today)))
    city_of = func.substr(d.region_code, 1, 4)
    heads = (select(d.enterprise_id.label("eid"), city_of.label("city"), func.max(d.grade).label("grade"))
             .outerjoin(a, a.id == d.application_id)
             .where(d.system == GradeSystem.EMERGENCY.value, d.grade.in_(("A", "B", "C")), _taken(d, a, today),
                    or_(d.valid_until.is_(None), d.valid_until >= today), ~superseded.exists()))
    if prefix is not None:
        heads = heads.where(d.region_code.startswith(prefix), *within(d.region_code, prefix))
    heads = heads.group_by(d.enterprise_id, city_of).subquery()
    out: dict[str, dict[str, int]] = {}
    for city, grade, n in db.session.execute(select(heads.c.city, heads.c.grade, func.count())
                                             .group_by(heads.c.city, heads.c.grade)):
        out.setdefault(city, {})[grade] = n
    city = func.substr(GradeApplication.region_code, 1, 4)
    pending = (select(city, func.count()).where(GradeApplication.status.in_(list(STEPS.values())))
               .group_by(city))
    if prefix is not None:
        pending = pending.where(GradeApplication.region_code.startswith(prefix), *within(GradeApplication.region_code, prefix))
    for c, n in db.session.execute(pending):
        out.setdefault(c, {})["pending"] = n
    return out


def after_decision(user, application_id: int, done: str) -> str:
    """Where an official goes after reviewing or approving application `application_id`: the next application
    waiting for them, or the dashboard (registry/core/dashboard.onward)."""
    decided = db.session.get(GradeApplication, application_id)
    if decided is not None:  # "Review recorded. (某某公司 · 已退回)": what was done, to whom, with what outcome
        name = _names([decided.enterprise_id]).get(decided.enterprise_id, "")
        done = f"{done} ({name} · {status_label(decided.status)})"
    nxt = next_application(user, after_id=application_id)
    name = ""
    if nxt is not None:
        name = _names([nxt.enterprise_id]).get(nxt.enterprise_id, f"#{nxt.id}")
    return onward(done, url_for("grades.detail", application_id=nxt.id) if nxt else None, name)
