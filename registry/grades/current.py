"""What grades stand now: the decisions nobody superseded, read for the engine and for the emergency list.

Both readings live here, in the grades domain that owns the decision history, instead of each consumer
querying `grade_decision` on its own. They still differ and should converge into one rule:
- `grade_facts(ids, on)` (schedules): every system kept apart (R-G-13) — emergency A/B/C per industry,
  staggering tier, benchmark designation, VOC class — counting a decision when `on` lies in its validity;
- `effective_grades(ids)` (emergency list): the enterprise's worst emergency grade (short-board,
  multi-industry), counting an approval only once its application became effective, findings at once.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select

from grading.vocab import Sector
from registry.extensions import db
from registry.grades.models import ApplicationStatus, GradeApplication, GradeDecision, GradeSystem

_INDUSTRIES = {s.value for s in Sector}


def _not_superseded():
    """A decision stands until a later one names it in `supersedes_id` (history is never overwritten)."""
    superseded = select(GradeDecision.supersedes_id).where(GradeDecision.supersedes_id.is_not(None))
    return GradeDecision.id.not_in(superseded)


def grade_facts(enterprise_ids: list[int], on: date) -> dict[int, dict[str, Any]]:
    """enterprise id → {emergency_grades?, staggering_tier?, benchmark_enterprise?, voc_class?} (one query)."""
    if not enterprise_ids:
        return {}
    stmt = (select(GradeDecision).where(GradeDecision.enterprise_id.in_(enterprise_ids), _not_superseded(),
                                        or_(GradeDecision.effective_from.is_(None), GradeDecision.effective_from <= on),
                                        or_(GradeDecision.valid_until.is_(None), GradeDecision.valid_until >= on))
            .order_by(GradeDecision.enterprise_id, GradeDecision.industry, GradeDecision.id))
    out: dict[int, dict[str, Any]] = {}
    for d in db.session.scalars(stmt):
        facts = out.setdefault(d.enterprise_id, {})
        if d.system == "emergency" and d.industry in _INDUSTRIES:
            facts.setdefault("emergency_grades", []).append({"industry": d.industry, "grade": d.grade})
        elif d.system == "staggering":
            facts["staggering_tier"] = d.grade
        elif d.system == "benchmark":
            facts["benchmark_enterprise"] = d.grade == "benchmark"
        elif d.system == "voc_class":
            facts["voc_class"] = d.grade
    return out


_ORDER = {"A": 0, "B": 1, "C": 2}


def effective_grades(enterprise_ids: list[int] | None = None) -> dict[int, str]:
    """enterprise id → worst current emergency grade; enterprises without one are absent (ungraded)."""
    stmt = (select(GradeDecision.enterprise_id, GradeDecision.grade, GradeDecision.kind, GradeApplication.status)
            .outerjoin(GradeApplication, GradeApplication.id == GradeDecision.application_id)
            .where(GradeDecision.system == GradeSystem.EMERGENCY.value, _not_superseded()))
    if enterprise_ids is not None:
        stmt = stmt.where(GradeDecision.enterprise_id.in_(enterprise_ids))
    out: dict[int, str] = {}
    for ent, grade, kind, app_status in db.session.execute(stmt):
        if kind in ("approval", "override") and app_status != ApplicationStatus.EFFECTIVE.value:
            continue
        if grade in _ORDER and _ORDER[grade] >= _ORDER.get(out.get(ent, "A"), 0):
            out[ent] = grade
    return out
