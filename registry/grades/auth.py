"""Named permission predicates for grade applications and decisions; every operation calls one first.

The procedure is local practice, not the sources' (DOMAIN.md §4.1: who approves a grade is not stated,
[AMBIGUOUS] #14), so the defaults are documented in docs/grading.md: the enterprise applies, the county
checks documents, the city approves (or overrides with a reason) and answers objections, the province
may re-check; any official in scope records violations and fraud findings (R-G-09).
"""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.accounts.scopes import region_in_scope
from registry.grades.models import ApplicationStatus as S
from registry.grades.models import GradeApplication

EDITABLE = (S.DRAFT.value, S.RETURNED.value)


def is_member(user, enterprise_id: int) -> bool:
    return (is_authenticated(user) and user.role == Role.ENTERPRISE.value
            and user.enterprise_id is not None and user.enterprise_id == enterprise_id)


def is_official_in_scope(user, region_code: str) -> bool:
    return is_authenticated(user) and user.is_official and region_in_scope(user, region_code)


def _role(user, *roles: Role) -> bool:
    return is_authenticated(user) and user.role in {r.value for r in roles}


def can_view_application(user, app: GradeApplication) -> bool:
    """Members always; officials in scope once it was submitted; administrators."""
    if is_member(user, app.enterprise_id):
        return True
    if _role(user, Role.ADMIN):
        return True
    return is_official_in_scope(user, app.region_code) and app.submitted_at is not None


def can_create_application(user, enterprise) -> bool:
    return is_member(user, enterprise.id)


def can_edit_application(user, app: GradeApplication) -> bool:
    return is_member(user, app.enterprise_id) and app.status in EDITABLE


def can_delete_application(user, app: GradeApplication) -> bool:
    return can_edit_application(user, app)


def can_review_documents(user, app: GradeApplication) -> bool:
    """The county checks the documents of a submitted application (local default)."""
    return (_role(user, Role.COUNTY) and region_in_scope(user, app.region_code)
            and app.status == S.SUBMITTED.value)


def can_approve(user, app: GradeApplication) -> bool:
    """The city approves or overrides after the county accepted the documents (local default)."""
    return _role(user, Role.CITY) and region_in_scope(user, app.region_code) and app.status == S.COUNTY_ACCEPTED.value


def can_make_effective(user, app: GradeApplication) -> bool:
    return _role(user, Role.CITY) and region_in_scope(user, app.region_code) and app.status == S.PUBLICITY.value


def can_answer_objection(user, app: GradeApplication) -> bool:
    return _role(user, Role.CITY, Role.PROVINCE) and region_in_scope(user, app.region_code)


def can_record_finding(user, region_code: str) -> bool:
    """Violations and fraud findings (R-G-09): any official in scope."""
    return is_official_in_scope(user, region_code)


def can_regrade(user, region_code: str) -> bool:
    """Re-grades (yearly re-check, province re-check) and grades of other systems: city or province."""
    return _role(user, Role.CITY, Role.PROVINCE) and region_in_scope(user, region_code)


def can_view_enterprise_grades(user, enterprise) -> bool:
    if is_member(user, enterprise.id) or _role(user, Role.ADMIN):
        return True
    return is_official_in_scope(user, enterprise.region_code) and enterprise.submitted_at is not None


def can_see_statistics(user) -> bool:
    return _role(user, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.ADMIN)
