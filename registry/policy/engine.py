"""Typed in-process calls into the engine: one enterprise, or many (issue 15 item 1).

The public JSON door (`grading.contract.evaluate`, behind POST /api/v1/evaluate and `flask evaluate`) validates
every document against the JSON Schema: right for strangers' input, wasted work for facts the registry itself
built through registry/policy/facts.py. Internal callers (emergency floors and orders, schedules, grades,
supervision) come here instead: the facts go straight to the engine's typed functions and the answer has the
contract's output shape, so nothing downstream changes. Only the checks that the engine relies on and the
registry cannot guarantee (a known pack, a date inside its period, an alert level it defines) are kept; they
raise the contract's own ContractError.

The schedules' batch path (grading.batch) is re-exported from here as well, so `grading/` has one door.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from grading.batch import frame_from_documents, line_decisions_over
from grading.contract import decision_to_dict
from grading.decisions import EnterpriseDecision, LineDecision, to_jsonable
from grading.engine import evaluate_enterprise as _evaluate
from grading.errors import ContractError, FieldError
from grading.facts import Query, decisions_from_list, enterprise_from_dict
from grading.packs import Pack, get_pack
from grading.vocab import AlertLevel

__all__ = [
    "ContractError", "LineDecision", "decide", "evaluate_enterprise", "evaluate_many", "frame_from_documents",
    "line_decisions_over", "to_jsonable",
]


def _pack_query(pack: str | Pack, on: date, level: str, decisions: list[dict] | None) -> tuple[Pack, Query]:
    chosen = pack if isinstance(pack, Pack) else get_pack(pack)
    if chosen is None:
        raise ContractError([FieldError("pack", "unknown_pack", pack, ())])
    if not chosen.period_start <= on < chosen.period_end:
        raise ContractError([FieldError("date", "date_outside_period", on.isoformat(), (),
                                        f"{chosen.period_start.isoformat()} – {chosen.period_end.isoformat()} (exclusive)")])
    if level not in AlertLevel.codes() or AlertLevel(level) not in chosen.alert_levels:
        raise ContractError([FieldError("alert_level", "not_allowed", level, tuple(lv.value for lv in chosen.alert_levels))])
    return chosen, Query(pack_id=chosen.id, on=on, alert_level=AlertLevel(level),
                         official_decisions=decisions_from_list(decisions or []))


def decide(facts: dict[str, Any], pack: str | Pack, on: date, level: str = "none",
           decisions: list[dict] | None = None) -> EnterpriseDecision:
    """The engine's typed decision for one enterprise's facts (registry/policy/facts.enterprise_facts)."""
    chosen, query = _pack_query(pack, on, level, decisions)
    return _evaluate(chosen, query, enterprise_from_dict(facts))


def evaluate_enterprise(facts: dict[str, Any], pack: str | Pack, on: date, level: str = "none",
                        decisions: list[dict] | None = None) -> dict[str, Any]:
    """One enterprise, the answer in the evaluate contract's output shape (docs/evaluate.md), no schema pass."""
    chosen, query = _pack_query(pack, on, level, decisions)
    return decision_to_dict(chosen, query, _evaluate(chosen, query, enterprise_from_dict(facts)))


def evaluate_many(facts: Iterable[dict[str, Any]], pack: str | Pack, on: date, level: str = "none") -> list[dict[str, Any]]:
    """Many enterprises under one pack, date and level: the pack and query are resolved once."""
    chosen, query = _pack_query(pack, on, level, None)
    return [decision_to_dict(chosen, query, _evaluate(chosen, query, enterprise_from_dict(f))) for f in facts]
