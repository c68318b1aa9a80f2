"""What the engine returns: per-line decisions (决定) with reasons and flags, and the enterprise summary.

A `Reason` cites a rule id and source line exactly as DOMAIN.md does (`R-JY-04`, `002:595`).
A `Flag` marks what the sources leave to an official ([AMBIGUOUS], 可, 原则上, open lists 等):
it carries the options and the default the engine applied, so nothing is picked silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from grading.vocab import Basis, Measure


@dataclass(frozen=True)
class Reason:
    """Why: one rule with its source line (规则编号 + 出处). `note` is English; where the engine says it as a code
    (grading/notes.py), `code` + `params` carry it too, so pages render it in the reader's language."""

    rule: str
    source: str
    note: str = ""
    code: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form: rule, source, note; code and params ({name: value}) only where the note has a code."""
        out: dict[str, Any] = {"rule": self.rule, "source": self.source, "note": self.note}
        if self.code:
            out["code"] = self.code
            out["params"] = {k: to_jsonable(v) for k, v in self.params}
        return out


@dataclass(frozen=True)
class Flag:
    """A point an official must resolve (须由主管部门决定). `default` is what the engine applied meanwhile.
    `message` is English for the JSON contract and the logs; `code` + `params` are what pages render in the
    reader's language (registry/policy/labels.py, vocabularies "engine.flag" and "engine.flag_detail")."""

    code: str
    rule: str
    source: str
    message: str
    options: tuple[str, ...] = ()
    default: Optional[str] = None
    line: Optional[str] = None
    params: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form; `params` ({name: value}) only where the flag's explanation has parameters."""
        out = {k: to_jsonable(getattr(self, k)) for k in ("code", "rule", "source", "message", "options", "default", "line")}
        if self.params:
            out["params"] = {k: to_jsonable(v) for k, v in self.params}
        return out


@dataclass(frozen=True)
class AppliedDecision:
    """An official's recorded choice that the engine applied, cited like a rule."""

    flag: str
    choice: str
    by: str
    reason: str
    rule: str
    source: str
    line: Optional[str] = None


@dataclass(frozen=True)
class Window:
    """A half-open date window [start, end)."""

    start: date
    end: date

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end


@dataclass(frozen=True)
class LineDecision:
    """The decision for one production line on one date at one alert level."""

    line_id: str
    measure: Measure
    percentage_min: Optional[float] = None
    percentage_max: Optional[float] = None
    basis: Optional[Basis] = None
    coking_time_hours: Optional[float] = None
    windows: tuple[Window, ...] = ()
    reasons: tuple[Reason, ...] = ()
    flags: tuple[Flag, ...] = ()
    applied_decisions: tuple[AppliedDecision, ...] = ()
    residual_obligations: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class TransportRestriction:
    """A truck restriction applying to the enterprise today (错峰运输, R-TR / §2.13)."""

    rule: str
    source: str
    restriction: str
    minimum_standard: Optional[str] = None
    exceptions: tuple[str, ...] = ()
    vehicles_not_allowed: tuple[str, ...] = ()
    in_principle: bool = False  # 原则上: the default of the clause; an official may allow a case (issue 14 point 2)


@dataclass(frozen=True)
class Grades:
    """Grades kept apart by system (DESIGN.md §3): never one field."""

    emergency: Optional[str] = None  # A/B/C (003:51) after short-board, multi-industry and fraud rules
    emergency_by_industry: tuple[tuple[str, str], ...] = ()
    staggering_tier: Optional[str] = None  # 004:389
    benchmark: Optional[bool] = None  # 001:99
    voc_class: Optional[str] = None  # 004:350, a remediation order, not a grade
    eligible: bool = True  # passes the gate of R-E-01/02/03


@dataclass(frozen=True)
class EnterpriseSummary:
    strictest_line: Optional[str]
    strictest_measure: Measure
    grades: Grades
    residual_obligations: tuple[Reason, ...] = ()
    transport: tuple[TransportRestriction, ...] = ()
    emergency_ratios: tuple[tuple[str, float], ...] = ()  # pollutant → % of society-wide base
    emergency_ratios_in_principle: tuple[str, ...] = ()  # pollutants whose ratio is set 原则上 (004:381)
    emergency_reasons: tuple[Reason, ...] = ()
    emergency_baseline: tuple[tuple[str, float], ...] = ()  # pollutant → annual base (002:582)
    emergency_list: Optional[str] = None  # on / off_in_principle
    eligibility_reasons: tuple[Reason, ...] = ()  # which gate conditions fail (R-E-01/02/03)
    flags: tuple[Flag, ...] = ()
    applied_decisions: tuple[AppliedDecision, ...] = ()


@dataclass(frozen=True)
class EnterpriseDecision:
    enterprise_id: str
    lines: tuple[LineDecision, ...]
    summary: EnterpriseSummary


def to_jsonable(obj: Any) -> Any:
    """Dataclasses → plain JSON types (enums to their codes, dates to ISO strings)."""
    if isinstance(obj, (Reason, Flag)):
        return obj.as_dict()
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(obj, k)) for k in obj.__dataclass_fields__}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, str):
        return str(obj.value) if hasattr(obj, "value") else obj
    return obj
