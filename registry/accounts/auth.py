"""Named permission predicates for accounts; operations call these before doing anything."""
from __future__ import annotations

from registry.accounts.models import Role, User


def is_authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_manage_accounts(user) -> bool:
    return is_authenticated(user) and user.role == Role.ADMIN.value


def can_manage_own_tokens(user) -> bool:
    return is_authenticated(user)


def can_view_user(user, target: User) -> bool:
    return is_authenticated(user) and (user.id == target.id or can_manage_accounts(user))


class SystemActor:
    """The actor for CLI commands and demo loading: administrator rights, no user row."""

    id = None
    username = "system"
    role = Role.ADMIN.value
    region_code = None
    enterprise_id = None
    is_authenticated = True
    is_official = False
    is_admin = True


SYSTEM = SystemActor()
