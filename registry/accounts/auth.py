"""Named permission predicates for accounts; operations call these before doing anything.

The three administrator roles are kept apart (等保 2.0 三员分立): the system administrator
(`admin`) manages accounts and scopes; the security administrator unlocks accounts, resets
passwords and revokes others' API tokens; the audit administrator reads, searches, exports and
verifies the audit log. No predicate grants one role another's work.
"""
from __future__ import annotations

from registry.accounts.models import PRIVILEGED_ROLES, Role, User


def is_authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_manage_accounts(user) -> bool:
    return is_authenticated(user) and user.role == Role.ADMIN.value


def is_server_shell(user) -> bool:
    """The CLI on the server (SystemActor): the only door for security and audit administrator accounts."""
    return bool(getattr(user, "is_system", False))


def can_assign_role(user, role: str | None) -> bool:
    """Who may give or take away `role`: the privileged roles only from the server's shell."""
    if role in PRIVILEGED_ROLES:
        return is_server_shell(user)
    return can_manage_accounts(user)


def can_administer_security(user) -> bool:
    return is_authenticated(user) and user.role == Role.SECURITY_ADMIN.value


def can_reset_password_of(user, target: User) -> bool:
    """Security administrators reset passwords of non-administrator accounts; an administrator's
    (any of the three roles) is reset on the server, so no one can take over another's role."""
    if is_server_shell(user):
        return True
    return can_administer_security(user) and target.role not in (Role.ADMIN.value, *PRIVILEGED_ROLES)


def can_read_whole_audit_log(user) -> bool:
    return is_authenticated(user) and user.role == Role.AUDIT_ADMIN.value


def can_search_audit_log(user) -> bool:
    """The audit administrator (everything) and officials (entries about objects in their region)."""
    return can_read_whole_audit_log(user) or (is_authenticated(user) and bool(getattr(user, "is_official", False)))


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
    is_security_admin = False
    is_audit_admin = False
    is_system = True


SYSTEM = SystemActor()
