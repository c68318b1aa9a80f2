"""The verification checks (issue 19) as the registry calls them: the one door to `grading.rules.compliance`.

The compliance domain (registry/compliance/) aggregates readings with DuckDB and hands plain numbers here; this
module picks the pack, runs the pure check and returns plain dicts (the anomaly's evidence, its reasons and the
settings it read), so nothing outside registry.policy imports grading beyond vocab.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from grading.packs import get_pack
from grading.rules import compliance as _rules

CHECKS = _rules.CHECKS
SEVERITIES = _rules.SEVERITIES
RULES = {k: {"rule": v["rule"], "source": v["source"], "also": tuple(v["also"]), "applies": tuple(v["applies"])}
         for k, v in _rules.RULES.items()}
DEFAULT_SETTINGS = {k: dict(v) for k, v in _rules.DEFAULTS.items()}


def run(pack_id: Optional[str], check: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """One check on aggregated numbers → {check, rule, anomaly, severity, applicable, params, reasons, settings}."""
    pack = get_pack(pack_id) if pack_id else None
    return _rules.run(pack, check, data).as_dict()


def run_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario library's document form: {pack, check, data}."""
    return run(doc.get("pack"), str(doc["check"]), doc.get("data", {}))


def ban_levels(pack_id: str) -> Optional[tuple[str, ...]]:
    """Alert levels at which the pack's transport ban applies; None when it has none."""
    return _rules.ban_levels(get_pack(pack_id))


def setting_value(pack_id: Optional[str], name: str) -> Any:
    return _rules.setting(get_pack(pack_id) if pack_id else None, name).value


def settings_used(pack_id: Optional[str], names: Iterable[str]) -> list[dict[str, Any]]:
    pack = get_pack(pack_id) if pack_id else None
    return [_rules.setting(pack, n).as_dict() for n in names]
