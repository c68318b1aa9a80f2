"""Named permission predicates for enterprise records; every operation calls one first."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.accounts.scopes import region_in_scope
from registry.enterprises.models import Enterprise, RegistrationStatus

EDITABLE = (RegistrationStatus.DRAFT.value, RegistrationStatus.RETURNED.value)


def is_member(user, enterprise: Enterprise) -> bool:
    return (
        is_authenticated(user)
        and user.role == Role.ENTERPRISE.value
        and user.enterprise_id is not None
        and user.enterprise_id == enterprise.id
    )


def is_official_in_scope(user, enterprise: Enterprise) -> bool:
    return is_authenticated(user) and user.is_official and region_in_scope(user, enterprise.region_code)


def can_view_enterprise(user, enterprise: Enterprise) -> bool:
    """Members always; officials in scope once it has been submitted at least once.

    Administrators (all three roles, 三员分立) have no business rights: they see no enterprise record."""
    if is_member(user, enterprise):
        return True
    if not is_authenticated(user):
        return False
    ever_submitted = enterprise.submitted_at is not None
    return is_official_in_scope(user, enterprise) and ever_submitted


def can_create_enterprise(user) -> bool:
    return is_authenticated(user) and user.role == Role.ENTERPRISE.value and user.enterprise_id is None


def can_edit_enterprise(user, enterprise: Enterprise) -> bool:
    return is_member(user, enterprise) and enterprise.status in EDITABLE


def can_submit_registration(user, enterprise: Enterprise) -> bool:
    return is_member(user, enterprise) and enterprise.status in EDITABLE


def can_reopen_registration(user, enterprise: Enterprise) -> bool:
    """An approved registration is amended by reopening it as a draft, then resubmitting."""
    return is_member(user, enterprise) and enterprise.status == RegistrationStatus.APPROVED.value


def can_resolve_code(user, code_region: str) -> bool:
    """Conflicts over a USCC (issue 13 M7): officials whose scope covers the code's registering region
    (USCC characters 3–8) — the code decides, not what a draft holding it says about itself."""
    return is_authenticated(user) and bool(user.is_official) and bool(code_region) and region_in_scope(user, code_region)


def can_claim_code(user) -> bool:
    """A company claims its own code from an enterprise account that has no registration yet."""
    return can_create_enterprise(user)


def can_review_registration(user, enterprise: Enterprise) -> bool:
    return is_official_in_scope(user, enterprise) and enterprise.status == RegistrationStatus.SUBMITTED.value
