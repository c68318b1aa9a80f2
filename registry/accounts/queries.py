"""Account reads: the administrator's paged user list and display names for histories."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select

from registry.accounts import auth
from registry.accounts.models import User
from registry.core.errors import Forbidden
from registry.core.pagination import Page, paginate
from registry.core.timeutil import utcnow
from registry.extensions import db


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    page: int = 1
    per_page: int = 50


def find_users(actor, filters: UserFilters) -> Page[User]:
    if not auth.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators manage accounts."))
    stmt = select(User)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like), User.region_code.startswith(filters.q.strip())))
    if filters.role:
        stmt = stmt.where(User.role == filters.role)
    return paginate(stmt.order_by(User.role, User.username), filters.page, filters.per_page)


def display_names(user_ids: set[int]) -> dict[int, dict[str, str]]:
    """Who did it, for history pages the viewer may already see (no scope beyond the record's)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.username, User.full_name, User.role).where(User.id.in_(user_ids))
    )
    return {uid: {"username": u, "full_name": f, "role": r} for uid, u, f, r in rows}


def find_accounts_for_security(actor, filters: UserFilters, *, locked_only: bool = False) -> Page[User]:
    """The security administrator's view of accounts: search, and the ones locked now."""
    if not auth.can_administer_security(actor):
        raise Forbidden(_("Only the security administrator sees sign-in locks and tokens of others."))
    stmt = select(User)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.full_name.ilike(like)))
    if locked_only:
        stmt = stmt.where(User.locked_until.is_not(None), User.locked_until > utcnow())
    return paginate(stmt.order_by(User.username), filters.page, filters.per_page)
