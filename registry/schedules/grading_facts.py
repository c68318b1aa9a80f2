"""Effective grades (registry.grades decisions nobody superseded) → the engine's grade facts.

Grade systems stay apart (R-G-13): emergency A/B/C per industry → `emergency_grades`, Shijiazhuang's
staggering tier → `staggering_tier`, Jizhou's benchmark designation → `benchmark_enterprise`, the VOC
health-check class → `voc_class`. A decision counts on date `on` when `on` lies in its validity.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select

from grading.vocab import Sector
from registry.extensions import db
from registry.grades.models import GradeDecision

_INDUSTRIES = {s.value for s in Sector}


def grade_facts(enterprise_ids: list[int], on: date) -> dict[int, dict[str, Any]]:
    """enterprise id → {emergency_grades?, staggering_tier?, benchmark_enterprise?, voc_class?} (one query)."""
    if not enterprise_ids:
        return {}
    superseded = select(GradeDecision.supersedes_id).where(GradeDecision.supersedes_id.is_not(None))
    stmt = (select(GradeDecision).where(GradeDecision.enterprise_id.in_(enterprise_ids), GradeDecision.id.not_in(superseded),
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
