"""Scoped reads of grades: application lists, the public list, the ungraded, the distribution chart."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, false, func, or_, select

from grading.vocab import Sector
from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core.regions import region_label, region_prefix
from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db
from registry.grades.models import ApplicationStatus as S
from registry.grades.models import GradeApplication, GradeDecision, GradeSystem
from registry.grades.operations import EXCLUSION_CONDITIONS
from registry.policy.grades import GRADED_INDUSTRIES

GRADED = {s.value for s in GRADED_INDUSTRIES}
EMERGENCY = GradeSystem.EMERGENCY.value


def visible_applications(actor):
    stmt = select(GradeApplication)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return stmt.where(false())
    if actor.role == Role.ENTERPRISE.value:
        return stmt.where(GradeApplication.enterprise_id == (actor.enterprise_id or -1))
    prefix = scope_prefix(actor)
    if prefix is not None:
        stmt = stmt.where(GradeApplication.region_code.startswith(prefix), GradeApplication.submitted_at.is_not(None))
    return stmt


def list_applications(actor, status: str = "") -> list[dict[str, Any]]:
    stmt = visible_applications(actor).join(Enterprise, Enterprise.id == GradeApplication.enterprise_id) \
        .add_columns(Enterprise.name, Enterprise.uscc)
    if status:
        stmt = stmt.where(GradeApplication.status == status)
    rows = db.session.execute(stmt.order_by(GradeApplication.updated_at.desc(), GradeApplication.id.desc()).limit(500))
    return [{"id": a.id, "version": a.version, "enterprise_id": a.enterprise_id, "enterprise_name": name, "uscc": uscc,
             "region_code": a.region_code, "status": a.status, "industries": sorted(a.industries),
             "proposed_grade": a.proposed_grade, "submitted_at": a.submitted_at, "publicity_until": a.publicity_until}
            for a, name, uscc in rows]


def _current(stmt):
    superseded = select(GradeDecision.supersedes_id).where(GradeDecision.supersedes_id.is_not(None))
    return stmt.where(GradeDecision.id.not_in(superseded))


def public_grades(grade: str = "", region: str = "", industry: str = "") -> list[dict[str, Any]]:
    """Current emergency grades of enterprises in publicity or effective (plus findings that lowered them)."""
    stmt = _current(select(GradeDecision, Enterprise.name, Enterprise.uscc, GradeApplication.status,
                           GradeApplication.publicity_until)
                    .join(Enterprise, Enterprise.id == GradeDecision.enterprise_id)
                    .outerjoin(GradeApplication, GradeApplication.id == GradeDecision.application_id)
                    .where(GradeDecision.system == EMERGENCY))
    if grade:
        stmt = stmt.where(GradeDecision.grade == grade)
    if industry:
        stmt = stmt.where(GradeDecision.industry == industry)
    if region:
        stmt = stmt.where(GradeDecision.region_code.startswith(region_prefix(region)))
    out = []
    for d, name, uscc, app_status, publicity_until in db.session.execute(
            stmt.order_by(GradeDecision.grade, GradeDecision.region_code, Enterprise.name)):
        if d.kind in ("approval", "override") and app_status not in (S.PUBLICITY.value, S.EFFECTIVE.value):
            continue
        status = "publicity" if app_status == S.PUBLICITY.value and d.kind in ("approval", "override") else "effective"
        out.append({"enterprise_name": name, "uscc": uscc, "region_code": d.region_code, "region": region_label(d.region_code),
                    "industry": d.industry, "grade": d.grade, "status": status, "kind": d.kind,
                    "publicity_until": publicity_until if status == "publicity" else None,
                    "effective_from": d.effective_from, "valid_until": d.valid_until, "application_id": d.application_id})
    return out


def _scoped_enterprises(actor):
    stmt = select(Enterprise).where(Enterprise.submitted_at.is_not(None))
    prefix = scope_prefix(actor)
    if prefix is not None:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix))
    return stmt


def ungraded(actor) -> list[dict[str, Any]]:
    """Enterprises in the 15 industries with no effective emergency grade, or excluded by R-E-01.

    They take the strictest treatment: shutdown or the strictest curtailment per line (R-E-01, 003:52)
    when excluded; the full emergency-list measures when they did not apply (R-G-05 default).
    """
    # Issue 16 (province scale): plain columns, and the scope as a subquery instead of a list of ids (60,000 bound
    # parameters break SQLite's limit); only enterprises with a graded industry, their own or a line's.
    scoped = _scoped_enterprises(actor).with_only_columns(Enterprise.id).subquery()
    graded_sectors = sorted(GRADED)
    in_graded = or_(Enterprise.sector.in_(graded_sectors), Enterprise.id.in_(
        select(ProductionLine.enterprise_id).where(ProductionLine.sector.in_(graded_sectors))))
    ents = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.region_code, Enterprise.sector,
               *(getattr(Enterprise, c) for c in EXCLUSION_CONDITIONS))
        .where(Enterprise.id.in_(select(scoped.c.id)), in_graded).order_by(Enterprise.id)).all()
    if not ents:
        return []
    line_sectors: dict[int, set[str]] = {}
    for eid, sector in db.session.execute(select(ProductionLine.enterprise_id, ProductionLine.sector).distinct()
                                          .where(ProductionLine.enterprise_id.in_(select(scoped.c.id)))):
        line_sectors.setdefault(eid, set()).add(sector)
    graded_now = {eid for (eid,) in db.session.execute(
        _current(select(GradeDecision.enterprise_id).where(GradeDecision.system == EMERGENCY)
                 .outerjoin(GradeApplication, GradeApplication.id == GradeDecision.application_id)
                 .where((GradeApplication.status == S.EFFECTIVE.value) | GradeDecision.kind.in_(["fraud", "violation", "regrade"]))
                 .where(GradeDecision.enterprise_id.in_(select(scoped.c.id)))))}
    out = []
    for e in ents:
        industries = sorted(({e.sector} | line_sectors.get(e.id, set())) & GRADED)
        if not industries:
            continue
        failed = [c for c in EXCLUSION_CONDITIONS if not getattr(e, c)]
        if failed:
            reason, rule = "excluded", "R-E-01"
        elif e.id not in graded_now:
            reason, rule = "not_applied", "R-G-05"
        else:
            continue
        out.append({"enterprise_id": e.id, "name": e.name, "uscc": e.uscc, "region_code": e.region_code,
                    "industries": industries, "reason": reason, "rule": rule, "failed": failed})
    return out


def ungraded_page(actor, page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of `ungraded(actor)` (same rows, same order) and its counts ({"total", "excluded"}), with the
    filtering and the counting in SQL: the province's page read every enterprise of the 15 industries into Python
    to show 50 of them (issue 18 item 4, 0.9 s at 60,000 enterprises)."""
    graded_sectors = sorted(GRADED)
    # the scope's own conditions on the enterprise (no self-join), and "a line in a graded industry" as EXISTS,
    # read from ix_production_line_sector_enterprise only for enterprises whose own sector is not graded
    line = ProductionLine.__table__.alias("graded_line")
    in_graded = or_(Enterprise.sector.in_(graded_sectors), exists().where(line.c.enterprise_id == Enterprise.id,
                                                                         line.c.sector.in_(graded_sectors)))
    graded_now = _current(select(GradeDecision.enterprise_id).where(GradeDecision.system == EMERGENCY)
                          .outerjoin(GradeApplication, GradeApplication.id == GradeDecision.application_id)
                          .where((GradeApplication.status == S.EFFECTIVE.value)
                                 | GradeDecision.kind.in_(["fraud", "violation", "regrade"])))
    excluded = or_(*(func.coalesce(getattr(Enterprise, c), False).is_(False) for c in EXCLUSION_CONDITIONS))
    from registry.core.dashboard import within

    scope = _scoped_enterprises(actor).whereclause  # with the scope as a range the region index answers, too
    where = (scope, *within(Enterprise.region_code, scope_prefix(actor)), in_graded, or_(excluded, Enterprise.id.not_in(graded_now)))
    total, n_excluded = db.session.execute(select(func.count(), func.coalesce(func.sum(case((excluded, 1), else_=0)), 0))
                                           .select_from(Enterprise).where(*where)).one()
    ents = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.region_code, Enterprise.sector,
               *(getattr(Enterprise, c) for c in EXCLUSION_CONDITIONS))
        .where(*where).order_by(Enterprise.id).limit(per_page).offset((max(1, page) - 1) * per_page)).all()
    line_sectors: dict[int, set[str]] = {}
    if ents:
        for eid, sector in db.session.execute(select(ProductionLine.enterprise_id, ProductionLine.sector).distinct()
                                              .where(ProductionLine.enterprise_id.in_([e.id for e in ents]))):
            line_sectors.setdefault(eid, set()).add(sector)
    out = []
    for e in ents:
        failed = [c for c in EXCLUSION_CONDITIONS if not getattr(e, c)]
        reason, rule = ("excluded", "R-E-01") if failed else ("not_applied", "R-G-05")
        out.append({"enterprise_id": e.id, "name": e.name, "uscc": e.uscc, "region_code": e.region_code,
                    "industries": sorted(({e.sector} | line_sectors.get(e.id, set())) & GRADED), "reason": reason,
                    "rule": rule, "failed": failed})
    return out, {"total": int(total), "excluded": int(n_excluded)}


