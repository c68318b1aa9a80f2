"""A notice's legal basis (依据): the engine's reasons listed once per document and clause, in words.

`cite("000:129")` names the document and the place in it (registry/core/citations.py); the rule ids stay
available on hover (`rules`), never in the body (issue 16).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from registry.core.citations import cite

LOCAL_SETTING = "local setting"  # a pack's own reading, outside the source documents


def citation(source: str) -> str:
    if not source or source == LOCAL_SETTING:
        return _("The policy pack's local setting (not stated in the source documents)")
    return cite(source)


def basis_of(reasons: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{rule, source, …}] → [{citation, rules}], one entry per citation in first-seen order."""
    out: dict[str, list[str]] = {}
    for r in reasons:
        rules = out.setdefault(citation(str(r.get("source") or "")), [])
        if r.get("rule") and str(r["rule"]) not in rules:
            rules.append(str(r["rule"]))
    return [{"citation": c, "rules": rules} for c, rules in out.items()]
