"""Named permission predicates for schedules; every operation calls one first."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.accounts.scopes import region_in_scope
from registry.core.regions import region_prefix
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.schedules.models import Schedule

DRAFTING_ROLES = (Role.CITY.value, Role.COUNTY.value)


def covers(schedule_region: str, region_code: str | None) -> bool:
    """A city schedule (131000) covers its counties (1310xx); a county schedule only itself."""
    return bool(region_code) and region_code.startswith(region_prefix(schedule_region))


def enterprise_in_schedule_region(enterprise_id: int | None, schedule: Schedule) -> bool:
    enterprise = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
    return enterprise is not None and covers(schedule.region_code, enterprise.region_code)


def is_official_in_scope(user, region_code: str) -> bool:
    return is_authenticated(user) and user.is_official and region_in_scope(user, region_code)


def can_view_schedule(user, schedule: Schedule) -> bool:
    """Officials in scope or under the region and enterprises of the region see it; no administrator (三员分立)."""
    if not is_authenticated(user):
        return False
    if user.role == Role.ENTERPRISE.value:
        return enterprise_in_schedule_region(user.enterprise_id, schedule)
    # officials of the region and above, and county officials under a city schedule (their lines only)
    return is_official_in_scope(user, schedule.region_code) or (
        user.is_official and covers(schedule.region_code, user.region_code))


def can_draft_schedule(user, region_code: str) -> bool:
    """City and county officials generate, resolve flags and publish for their own region (§4.2)."""
    return is_official_in_scope(user, region_code) and user.role in DRAFTING_ROLES


def can_apply(user, enterprise_id: int) -> bool:
    return (is_authenticated(user) and user.role == Role.ENTERPRISE.value
            and user.enterprise_id is not None and user.enterprise_id == enterprise_id)


def draft_sent_to(enterprise_id: int | None, version) -> bool:
    """A draft is *sent* to an enterprise when it carries the answer to that enterprise's own application: one of
    its approved exemption or livelihood-load applications is applied in the draft (version.exemptions names it).
    That is the only draft an enterprise is shown — to check the decision before it is filed (issue 16)."""
    if version.published or not enterprise_id:
        return False
    return any(a.get("enterprise_id") == enterprise_id for a in (version.exemptions or []))


def can_view_version(user, version) -> bool:
    """Officials who see the schedule see every version. An enterprise of the region sees published versions, and
    a draft only when it was sent to it (draft_sent_to): never a draft's measures or its printable notice as if
    they were in force."""
    if not can_view_schedule(user, version.schedule):
        return False
    if user.role != Role.ENTERPRISE.value:
        return True
    return version.published or draft_sent_to(user.enterprise_id, version)
