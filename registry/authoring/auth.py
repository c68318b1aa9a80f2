"""Named permission predicates for officials' packs (issue 20); every operation calls one first.

A city official authors packs for the city (its counties included: the city's plan covers them); a province official
authors for the province and reviews the cities' packs of that province; a province's own pack is reviewed by another
official of that province. Four eyes: the reviewer is never the author, nor the one who last edited it. Activation is
the reviewer's side too (the province for a city's pack). Enterprises and the public read active packs only.
Administrators have no business rights (三员分立)."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated
from registry.accounts.models import Role
from registry.core.regions import region_prefix


def _official(user) -> bool:
    return is_authenticated(user) and bool(user.is_official)


def can_author(user, region_code: str) -> bool:
    """Start or edit a draft for `region_code`: the city's own officials, or the province's for the province."""
    if getattr(user, "is_system", False):
        return True
    if not _official(user) or user.role not in (Role.CITY.value, Role.PROVINCE.value):
        return False
    return user.region_code == region_code


def can_view(user, pack) -> bool:
    """Officials see the drafts of their own region, of the regions below it (the province sees its cities'), and of
    the region above (a city reads its province's pack); everyone reads an active or superseded pack."""
    if pack.status in ("active", "superseded"):
        return True
    if getattr(user, "is_system", False):
        return True
    if not _official(user) or not user.region_code:
        return False
    mine, theirs = region_prefix(user.region_code), region_prefix(pack.region_code)
    return theirs.startswith(mine) or mine.startswith(theirs)


def can_edit(user, pack) -> bool:
    return pack.editable and can_author(user, pack.region_code)


def can_submit(user, pack) -> bool:
    return can_edit(user, pack)


def _reviewing_body(user, pack) -> bool:
    if getattr(user, "is_system", False):
        return True
    if not _official(user) or user.role != Role.PROVINCE.value or not user.region_code:
        return False
    # the province of a city's pack, or the province itself for its own pack (another official: four eyes below)
    return pack.region_code.startswith(region_prefix(user.region_code))


def reviews_for(user, pack) -> bool:
    """The body that reviews (and may activate) this pack: the province above a city's pack, or its own."""
    return _reviewing_body(user, pack)


def may_activate(user, pack) -> bool:
    """Who puts an approved pack in force: the reviewing body or the region's own authors (the approval was the four
    eyes)."""
    return _reviewing_body(user, pack) or can_author(user, pack.region_code)


def four_eyes(user, pack) -> bool:
    """Never the author, nor anyone who changed a value of this version."""
    uid = getattr(user, "id", None)
    if uid is None:
        return False
    return uid != pack.author_id and all(e.actor_id != uid for e in pack.edits)


def can_review(user, pack) -> bool:
    return pack.status == "submitted" and _reviewing_body(user, pack) and (getattr(user, "is_system", False) or four_eyes(user, pack))


def can_activate(user, pack) -> bool:
    return pack.status == "approved" and _reviewing_body(user, pack) and (getattr(user, "is_system", False) or four_eyes(user, pack))


def can_copy(user, region_code: str) -> bool:
    return can_author(user, region_code)
