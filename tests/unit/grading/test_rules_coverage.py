"""Every rule id of DOMAIN.md §2 is either implemented (in a pack or rule) AND exercised (a scenario's output or a
test), or listed in docs/rules-coverage.md with the reason it is not machine-checkable."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from grading.contract import evaluate

REPO = Path(__file__).resolve().parents[3]
DOMAIN = REPO.parent / "shared" / "DOMAIN.md"
RULE_ID = re.compile(r"\b(R-[A-Z]+-\d+|X-\d{2}|F-\d{2}b?|D-\d{2})\b")


def domain_rule_ids() -> set[str]:
    text = DOMAIN.read_text(encoding="utf-8")
    section = text.split("\n## 2.", 1)[1].split("\n## 3.", 1)[0]
    return set(RULE_ID.findall(section))


def implemented_ids() -> set[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in (REPO / "grading").rglob("*") if p.suffix in (".py", ".yaml"))
    return set(RULE_ID.findall(text))


def exercised_ids() -> set[str]:
    ids: set[str] = set()
    for p in sorted((REPO / "tests" / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else [data]:
            if "error" in case["expected"]:
                continue
            ids |= set(RULE_ID.findall(str(evaluate(case["input"]))))
    for p in (REPO / "tests" / "unit" / "grading").glob("test_*.py"):
        if p.name != Path(__file__).name:
            ids |= set(RULE_ID.findall(p.read_text(encoding="utf-8")))
    return ids


def documented_ids() -> dict[str, str]:
    doc = REPO / "docs" / "rules-coverage.md"
    out = {}
    for row in doc.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) >= 2 and RULE_ID.fullmatch(cells[0].strip("`")) and cells[1]:
            out[cells[0].strip("`")] = cells[1]
    return out


@pytest.mark.skipif(not DOMAIN.exists(), reason=f"{DOMAIN} not found (CI keeps ../shared beside the checkout)")
def test_every_domain_rule_is_covered_or_explained():
    ids = domain_rule_ids()
    assert len(ids) > 100
    covered = implemented_ids() & exercised_ids()
    documented = documented_ids()
    missing = sorted(ids - covered - set(documented))
    assert missing == [], "neither implemented+exercised nor explained in docs/rules-coverage.md: " + ", ".join(missing)


@pytest.mark.skipif(not DOMAIN.exists(), reason=f"{DOMAIN} not found")
def test_coverage_doc_lists_only_real_rule_ids():
    assert set(documented_ids()) <= domain_rule_ids()
