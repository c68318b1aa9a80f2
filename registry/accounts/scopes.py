"""An official's scope is a region subtree; this turns a user into the code prefix it covers."""
from __future__ import annotations

from registry.accounts.models import Role
from registry.core.regions import region_prefix

_OFFICIALS = {Role.PROVINCE.value, Role.CITY.value, Role.COUNTY.value}  # their region has their level (operations)


def scope_prefix(user) -> str | None:
    """'' matches nothing useful; None means unrestricted: only the server's shell (SystemActor, CLI).

    The administrators of the web (admin, security_admin, audit_admin) have no business scope at all
    (等保 三员分立, issue 13 M9): "-" matches no region code."""
    if getattr(user, "is_system", False):
        return None
    if user.role in _OFFICIALS and user.region_code:
        return region_prefix(user.region_code)
    return "-"  # enterprise users see objects through membership, never through a region


def region_in_scope(user, region_code: str | None) -> bool:
    prefix = scope_prefix(user)
    if prefix is None:
        return True
    return bool(region_code) and region_code.startswith(prefix)
