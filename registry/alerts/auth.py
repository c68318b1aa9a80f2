"""Named permission predicates for alerts; every operation calls one first.

A city official issues, changes and lifts its city's alerts (the whole city or listed counties, 000:151 / 004:376);
the province issues a regional alert over several of its cities (003:48, R-W-05). Officials whose scope touches an
episode's area read it; an enterprise's users read and acknowledge their own orders. Administrators have no
business rights (三员分立)."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core.regions import region_prefix


def _touches(user, code: str) -> bool:
    prefix = scope_prefix(user)
    if prefix is None:
        return True
    if prefix == "-" or not code:
        return False
    return code.startswith(prefix) or prefix.startswith(region_prefix(code))


def can_issue(user, scope: str, region_code: str, area_codes: list[str]) -> bool:
    if getattr(user, "is_system", False):
        return True
    if not is_authenticated(user) or not user.is_official:
        return False
    if scope == "regional":
        return user.role == Role.PROVINCE.value and user.region_code == region_code and all(
            c.startswith(region_prefix(region_code)) and c != region_code for c in area_codes)
    # the official of exactly the issuing region: a city, or a county-level city/district that issues its own
    # alerts (operations.issues_alerts checks which regions issue)
    return user.role in (Role.CITY.value, Role.COUNTY.value) and user.region_code == region_code and all(
        c.startswith(region_prefix(region_code)) for c in area_codes)


def can_manage_episode(user, episode) -> bool:
    """Change the level, lift, re-send: the body that issued it (the city; the province for a regional alert)."""
    return can_issue(user, episode.scope, episode.region_code, episode.area_codes)


def can_view_episode(user, episode) -> bool:
    if getattr(user, "is_system", False):
        return True
    if not is_authenticated(user) or not user.is_official:
        return False
    return _touches(user, episode.region_code) and (
        any(_touches(user, c) for c in episode.area_codes) or not episode.areas)


def can_list_episodes(user) -> bool:
    return is_authenticated(user) and (bool(user.is_official) or getattr(user, "is_system", False))


def is_recipient(user, enterprise_id: int) -> bool:
    return (is_authenticated(user) and user.role == Role.ENTERPRISE.value
            and user.enterprise_id is not None and user.enterprise_id == enterprise_id)


def can_view_order(user, order) -> bool:
    return is_recipient(user, order.enterprise_id) or can_view_episode(user, order.episode)


def can_acknowledge(user, order) -> bool:
    """The receipt (回执) is the enterprise's: one of its users, never an official for it."""
    return is_recipient(user, order.enterprise_id)
