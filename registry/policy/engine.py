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

from dataclasses import replace
from datetime import date
from typing import Any, Iterable

from grading.batch import enterprise_summary, evaluate_frame, frame_from_documents, line_decisions_over
from grading.contract import decision_to_dict
from grading.decisions import EnterpriseDecision, EnterpriseSummary, LineDecision, to_jsonable
from grading.engine import evaluate_enterprise as _evaluate
from grading.errors import ContractError, FieldError
from grading.facts import Query, decisions_from_list, enterprise_from_dict
from grading.packs import Pack, get_pack
from grading.vocab import AlertLevel

__all__ = [
    "ContractError", "EnterpriseSummary", "LineDecision", "decide", "decide_many", "evaluate_enterprise", "evaluate_many",
    "frame_from_documents", "line_decisions_over", "to_jsonable",
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


def decide_many(facts: list[dict[str, Any]], pack: str | Pack, on: date, level: str = "none", *, shared: bool = False
                ) -> list[tuple[EnterpriseSummary, list[tuple[str, LineDecision]]]]:
    """Many enterprises through the engine's BATCH path (grading.batch.evaluate_frame: decide_line once per distinct
    fact profile, the summary pieces once per distinct set of the facts they read), in input order.

    Each item is (the enterprise's summary, [(line id, decision)]): the decisions are the frame's SHARED objects,
    one per profile, without their line id (so a caller can convert each distinct decision once). With `shared`,
    the summary is the frame's shared line-independent part too (grades, transport, ratios, reasons — no strictest
    line, no residual obligations): what a fan-out of orders reads. An enterprise without lines has no row in the
    frame; it is decided alone (the same rules)."""
    chosen, query = _pack_query(pack, on, level, None)
    facts = list(facts)
    # enterprise ids must be unique inside one frame: keyed by position
    docs = [{"enterprise": dict(f, enterprise_id=str(n))} for n, f in enumerate(facts) if f.get("lines")]
    out: list[Any] = [None] * len(facts)
    if docs:
        lines, ents = evaluate_frame(frame_from_documents(docs), chosen, on, level)
        by_ent = lines.groupby("enterprise_id", sort=False).indices
        line_ids, decisions = lines["line_id"].tolist(), lines["decision"].tolist()
        for row in ents.to_dict("records"):
            n = row["enterprise_id"]
            out[int(n)] = (row["part"] if shared else enterprise_summary(row),
                           [(line_ids[j], decisions[j]) for j in by_ent[n].tolist()])
    for n, f in enumerate(facts):
        if out[n] is None:
            alone = _evaluate(chosen, query, enterprise_from_dict(f))
            out[n] = (alone.summary, [])
    return out


def evaluate_many(facts: Iterable[dict[str, Any]], pack: str | Pack, on: date, level: str = "none") -> list[dict[str, Any]]:
    """Many enterprises under one pack, date and level through the batch path (decide_many), each answer in the
    contract's output shape - equal to evaluate_enterprise one by one (tests/integration/test_policy_door.py)."""
    chosen, query = _pack_query(pack, on, level, None)
    facts = list(facts)
    out = []
    for f, (summary, lines) in zip(facts, decide_many(facts, chosen, on, level)):
        result = EnterpriseDecision(str(f.get("enterprise_id", "")), tuple(replace(d, line_id=i) for i, d in lines), summary)
        out.append(decision_to_dict(chosen, query, result))
    return out
