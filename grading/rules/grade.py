"""Emergency performance grade A/B/C (应急绩效分级, 003:51) and what each grade does at an alert.

Short-board principle: an industry's grade is its worst indicator's; each line takes its own industry's grade
(a line of an industry without one takes the enterprise's worst, said so) and the summary shows every industry and
the worst; fraud in the ultra-low evaluation lowers every industry to C (R-G-09, 003:17). Only this system's grade
is read here: the Shijiazhuang VOC class (R-G-13) and staggering tiers live elsewhere.
"""
from __future__ import annotations

from typing import Optional

from grading import notes
from grading.decisions import Reason
from grading.facts import EnterpriseFacts, IndustryGrade, LineFacts
from grading.rules.base import Context, Proposal, applied, coded, flag, line_sector, reason
from grading.rules.eligibility import failed_conditions
from grading.vocab import Basis, EmergencyGrade, Measure

_ORDER = [EmergencyGrade.A, EmergencyGrade.B, EmergencyGrade.C]


def worst(grades) -> Optional[EmergencyGrade]:
    gs = [g for g in grades if g is not None]
    return max(gs, key=_ORDER.index) if gs else None


def industry_grade(g: IndustryGrade) -> Optional[EmergencyGrade]:
    """Short-board principle (短板原则): the worst indicator decides; else the stated grade."""
    if g.indicators:
        return worst([v for _, v in g.indicators] + ([g.grade] if g.grade else []))
    return g.grade


def grades_by_industry(ent: EnterpriseFacts) -> tuple[tuple[str, str], ...]:
    """Each industry's grade; a fraud finding (R-G-09, 003:17) lowers every one of them to C."""
    return tuple((g.industry.value, EmergencyGrade.C.value if ent.ultra_low_evaluation_fraud else industry_grade(g).value)
                 for g in ent.emergency_grades if industry_grade(g))


def line_grade(ent: EnterpriseFacts, sector) -> tuple[Optional[EmergencyGrade], tuple[Reason, ...]]:
    """The grade a line takes (issue 14 point 4): its OWN industry's grade (003:51 grades enterprises per
    industry), so a steel-A + coking-C enterprise's blast furnace is A and its coke oven C. Fraud lowers every
    industry to C (R-G-09). A line whose industry has no grade on record takes the worst of the enterprise's
    grades (the stricter answer), said so."""
    if ent.ultra_low_evaluation_fraud:
        return worst_with_fraud(ent.emergency_grades, True)
    own = [g for g in ent.emergency_grades if g.industry == sector and industry_grade(g)]
    if own:
        g = worst(industry_grade(x) for x in own)
        note = f"the line is graded in its own industry ({sector.value}: {g.value})"
        if len({x.industry for x in ent.emergency_grades}) > 1:
            note += "; the enterprise's other industries keep their own grades"
        return g, (Reason("R-G-02", "003:51", note),)
    g = worst(industry_grade(x) for x in ent.emergency_grades)
    if g is None:
        return None, ()
    return g, (Reason("R-G-02", "003:51", f"no grade on record for the line's industry ({sector.value}): the "
                      f"enterprise's worst industry grade ({g.value}) applies"),)


def enterprise_grade(ent: EnterpriseFacts) -> tuple[Optional[EmergencyGrade], tuple[Reason, ...]]:
    """The enterprise's emergency grade: worst industry grade; C on fraud (R-G-09 / F-16)."""
    return worst_with_fraud(ent.emergency_grades, ent.ultra_low_evaluation_fraud)


def worst_with_fraud(emergency_grades, fraud: bool) -> tuple[Optional[EmergencyGrade], tuple[Reason, ...]]:
    """Worst industry grade (short-board across industries), lowered to C on fraud (R-G-09, 003:17)."""
    g = worst(industry_grade(x) for x in emergency_grades)
    if fraud:
        return EmergencyGrade.C, (notes.note_reason("R-G-09", "003:17", "grade.fraud_to_c"),
                                  Reason("F-16", "003:17"))
    return g, ()


