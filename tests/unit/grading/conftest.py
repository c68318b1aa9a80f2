"""Helpers for the engine's unit tests (no DB, no Flask): build evaluate documents tersely."""
from __future__ import annotations

import pytest

from grading.contract import evaluate


def doc(pack: str, date: str, lines: list[dict], level: str = "none", decisions=None, **enterprise) -> dict:
    enterprise.setdefault("enterprise_id", "e1")
    enterprise.setdefault("sector", "other")
    d = {"pack": pack, "date": date, "alert_level": level, "enterprise": dict(enterprise, lines=lines)}
    if decisions:
        d["official_decisions"] = decisions
    return d


def run(*args, **kwargs) -> dict:
    return evaluate(doc(*args, **kwargs))


def line(out: dict, line_id: str | None = None) -> dict:
    return out["lines"][0] if line_id is None else next(l for l in out["lines"] if l["line_id"] == line_id)


def flag_codes(item: dict) -> set[str]:
    return {f["code"] for f in item["flags"]}


def rules(item: dict) -> set[str]:
    return {r["rule"] for r in item["reasons"]}


@pytest.fixture
def h():
    """The helpers above as one namespace (import-mode=importlib: test modules cannot import conftest)."""
    from types import SimpleNamespace
    return SimpleNamespace(doc=doc, run=run, line=line, flag_codes=flag_codes, rules=rules)
