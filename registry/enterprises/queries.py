"""Scoped reads: every list a user sees comes from here, filtered to what they may see."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core.audit_scope import visible_object_conditions
from registry.core.models import AuditEntry
from registry.core.pagination import Page, paginate
from registry.core.regions import region_prefix
from registry.enterprises.models import Enterprise
from registry.extensions import db


@dataclass(frozen=True)
class EnterpriseFilters:
    q: str = ""
    status: str = ""
    sector: str = ""
    region_code: str = ""
    page: int = 1
    per_page: int = 25


def visible_enterprises(actor):
    """A select() of the enterprises this actor may see (members: their own; officials: scope)."""
    stmt = select(Enterprise)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return stmt.where(false())
    if actor.role == Role.ENTERPRISE.value:
        return stmt.where(Enterprise.id == (actor.enterprise_id or -1))
    prefix = scope_prefix(actor)
    if prefix is not None:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix), Enterprise.submitted_at.is_not(None))
    return stmt


def list_enterprises(actor, filters: EnterpriseFilters) -> Page[Enterprise]:
    stmt = visible_enterprises(actor)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(Enterprise.name.ilike(like), Enterprise.uscc.ilike(like), Enterprise.address.ilike(like)))
    if filters.status:
        stmt = stmt.where(Enterprise.status == filters.status)
    if filters.sector:
        stmt = stmt.where(Enterprise.sector == filters.sector)
    if filters.region_code:
        stmt = stmt.where(Enterprise.region_code.startswith(region_prefix(filters.region_code)))
    stmt = stmt.order_by(Enterprise.updated_at.desc(), Enterprise.id.desc())
    return paginate(stmt, filters.page, filters.per_page)


def enterprise_history(enterprise: Enterprise, actor=None) -> list[AuditEntry]:
    """The enterprise's whole history, lines and permits included, newest first.

    Callers obtain `enterprise` through operations.get_enterprise, which checks visibility. With
    `actor`, entries about objects the actor may not see are left out (issue 13, Medium 8: an
    official does not see a grade application the enterprise never submitted).
    """
    stmt = select(AuditEntry).where(AuditEntry.root_type == "enterprise", AuditEntry.root_id == enterprise.id)
    if actor is not None:
        stmt = stmt.where(*visible_object_conditions(actor))
    return list(db.session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
