"""Named permission predicates for emergency plans and lists; every operation calls one first."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.accounts.scopes import region_in_scope
from registry.enterprises.auth import can_view_enterprise, is_member
from registry.enterprises.models import Enterprise

_LIST_MAKERS = (Role.CITY.value, Role.COUNTY.value)


def can_view_plan(user, enterprise: Enterprise) -> bool:
    return can_view_enterprise(user, enterprise)


def can_write_plan(user, enterprise: Enterprise) -> bool:
    """The enterprise files its own 一厂一策 (003:50); officials read it."""
    return is_member(user, enterprise)


def can_view_list(user, region_code: str) -> bool:
    """Officials whose scope covers the list's region (the city, its province); no administrator (三员分立)."""
    if not is_authenticated(user):
        return False
    return bool(user.is_official) and region_in_scope(user, region_code)


def can_manage_list(user, region_code: str) -> bool:
    """The list is the city's own (003:50: cities compile and file it): the official of exactly that region.

    The system administrator manages accounts, not lists (issue 13 M9, 三员分立)."""
    if not is_authenticated(user):
        return False
    return user.role in _LIST_MAKERS and user.region_code == region_code


def can_view_own_notice(user, lst, enterprise_id: int) -> bool:
    """An enterprise reads the emergency notice addressed to it: its own enterprise, in a filed list of the region
    covering it (issue 16: enterprises see their filed emergency measures and orders). Never another's."""
    from registry.core.regions import region_prefix
    from registry.extensions import db

    if not is_authenticated(user) or user.role != Role.ENTERPRISE.value or user.enterprise_id != enterprise_id:
        return False
    enterprise = db.session.get(Enterprise, enterprise_id)
    return (enterprise is not None and lst.status == "filed" and is_member(user, enterprise)
            and enterprise.region_code.startswith(region_prefix(lst.region_code)))
