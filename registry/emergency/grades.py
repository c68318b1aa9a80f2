"""Effective emergency grades (A/B/C, 003:51) read from the grades domain's decision history.

registry/grades exposes no "effective grade of an enterprise" query yet, so this reads its
committed tables: the current (not superseded) emergency decision per industry counts when it is a
finding (fraud, violation, re-grade, record) or when its application became effective; the
enterprise takes its worst industry's grade (short-board, multi-industry).
"""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.grades.models import ApplicationStatus, GradeApplication, GradeDecision, GradeSystem

_ORDER = {"A": 0, "B": 1, "C": 2}


def effective_grades(enterprise_ids: list[int] | None = None) -> dict[int, str]:
    """enterprise id → worst current emergency grade; enterprises without one are absent (ungraded)."""
    superseded = select(GradeDecision.supersedes_id).where(GradeDecision.supersedes_id.is_not(None))
    stmt = (select(GradeDecision.enterprise_id, GradeDecision.grade, GradeDecision.kind, GradeApplication.status)
            .outerjoin(GradeApplication, GradeApplication.id == GradeDecision.application_id)
            .where(GradeDecision.system == GradeSystem.EMERGENCY.value, GradeDecision.id.not_in(superseded)))
    if enterprise_ids is not None:
        stmt = stmt.where(GradeDecision.enterprise_id.in_(enterprise_ids))
    out: dict[int, str] = {}
    for ent, grade, kind, app_status in db.session.execute(stmt):
        if kind in ("approval", "override") and app_status != ApplicationStatus.EFFECTIVE.value:
            continue
        if grade in _ORDER and _ORDER[grade] >= _ORDER.get(out.get(ent, "A"), 0):
            out[ent] = grade
    return out
