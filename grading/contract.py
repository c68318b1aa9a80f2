"""The evaluate contract (评估接口): the engine's stable public face, JSON in and JSON out.

`evaluate(document)` validates the document (grading/schemas/evaluate-input.schema.json plus pack,
period and alert-level checks), runs the per-enterprise rules and returns a JSON-serialisable dict
(grading/schemas/evaluate-output.schema.json). Bad input raises ContractError with every field error.
Changes to this contract are additive only (docs/evaluate.md).
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from grading.decisions import EnterpriseDecision, to_jsonable
from grading.engine import evaluate_enterprise
from grading.errors import ContractError, FieldError
from grading.facts import Query, decisions_from_list, enterprise_from_dict
from grading.packs import Pack, get_pack, load_packs
from grading.vocab import AlertLevel, Pollutant

CONTRACT_VERSION = "1.0"
SCHEMA_DIR = Path(__file__).parent / "schemas"


@lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _plain(obj: Any) -> Any:
    """YAML gives dates as date objects; the contract speaks ISO strings."""
    if isinstance(obj, dict):
        return {str(k) if not isinstance(k, date) else k.isoformat(): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def _schema_errors(doc: Any) -> list[FieldError]:
    out = []
    for e in sorted(_validator("evaluate-input").iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        path = _path(e.absolute_path)
        if e.validator == "enum":
            out.append(FieldError(path, "not_allowed", e.instance, tuple(x for x in e.validator_value if x is not None)))
        elif e.validator == "required":
            missing = [r for r in e.validator_value if not isinstance(e.instance, dict) or r not in e.instance]
            for m in missing:
                out.append(FieldError(f"{path}.{m}" if path else m, "required", None, (), m))
        elif e.validator == "type":
            out.append(FieldError(path, "wrong_type", e.instance, (), e.validator_value))
        elif e.validator == "additionalProperties":
            allowed = tuple(sorted(e.schema.get("properties", {})))
            extra = [k for k in e.instance if k not in e.schema.get("properties", {})]
            for k in extra:
                out.append(FieldError(f"{path}.{k}" if path else k, "unknown_field", k, allowed, k))
        elif e.validator == "pattern":
            out.append(FieldError(path, "bad_date", e.instance))
        elif e.validator == "propertyNames":
            out.append(FieldError(path, "not_allowed", e.instance, tuple(Pollutant.codes())))
        elif e.validator in ("minimum", "maximum", "minItems", "minLength"):
            out.append(FieldError(path, "out_of_range", e.instance, (), f"{e.validator} {e.validator_value}"))
        else:
            out.append(FieldError(path, "invalid", e.instance, (), e.message))
    return out


def _date_errors(doc: dict) -> list[FieldError]:
    out = []

    def walk(node, parts):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, parts + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, parts + [i])
        elif isinstance(node, str) and parts and str(parts[-1]) in {"date", "status_reached_on", "found_unlisted_on", "livelihood_filed_on"}:
            try:
                date.fromisoformat(node)
            except ValueError:
                out.append(FieldError(_path(parts), "bad_date", node))
    walk(doc, [])
    return out


def _hashable(value: Any) -> Any:
    """A set key equal for equal JSON values (a wrong-typed id may be a list or an object)."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else value


def validate(document: Any) -> tuple[Pack, Query, dict]:
    """Check a document; return (pack, query, enterprise dict) or raise ContractError listing every problem."""
    doc = _plain(document)
    if not isinstance(doc, dict):
        raise ContractError([FieldError("$", "wrong_type", type(doc).__name__, (), "object")])
    errors = _schema_errors(doc) + _date_errors(doc)
    packs = load_packs()
    pack = get_pack(doc["pack"]) if isinstance(doc.get("pack"), str) else None
    if "pack" in doc and isinstance(doc["pack"], str) and pack is None:
        errors.append(FieldError("pack", "unknown_pack", doc["pack"], tuple(sorted(packs))))
    if pack and not any(e.path == "date" for e in errors) and isinstance(doc.get("date"), str):
        d = date.fromisoformat(doc["date"])
        if not pack.period_start <= d < pack.period_end:
            errors.append(FieldError("date", "date_outside_period", doc["date"], (),
                                     f"{pack.period_start.isoformat()} – {pack.period_end.isoformat()} (exclusive)"))
    if pack and doc.get("alert_level") in AlertLevel.codes() and AlertLevel(doc["alert_level"]) not in pack.alert_levels:
        errors.append(FieldError("alert_level", "not_allowed", doc["alert_level"], tuple(l.value for l in pack.alert_levels)))
    ent = doc.get("enterprise") if isinstance(doc.get("enterprise"), dict) else {}
    lines = ent.get("lines") if isinstance(ent.get("lines"), list) else []
    ids = [l.get("line_id") for l in lines if isinstance(l, dict)]
    seen: set = set()  # a set, not ids.index(): that made 40,000 lines cost minutes (issue 13 High 1)
    for i, lid in enumerate(ids):
        if lid is not None:
            key = _hashable(lid)
            if key in seen:
                errors.append(FieldError(f"enterprise.lines[{i}].line_id", "duplicate_line", lid))
            seen.add(key)
    decisions = doc.get("official_decisions")  # a wrong type is already reported by the schema check
    for i, d in enumerate(decisions if isinstance(decisions, list) else []):
        if isinstance(d, dict) and d.get("line") is not None and _hashable(d["line"]) not in seen:
            errors.append(FieldError(f"official_decisions[{i}].line", "unknown_line", d["line"], tuple(x for x in ids if x)))
    if errors:
        raise ContractError(errors)
    query = Query(pack_id=pack.id, on=date.fromisoformat(doc["date"]), alert_level=AlertLevel(doc["alert_level"]),
                  official_decisions=decisions_from_list(doc.get("official_decisions", [])),
                  emergency_resplit=tuple(sorted((Pollutant(k), float(v)) for k, v in (doc.get("emergency_resplit") or {}).items())))
    return pack, query, ent


def decision_to_dict(pack: Pack, query: Query, result: EnterpriseDecision) -> dict:
    """Serialise an EnterpriseDecision to the output contract (pairs become objects)."""
    summary = to_jsonable(result.summary)
    summary["emergency_ratios"] = dict(summary["emergency_ratios"])
    summary["emergency_baseline"] = dict(summary["emergency_baseline"])
    summary["grades"]["emergency_by_industry"] = dict(summary["grades"]["emergency_by_industry"])
    return {
        "contract_version": CONTRACT_VERSION, "pack": pack.id, "date": query.on.isoformat(),
        "alert_level": query.alert_level.value, "enterprise_id": result.enterprise_id,
        "lines": to_jsonable(result.lines), "summary": summary,
    }


def evaluate(document: dict) -> dict:
    """Evaluate one enterprise: {pack, date, alert_level, enterprise: {…, lines: […]}, official_decisions?}."""
    pack, query, ent = validate(document)
    try:
        facts = enterprise_from_dict(ent)
    except (ValueError, KeyError, TypeError) as exc:  # schema should have caught it; never a traceback
        raise ContractError([FieldError("enterprise", "invalid", None, (), str(exc))]) from None
    return decision_to_dict(pack, query, evaluate_enterprise(pack, query, facts))


def list_packs() -> list[dict]:
    """Every policy pack: id, title, jurisdiction, source, period start/end (end exclusive), alert levels."""
    return [p.summary() for p in load_packs().values()]
