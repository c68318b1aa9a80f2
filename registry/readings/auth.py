"""Named permission predicates for readings; every operation calls one first.

Officials (county, city, province) register meters and stacks and load readings for the enterprises of their region;
an enterprise's users for their own enterprise only (issue 19: "Officials (or enterprises, for their own meters)").
Administrators have no business rights (三员分立); the server's shell (CLI) may do everything."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.accounts.scopes import region_in_scope


def _system(user) -> bool:
    return bool(getattr(user, "is_system", False))


def is_own_enterprise(user, enterprise_id: int | None) -> bool:
    return (is_authenticated(user) and getattr(user, "role", None) == Role.ENTERPRISE.value
            and user.enterprise_id is not None and user.enterprise_id == enterprise_id)


def can_use_readings(user) -> bool:
    """See the readings pages at all: officials, enterprise accounts with an enterprise, the shell."""
    if _system(user):
        return True
    if not is_authenticated(user):
        return False
    return bool(user.is_official) or (user.role == Role.ENTERPRISE.value and user.enterprise_id is not None)


def can_load_for(user, enterprise_id: int, region_code: str | None) -> bool:
    """Load readings of this enterprise's meters, stacks or gate."""
    if _system(user):
        return True
    if not is_authenticated(user):
        return False
    if user.is_official:
        return region_in_scope(user, region_code)
    return is_own_enterprise(user, enterprise_id)


def can_view_enterprise_readings(user, enterprise_id: int, region_code: str | None) -> bool:
    return can_load_for(user, enterprise_id, region_code)


def can_manage_devices(user, enterprise) -> bool:
    """Register or change the meters and stacks of an enterprise."""
    return can_load_for(user, enterprise.id, enterprise.region_code)


def is_self_service(user) -> bool:
    """Enterprise accounts (open sign-up) get the smaller upload limits."""
    return not _system(user) and getattr(user, "role", None) == Role.ENTERPRISE.value