def distribution(actor) -> dict[str, Any]:
    """Counts of current emergency grades by county and by industry, in the actor's scope."""
    stmt = _current(select(GradeDecision.region_code, GradeDecision.industry, GradeDecision.grade)
                    .where(GradeDecision.system == EMERGENCY))
    prefix = scope_prefix(actor)
    if prefix is not None:
        stmt = stmt.where(GradeDecision.region_code.startswith(prefix))
    rows = list(db.session.execute(stmt))
    by_region: dict[str, Counter] = {}
    by_industry: dict[str, Counter] = {}
    for region, industry, grade in rows:
        by_region.setdefault(region, Counter())[grade] += 1
        by_industry.setdefault(industry, Counter())[grade] += 1
    grades = ["A", "B", "C"]
    regions = sorted(by_region)
    industries = sorted(by_industry)
    return {
        "grades": grades,
        "regions": [region_label(r) for r in regions],
        "by_region": {g: [by_region[r][g] for r in regions] for g in grades},
        "industries": [Sector(i).label_zh if i in Sector.codes() else i for i in industries],
        "industry_codes": industries,
        "by_industry": {g: [by_industry[i][g] for i in industries] for g in grades},
        "total": len(rows),
    }


@dataclass(frozen=True)
class ExportRows:
    kind: str
    rows: list[dict[str, Any]]
