"""Issue 15 item 2, "done when": `grep -rn "session.commit" registry/` finds only the unit of work.

Views, API modules, CLIs, the token loader and the generation worker commit through
registry/core/unit_of_work.py (the request hook, @unit_of_work.command, transaction()); nothing else
in the package calls `commit()` on a session.
"""
from __future__ import annotations

import re
from pathlib import Path

REGISTRY = Path(__file__).resolve().parents[2] / "registry"
ALLOWED = {REGISTRY / "core" / "unit_of_work.py"}
COMMIT = re.compile(r"session\.commit|(?<!unit_of_work)\.commit\(\)")  # unit_of_work.commit(): the mechanism itself


def test_only_the_unit_of_work_commits():
    found = [f"{path.relative_to(REGISTRY.parent)}:{n}: {line.strip()}"
             for path in sorted(REGISTRY.rglob("*.py")) if path not in ALLOWED
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if COMMIT.search(line)]
    assert found == []


def test_the_unit_of_work_is_where_the_commit_is():
    text = (REGISTRY / "core" / "unit_of_work.py").read_text(encoding="utf-8")
    assert text.count("db.session.commit()") == 1
