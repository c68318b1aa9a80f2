"""Build registry/core/data/source_clauses.json: for each source document, where its clauses start.

Decisions cite the sources as file:line ("000:129"); readers need the clause in words (issue 16:
《廊坊市…方案》（十二）第32条). This script reads /work/shared/sources/*.txt (or the directory given) and records,
per file, every line where the enclosing heading changes: the part (一、), the section (（十二）) and the item
(32. / 1． / a task number of a ledger). `registry.core.citations.cite` finds the nearest entry at or before a line.

    python scripts/source_clauses.py [SOURCES_DIR]

Output: {"000": [[line, part, section, item], ...], ...} with '' for a level not set; parts and sections as the
document writes them (一 / 十二), items as digits. Committed, so the app never reads the sources at run time.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "registry" / "core" / "data" / "source_clauses.json"
DEFAULT_SOURCES = Path("/work/shared/sources")

NUMERAL = "一二三四五六七八九十百"
PART = re.compile(rf"^\s*([{NUMERAL}]+)[、．.]")
PART_ALONE = re.compile(rf"^\s*([{NUMERAL}]+)\s*$")  # a ledger's category number on its own line
SECTION = re.compile(rf"^\s*[（(]([{NUMERAL}]+)[）)]")
ITEM = re.compile(r"^\s*(\d{1,3})\s*[.．、](?!\d)")
TASK = re.compile(r"^\s*(\d{1,3})\s*(?:—\s*\d+\s*—)?\s*$")  # a ledger's task number (page marks after it)


def clauses(text: str) -> list[list]:
    """[[line, part, section, item], ...] at every line where the enclosing clause changes (lines 1-based)."""
    part = section = item = ""
    out: list[list] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if m := PART.match(line) or PART_ALONE.match(line):
            part, section, item = m.group(1), "", ""
        elif m := SECTION.match(line):
            section, item = m.group(1), ""
        elif m := ITEM.match(line) or TASK.match(line):
            item = m.group(1)
        else:
            continue
        state = [part, section, item]
        if not out or out[-1][1:] != state:
            out.append([number, *state])
    return out


def build(sources: Path) -> dict[str, list[list]]:
    return {path.name[:3]: clauses(path.read_text(encoding="utf-8"))
            for path in sorted(sources.glob("[0-9][0-9][0-9]_*.txt"))}


def main(argv: list[str]) -> int:
    sources = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCES
    data = build(sources)
    if not data:
        print(f"no source files in {sources}", file=sys.stderr)
        return 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {sum(len(v) for v in data.values())} clause starts in {len(data)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
