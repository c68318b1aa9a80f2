"""The standing grade: one rule for which grade decision an enterprise holds on a given day.

Staggered production (registry/schedules, `grade_facts`) and the emergency list (registry/emergency,
`effective_grades`) both read this one rule; they differ only in the day they ask about and in what
they take from the answer.

The rule (decided 2026-11-27, docs/design-changes.md §7):

1. **Chains.** Decisions are kept per enterprise × grade system × industry; a newer decision in a chain
   replaces the older ones (`supersedes_id` links them, history is never overwritten). Systems are kept
   apart (R-G-13, 004:350): the emergency A/B/C grade (003:51), Shijiazhuang's staggering tier (004:389),
   Jizhou's benchmark flag (001:99) and the VOC health-check class (004:350) never stand in for each other.
2. **When a decision takes effect.** An approval or override is the end of the grading procedure only once its
   application is *effective* (publicity over, every objection answered, published — docs/grading.md §2;
   003:51 asks for a strict procedure, 严格评级程序) and from its `effective_from`; one without an application
   (imported, or recorded outside the workflow) counts from its `effective_from` like a recorded grade. Findings and re-grades
   (fraud → C at once, R-G-09, 003:17; violation; re-grade; a grade of another system recorded by an
   official) take effect on their `effective_from`, the day they are decided.
3. **A replacement counts only once it takes effect.** While a newer approval is in publicity (or was never made
   effective), the decision it replaces still stands: on day D the standing decision of a chain is the newest
   one that has taken effect by D.
4. **Expiry.** That decision stands only while D is within its validity (`valid_until`, the yearly re-check of
   dynamic management, 动态管理, R-G-02, 003:51). Once the newest decision that took effect has lapsed, the chain
   stands at *no grade*; an older decision it replaced does not revive. An enterprise without a standing
   emergency grade is ungraded: full emergency-list measures (R-G-05), or R-E-01 where it fails the gate.
5. **Which system for what.** The emergency list uses the emergency grade only; staggered production hands every
   system's standing grade to the engine, whose pack decides which one matters (004:389 tiers, 001:99 benchmark,
   003:51 grades).
5a. **Each line by its own industry** (issue 14 point 4). A multi-industry enterprise is graded per industry
   (003:51), and each of its lines takes the grade of the line's industry: a steel-A + coking-C works keeps A on
   its steel lines and C on its coke ovens. A line of an industry the enterprise holds no grade in takes the
   enterprise's worst grade (short-board); the enterprise's own grade (plans, pages) is its worst.
5b. **Findings reach every industry.** Fraud in the ultra-low evaluation (R-G-09, 003:17) lowers every emergency
   chain of the enterprise to C and, while it stands, tells the engine (`ultra_low_evaluation_fraud`) so that
   every line is C and the differentiated treatment of ultra-low enterprises (R-G-10, 003:17) is withdrawn. A
   violation lowers each industry's *standing* grade by the local rule (GRADE_VIOLATION_DOWNGRADE) — or, where
   none stands yet, the grade decided and about to take effect; a lapsed grade is no grade and is not lowered
   (a one-step "downgrade" of it would grant one). `downgrade`
   is the pure rule; the new decisions keep the grade they replace (history, `supersedes_id`).
6. **The day.** Schedules ask about their evaluation day; the emergency list about today (Beijing), the day its
   version is compiled or a plan is checked — a list freezes the grades it was compiled with.

`standing` is the pure rule (tested table-driven: tests/unit/grades_current_cases.yaml); the two functions
below read `grade_decision` once and apply it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any, Iterable

from sqlalchemy import select

from grading.vocab import Sector
from registry.core import timeutil
from registry.extensions import db
from registry.grades.models import ApplicationStatus, GradeApplication, GradeDecision, GradeSystem

_INDUSTRIES = {s.value for s in Sector}
_PROCEDURE_KINDS = ("approval", "override")  # the end of an application's procedure
_ORDER = {"A": 0, "B": 1, "C": 2}


@dataclass(frozen=True)
class DecisionRow:
    """What the rule needs of one `grade_decision` row (with its application's status)."""

    id: int
    enterprise_id: int
    system: str
    industry: str
    grade: str
    kind: str
    application_status: str | None = None
    effective_from: date | None = None
    valid_until: date | None = None


def takes_effect(row: DecisionRow, on: date) -> bool:
    """Rule 2: has this decision taken effect by `on`?"""
    if (row.kind in _PROCEDURE_KINDS and row.application_status is not None
            and row.application_status != ApplicationStatus.EFFECTIVE.value):
        return False
    return row.effective_from is None or row.effective_from <= on


def in_validity(row: DecisionRow, on: date) -> bool:
    """Rule 4: within its validity on `on`."""
    return row.valid_until is None or on <= row.valid_until


def standing(rows: Iterable[DecisionRow], on: date) -> list[DecisionRow]:
    """Rules 1–4: per chain (enterprise × system × industry) the newest decision that took effect by `on`,
    if it is still valid on `on`; chains without one are absent."""
    key = lambda r: (r.enterprise_id, r.system, r.industry)  # noqa: E731
    out = []
    for _, chain in groupby(sorted(rows, key=lambda r: (*key(r), -r.id)), key=key):
        newest = next((r for r in chain if takes_effect(r, on)), None)
        if newest is not None and in_validity(newest, on):
            out.append(newest)
    return out


def decision_rows(enterprise_ids: list[int] | None, system: str | None = None) -> list[DecisionRow]:
    """Every `grade_decision` row of these enterprises (all when None) as the rule reads it."""
    stmt = (select(GradeDecision.id, GradeDecision.enterprise_id, GradeDecision.system, GradeDecision.industry,
                   GradeDecision.grade, GradeDecision.kind, GradeApplication.status, GradeDecision.effective_from,
                   GradeDecision.valid_until)
            .outerjoin(GradeApplication, GradeApplication.id == GradeDecision.application_id))
    if enterprise_ids is not None:
        stmt = stmt.where(GradeDecision.enterprise_id.in_(enterprise_ids))
    if system is not None:
        stmt = stmt.where(GradeDecision.system == system)
    return [DecisionRow(*r) for r in db.session.execute(stmt)]


def standing_grades(enterprise_ids: list[int] | None, on: date, system: str | None = None) -> list[DecisionRow]:
    """The decisions standing on `on` for these enterprises (all when None), one per chain."""
    if enterprise_ids is not None and not enterprise_ids:
        return []
    return standing(decision_rows(enterprise_ids, system), on)


def grade_facts(enterprise_ids: list[int], on: date) -> dict[int, dict[str, Any]]:
    """Staggered production: enterprise id → {emergency_grades?, staggering_tier?, benchmark_enterprise?,
    voc_class?}, every system's standing grade on `on`, kept apart (R-G-13) for the engine."""
    out: dict[int, dict[str, Any]] = {}
    for d in sorted(standing_grades(enterprise_ids, on), key=lambda r: (r.enterprise_id, r.industry, r.id)):
        facts = out.setdefault(d.enterprise_id, {})
        if d.system == GradeSystem.EMERGENCY.value:
            if d.industry in _INDUSTRIES:
                facts.setdefault("emergency_grades", []).append({"industry": d.industry, "grade": d.grade})
            if d.kind == "fraud":  # R-G-09 (003:17): every line C, no R-G-10 treatment (rule 5b)
                facts["ultra_low_evaluation_fraud"] = True
        elif d.system == GradeSystem.STAGGERING.value:
            facts["staggering_tier"] = d.grade
        elif d.system == GradeSystem.BENCHMARK.value:
            facts["benchmark_enterprise"] = d.grade == "benchmark"
        elif d.system == GradeSystem.VOC_CLASS.value:
            facts["voc_class"] = d.grade
    return out


def worst(grades: Iterable[str]) -> str | None:
    """Short-board: a multi-industry enterprise takes its worst emergency grade."""
    known = [g for g in grades if g in _ORDER]
    return max(known, key=_ORDER.__getitem__) if known else None


@dataclass(frozen=True)
class EmergencyStanding:
    """An enterprise's standing emergency grades: industry → grade, and whether a fraud finding stands."""

    grades: dict[str, str]
    fraud: bool = False

    def worst(self) -> str | None:
        return "C" if self.fraud else worst(self.grades.values())

    def for_line(self, industry: str | None) -> str | None:
        """Rule 5a: the line's industry's grade, else the enterprise's worst; C everywhere on fraud (R-G-09)."""
        if self.fraud:
            return "C"
        return self.grades.get(industry or "") or self.worst()

    def facts(self) -> dict[str, Any]:
        """For the evaluate contract: emergency_grades per industry and the fraud finding (docs/evaluate.md)."""
        out: dict[str, Any] = {}
        graded = [{"industry": i, "grade": g} for i, g in sorted(self.grades.items()) if i in _INDUSTRIES]
        if graded:
            out["emergency_grades"] = graded
        if self.fraud:
            out["ultra_low_evaluation_fraud"] = True
        return out


def emergency_standing_of(rows: Iterable[DecisionRow]) -> EmergencyStanding:
    """Standing emergency decisions of one enterprise (from `standing`) → its grades per industry."""
    mine = [r for r in rows if r.system == GradeSystem.EMERGENCY.value]
    return EmergencyStanding({r.industry: r.grade for r in mine}, any(r.kind == "fraud" for r in mine))


def emergency_standing(enterprise_ids: list[int] | None = None, on: date | None = None) -> dict[int, EmergencyStanding]:
    """Enterprise id → its standing emergency grades on `on` (default today in Beijing); ungraded ones are absent."""
    day = on or timeutil.beijing_today()
    by_ent: dict[int, list[DecisionRow]] = {}
    for d in standing_grades(enterprise_ids, day, GradeSystem.EMERGENCY.value):
        by_ent.setdefault(d.enterprise_id, []).append(d)
    return {ent: emergency_standing_of(rows) for ent, rows in by_ent.items()}


_ONE_STEP = {"A": "B", "B": "C", "C": "C"}


@dataclass(frozen=True)
class Downgrade:
    """One industry's change by a finding: the chain's head it supersedes, the grade standing before, the new one."""

    industry: str
    head: DecisionRow | None
    before: str | None
    grade: str


def downgrade(rows: Iterable[DecisionRow], on: date, kind: str, violation_rule: str, sector: str) -> list[Downgrade]:
    """Rule 5b, pure: what a finding of `kind` (fraud | violation) on `on` does to each emergency chain.

    Fraud → C in every industry the enterprise has a chain in (the enterprise's own sector when it has none);
    a violation → each standing grade (else the chain's newest, if still valid) one step down (or to C, per the
    local rule); a lapsed chain is left alone by a violation."""
    mine = [r for r in rows if r.system == GradeSystem.EMERGENCY.value]
    held = {r.industry: r for r in standing(mine, on)}
    heads: dict[str, DecisionRow] = {}
    for r in sorted(mine, key=lambda r: r.id):
        heads[r.industry] = r  # the newest row of each chain: what a new decision supersedes
    out = []
    for industry in sorted(heads):
        # the grade the finding lowers: the one standing, else one decided but not in force yet (its chain's
        # newest, still valid); a lapsed grade is no grade
        before = held.get(industry) or (heads[industry] if in_validity(heads[industry], on) else None)
        if kind == "fraud":
            out.append(Downgrade(industry, heads[industry], before.grade if before else None, "C"))
        elif before is not None:
            new = "C" if violation_rule == "to_c" else _ONE_STEP[before.grade]
            out.append(Downgrade(industry, heads[industry], before.grade, new))
    if kind == "fraud" and not out:
        out.append(Downgrade(sector, None, None, "C"))
    return out


def effective_grades(enterprise_ids: list[int] | None = None, on: date | None = None) -> dict[int, str]:
    """The enterprise's own emergency grade: enterprise id → worst standing emergency grade on `on` (default today
    in Beijing), C while a fraud finding stands; enterprises without one are absent (ungraded)."""
    return {ent: g for ent, s in emergency_standing(enterprise_ids, on).items() if (g := s.worst()) is not None}
