"""Named permission predicates for grade applications and decisions; every operation calls one first.

Who reviews, approves, publishes, answers objections and re-grades is pack data, not code: the
application's region picks a policy pack (settings.workflow_pack_id) and its `grade_workflow` names the
official levels per step — and, for approval, per grade (DOMAIN.md §4.1: the sources do not say who
approves a grade, [AMBIGUOUS] #14; each pack cites the nearest clause or says it is a local setting).
The enterprise applies; any official in scope records violations and fraud findings (R-G-09).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.auth import is_authenticated
from registry.accounts.models import ROLE_LABELS, Role
from registry.accounts.scopes import region_in_scope
from registry.core.regions import cities_without_counties
from registry.extensions import db
from registry.grades.models import ApplicationStatus as S
from registry.grades.models import GradeApplication
from registry.grades.settings import grade_workflow, setting

EDITABLE = (S.DRAFT.value, S.RETURNED.value)


def is_member(user, enterprise_id: int) -> bool:
    return (is_authenticated(user) and user.role == Role.ENTERPRISE.value
            and user.enterprise_id is not None and user.enterprise_id == enterprise_id)


def is_official_in_scope(user, region_code: str) -> bool:
    return is_authenticated(user) and user.is_official and region_in_scope(user, region_code)


def _role(user, *roles: Role) -> bool:
    return is_authenticated(user) and user.role in {r.value for r in roles}


def can_view_application(user, app: GradeApplication) -> bool:
    """Members always; officials in scope once it was submitted; no administrator (三员分立)."""
    if is_member(user, app.enterprise_id):
        return True
    return is_official_in_scope(user, app.region_code) and app.submitted_at is not None


def can_create_application(user, enterprise) -> bool:
    return is_member(user, enterprise.id)


def can_edit_application(user, app: GradeApplication) -> bool:
    return is_member(user, app.enterprise_id) and app.status in EDITABLE


def can_delete_application(user, app: GradeApplication) -> bool:
    return can_edit_application(user, app)


def level_label(level: str) -> str:
    """'city' → 市级管理员 / City official (the role's translated label)."""
    return str(ROLE_LABELS[Role(level)])


def _level(user, levels, region_code: str) -> bool:
    """The user's role is one of `levels`. In a city without counties (the enterprise sits in the city,
    no county official can exist there) the city acts for the county level."""
    wanted = set(levels)
    if "county" in wanted and region_code in cities_without_counties():
        wanted.add("city")
    return is_authenticated(user) and user.is_official and user.role in wanted


def is_reviewer_level(user, app: GradeApplication) -> bool:
    """The user's level checks documents here (in scope), whatever the application's state."""
    return _level(user, grade_workflow(app.region_code).review, app.region_code) and region_in_scope(user, app.region_code)


def can_review_documents(user, app: GradeApplication) -> bool:
    """The pack's `review` level checks the documents of a submitted application."""
    return is_reviewer_level(user, app) and app.status == S.SUBMITTED.value


def approval_levels(region_code: str, grades) -> frozenset[str]:
    """The levels that may approve every one of `grades` (A/B/C) in this region's pack."""
    wf = grade_workflow(region_code)
    out = wf.approver_levels()
    for grade in grades:
        out = out & frozenset(wf.approvers(grade))
    return out


def is_approver_level(user, app: GradeApplication, grades=()) -> bool:
    """The user's level approves `grades` here (any grade when none is given), in scope, whatever the state."""
    return _level(user, approval_levels(app.region_code, [g for g in grades if g]), app.region_code) and region_in_scope(user, app.region_code)


def can_approve(user, app: GradeApplication, grades=None) -> bool:
    """The pack's approving level for the grades decided (default: the proposed grade), after the documents were accepted.

    An override to another grade needs the level of that grade too (operations.approve passes every grade it records).
    """
    wanted = (app.proposed_grade,) if grades is None else tuple(grades)
    return is_approver_level(user, app, wanted) and app.status == S.COUNTY_ACCEPTED.value


def is_publisher_level(user, app: GradeApplication) -> bool:
    return _level(user, grade_workflow(app.region_code).publish, app.region_code) and region_in_scope(user, app.region_code)


def can_make_effective(user, app: GradeApplication) -> bool:
    return is_publisher_level(user, app) and app.status == S.PUBLICITY.value


def four_eyes_conflict(user, app: GradeApplication, step: str) -> str | None:
    """The earlier step this user performed on `app` that bars them from `step` (issue 13 L11), or None.

    Always: the approver is not the one who accepted the documents, and the one making the grade effective
    is not the approver. A pack's `grade_workflow.separation: all` adds: nor the reviewer."""
    uid = getattr(user, "id", None)
    if uid is None:
        return None
    if step == "approve" and uid == app.reviewed_by_id:
        return "review"
    if step == "publish":
        if uid == app.approved_by_id:
            return "approve"
        if grade_workflow(app.region_code).separation == "all" and uid == app.reviewed_by_id:
            return "review"
    return None


def four_eyes_reason(user, app: GradeApplication, step: str) -> str | None:
    """four_eyes_conflict in words: what the page shows beside the disabled button and the operation refuses with."""
    earlier = four_eyes_conflict(user, app, step)
    if earlier == "review":
        return _("Four eyes: you checked this application's documents, so another official must take this step.")
    if earlier == "approve":
        return _("Four eyes: you approved this grade, so another official must make it effective.")
    return None


def can_answer_objection(user, app: GradeApplication) -> bool:
    return _level(user, grade_workflow(app.region_code).objections, app.region_code) and region_in_scope(user, app.region_code)


def can_record_finding(user, region_code: str) -> bool:
    """Violations and fraud findings (R-G-09): any official in scope."""
    return is_official_in_scope(user, region_code)


def can_regrade(user, region_code: str) -> bool:
    """Re-grades (yearly re-check, province re-check) and grades of other systems: the pack's `regrade` levels."""
    return _level(user, grade_workflow(region_code).regrade, region_code) and region_in_scope(user, region_code)


def can_view_enterprise_grades(user, enterprise) -> bool:
    if is_member(user, enterprise.id):
        return True
    return is_official_in_scope(user, enterprise.region_code) and enterprise.submitted_at is not None


def can_see_statistics(user) -> bool:
    return _role(user, Role.COUNTY, Role.CITY, Role.PROVINCE)


# ---- can X now, else why and from when (issue 16 item 3: no action offered that will be refused) ----

OPEN = (S.DRAFT.value, S.SUBMITTED.value, S.RETURNED.value, S.COUNTY_ACCEPTED.value, S.PUBLICITY.value)


def create_blocker(enterprise) -> str | None:
    """Why `enterprise` cannot apply for a grade now (its registration not approved, or an application in
    progress), or None. The page shows it instead of the button; operations.create_application refuses with it."""
    if enterprise.status != "approved":
        return _("The enterprise's registration must be approved before it applies for a grade.")
    open_id = db.session.scalar(select(GradeApplication.id).where(
        GradeApplication.enterprise_id == enterprise.id, GradeApplication.status.in_(OPEN)).limit(1))
    if open_id is not None:
        return _("This enterprise already has an application in progress (no. %(id)s).", id=open_id)
    return None


def objection_answer_deadline(app: GradeApplication) -> date:
    """The last day of the answer period: GRADE_OBJECTION_ANSWER_WORKING_DAYS working days (Mon–Fri) after
    the publicity period (a local setting, see settings.py; the sources are silent, DOMAIN.md §4.1)."""
    day, left = app.publicity_until, int(setting("GRADE_OBJECTION_ANSWER_WORKING_DAYS"))
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def effective_blocker(app: GradeApplication, today: date) -> tuple[str, date] | None:
    """Why the grade of an application in publicity cannot take effect `today`, and the first day it can; None when
    it can. The page shows the button disabled with both; operations.make_effective refuses with the same words."""
    if app.status != S.PUBLICITY.value or app.publicity_until is None:
        return None
    if today <= app.publicity_until:
        return (_("The publicity period runs until %(day)s.", day=app.publicity_until.isoformat()),
                app.publicity_until + timedelta(days=1))
    if any(o.status == "open" for o in app.objections):
        deadline = objection_answer_deadline(app)
        if today <= deadline:
            return (_("Answer every objection before the grade takes effect. The answer period runs until "
                      "%(day)s; after it the grade may take effect with the unanswered objections recorded.",
                      day=deadline.isoformat()), deadline + timedelta(days=1))
    return None
