"""An official's scope is a region subtree; this turns a user into the code prefix it covers."""
from __future__ import annotations

from registry.accounts.models import Role

_PREFIX_LEN = {Role.PROVINCE.value: 2, Role.CITY.value: 4, Role.COUNTY.value: 6}


def scope_prefix(user) -> str | None:
    """'' matches nothing useful; None means unrestricted: only the server's shell (SystemActor, CLI).

    The administrators of the web (admin, security_admin, audit_admin) have no business scope at all
    (等保 三员分立, issue 13 M9): "-" matches no region code."""
    if getattr(user, "is_system", False):
        return None
    if user.role in _PREFIX_LEN and user.region_code:
        return user.region_code[: _PREFIX_LEN[user.role]]
    return "-"  # enterprise users see objects through membership, never through a region


def region_in_scope(user, region_code: str | None) -> bool:
    prefix = scope_prefix(user)
    if prefix is None:
        return True
    return bool(region_code) and region_code.startswith(prefix)