def emergency_measure(ctx: Context, line: LineFacts) -> Optional[Proposal]:
    """Alert-day measure from the grade (003:51); None when the pack has no grading or no alert."""
    spec = ctx.pack.section("emergency_grading")
    if not spec or not ctx.alert or failed_conditions(ctx):
        return None
    sector = line_sector(ctx, line)
    if sector.value not in spec["industries"]["value"]:
        node = spec["other_key_industries"]
        return Proposal(Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=(reason(node),),
                        flags=(flag("other_key_industry_measures", node,
                                    "Not one of the 15 graded industries: the province's unified measures or own grading "
                                    "apply (R-G-06); non-key industries get local measures (R-G-07).",
                                    ("provincial_unified_measures", "provincial_grading", "local_measures"), None),))
    grade, why = line_grade(ctx.enterprise, sector)
    why = why + (coded(spec["industries"], "grade.graded_industry", sector=sector.value),)
    if line.emission_status.value == "ultra_low" and not ctx.enterprise.ultra_low_evaluation_fraud:
        # R-G-10 / X-17, 003:17; a fraud finding cancels the preferential treatment (R-G-09), so it is not cited
        why = why + (coded(spec["ultra_low_incentive"], "grade.ultra_low_incentive"),)
    extra = []
    util = spec.get("utilisation_raise")
    if (util and sector.value in util["sectors"] and ctx.enterprise.capacity_utilisation_2018 is not None
            and ctx.enterprise.capacity_utilisation_2018 > util["utilisation_above"]):
        extra.append(flag("utilisation_raise", util,
                          f"2018 capacity utilisation {ctx.enterprise.capacity_utilisation_2018} % > "
                          f"{util['utilisation_above']} %: the curtailment ratio may be raised (可适当提高); increment not given.",
                          ("raise", "keep"), None, utilisation=ctx.enterprise.capacity_utilisation_2018,
                          above=util["utilisation_above"]))
    if grade is None:
        node = spec["dynamic"]
        return Proposal(Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=why + (coded(node, "grade.no_grade"),),
                        flags=tuple(extra) + (flag("grade_missing", node, "Graded industry but no A/B/C grade on record.",
                                                   ("A", "B", "C"), None),))
    if grade == EmergencyGrade.A:
        node = spec["grade_a"]
        fl = flag("grade_a_no_reduction", node,
                  "A grade: in principle (原则上) may take no reduction measures; an official may decide otherwise.",
                  ("no_reduction", "emergency_list_measures"), "no_reduction")
        d = ctx.decision(fl.code)
        if d and d.choice == "emergency_list_measures":
            return Proposal(Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=why + (reason(node),),
                            applied=(applied(d, node),), flags=tuple(extra))
        p = Proposal(Measure.NONE, reasons=why + (reason(node), Reason("X-16", "003:51")), flags=tuple(extra))
        return p.plus(applied=(applied(d, node),)) if d else p.plus(flags=(fl,))
    if grade == EmergencyGrade.B:
        node = spec["grade_b"]
        return Proposal(Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=why + (reason(node),),
                        flags=tuple(extra) + (flag("grade_b_reduction_size", node,
                                                   "B grade: appropriately reduced measures (适当减少); no figure in the "
                                                   "sources, an official enters it.", ("enter_reduced_measures",), None),))
    node = spec["grade_c"]
    return Proposal(Measure.CURTAIL, basis=Basis.EMERGENCY_LIST, reasons=why + (reason(node),),
                    flags=tuple(extra) + (flag("grade_c_measures_undefined", node,
                                               "C grade: measures not defined in the sources; default = the full "
                                               "emergency-list measures of the one-plant-one-policy.",
                                               ("full_emergency_list",), "full_emergency_list"),))


# ---- proposing a grade from indicator answers (criteria packs, grading/criteria/*.yaml) ----

from dataclasses import dataclass  # noqa: E402
from typing import Any, Mapping, Sequence  # noqa: E402

from grading.criteria import Criteria  # noqa: E402

# R-E-01 (003:52): an enterprise failing one of these is not graded at all (不纳入绩效分级范畴).
EXCLUSION_CONDITIONS = ("stably_compliant", "meets_permit_requirements", "autumn_winter_tasks_done")


@dataclass(frozen=True)
class IndicatorResult:
    """One answered indicator: its grade and the clause that gave it (or why it fell to C)."""

    industry: str
    key: str
    answer: Any
    grade: EmergencyGrade
    rule: str
    source: str
    local_setting: bool
    note: str
    code: str = ""  # grading/notes.py: the note as a code with params, rendered by the pages
    params: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The stored form (grade decisions' `indicators`): params as {name: value}."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["params"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params}
        return out


@dataclass(frozen=True)
class GradeProposal:
    """What the rules would give: None when excluded (R-E-01), else the worst industry grade."""

    grade: Optional[EmergencyGrade]
    by_industry: tuple[tuple[str, EmergencyGrade], ...]
    indicators: tuple[IndicatorResult, ...]
    reasons: tuple[Reason, ...]
    excluded: tuple[str, ...] = ()


def grade_indicators(criteria: Criteria, answers: Mapping[str, Any]) -> tuple[IndicatorResult, ...]:
    out = []
    for ind in criteria.indicators:
        answer = answers.get(ind.key)
        g, t = ind.grade(answer)
        if t is None:  # fell to C: cite the B threshold it missed
            missed = ind.b
            note = (notes.note_parts("grade.no_answer") if answer in (None, "")
                    else notes.note_parts("grade.below_b", value=missed.value))
            out.append(IndicatorResult(criteria.id, ind.key, answer, g, missed.rule, missed.source, missed.local_setting,
                                       *note))
        else:
            out.append(IndicatorResult(criteria.id, ind.key, answer, g, t.rule, t.source, t.local_setting,
                                       *notes.note_parts("grade.meets", grade=g.value, value=t.value)))
    return tuple(out)


def propose_grade(industries: Sequence[tuple[Criteria, Mapping[str, Any]]], *, fraud: bool = False,
                  failed: Sequence[str] = ()) -> GradeProposal:
    """Short-board per industry, worst across industries (003:51), fraud → C (R-G-09), R-E-01 → ungraded."""
    results: list[IndicatorResult] = []
    graded: list[IndustryGrade] = []
    for criteria, answers in industries:
        rs = grade_indicators(criteria, answers)
        results.extend(rs)
        graded.append(IndustryGrade(industry=criteria.industry, indicators=tuple((r.key, r.grade) for r in rs)))
    by_industry = tuple((g.industry.value, industry_grade(g)) for g in graded if industry_grade(g))
    if failed:
        return GradeProposal(None, by_industry, tuple(results), (
            notes.note_reason("R-E-01", "003:52", "grade.excluded", conditions=list(failed)),), tuple(failed))
    grade, why = worst_with_fraud(graded, fraud)
    reasons = tuple(why) + (notes.note_reason("R-G-02", "003:51", "grade.short_board"),)
    return GradeProposal(grade, by_industry, tuple(results), reasons)
