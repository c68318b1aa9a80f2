"""Merge helpers' pending translations into the zh catalog (used by `scripts/i18n.sh merge-pending`).

  python scripts/i18n_pending.py fill PO PENDING.tsv...   # fill EMPTY msgstrs only; never overwrite one
  python scripts/i18n_pending.py untranslated PO          # list untranslated/fuzzy msgids; exit 1 if any

A pending file has one `msgid<TAB>msgstr` per line, or `msgctxt<TAB>msgid<TAB>msgstr`; tabs, newlines and
backslashes inside are escaped as \\t \\n \\\\; blank lines and lines starting with # are ignored. A msgstr whose
%(name)s or {name} placeholders differ from its msgid's is skipped (it would break formatting at run time).
"""
from __future__ import annotations

import re
import sys
from collections import Counter

from babel.messages.pofile import read_po, write_po

NAMED = re.compile(r"%\((\w+)\)[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}")
_ESCAPES = {"t": "\t", "n": "\n", "\\": "\\"}


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def read_pending(paths) -> tuple[dict[tuple[str | None, str], tuple[str, str]], list[str]]:
    """(context, msgid) → (msgstr, where); and the problems found (bad lines, conflicting translations)."""
    wanted: dict[tuple[str | None, str], tuple[str, str]] = {}
    problems = []
    for path in paths:
        with open(path, encoding="utf-8-sig") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) == 2:
                    context, msgid, msgstr = None, parts[0], parts[1]
                elif len(parts) == 3:
                    context, msgid, msgstr = parts
                else:
                    problems.append(f"{path}:{n}: expected msgid<TAB>msgstr; skipped")
                    continue
                key = (unescape(context) if context else None, unescape(msgid))
                text = unescape(msgstr)
                if not key[1] or not text.strip():
                    continue
                if key in wanted and wanted[key][0] != text:
                    problems.append(f"{path}:{n}: {key[1]!r} is also translated in {wanted[key][1]}; kept the first")
                    continue
                wanted.setdefault(key, (text, f"{path}:{n}"))
    return wanted, problems


def placeholders_match(msgid: str, msgstr: str) -> bool:
    return (Counter(NAMED.findall(msgid)) == Counter(NAMED.findall(msgstr))
            and Counter(BRACE.findall(msgid)) == Counter(BRACE.findall(msgstr)))


def fill(po_path, pending_paths) -> dict[str, int]:
    wanted, problems = read_pending(pending_paths)
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale="zh")
    counts = {"filled": 0, "kept": 0, "skipped": 0, "absent": 0, "pending": len(wanted)}
    for (context, msgid), (msgstr, where) in wanted.items():
        message = catalog.get(msgid, context=context)
        if message is None or not isinstance(message.string, str):
            counts["absent"] += 1  # not (or no longer) in the sources, or a plural entry
            continue
        if message.string.strip():
            counts["kept"] += message.string != msgstr
            continue
        if not placeholders_match(msgid, msgstr):
            problems.append(f"{where}: the placeholders of {msgstr!r} differ from {msgid!r}; skipped")
            counts["skipped"] += 1
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
        counts["filled"] += 1
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=76, sort_by_file=True, ignore_obsolete=True)
    for p in problems:
        print(p, file=sys.stderr)
    return counts


def untranslated(po_path) -> list[str]:
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale="zh")
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if m.fuzzy or not all(s.strip() for s in strings):
            msgid = m.id[0] if isinstance(m.id, (list, tuple)) else m.id
            where = " ".join(f"{p}:{n}" for p, n in m.locations)
            out.append(f"{msgid!r}" + (f" [context {m.context!r}]" if m.context else "") + f"  ({where})")
    return out


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "fill":
        counts = fill(argv[1], argv[2:])
        print(f"merge-pending: {counts['filled']} filled; {counts['kept']} already translated otherwise (kept); "
              f"{counts['skipped']} skipped; {counts['absent']} not in the catalog; "
              f"{counts['pending']} pending entries from {len(argv) - 2} file(s)")
        return 0
    if len(argv) == 2 and argv[0] == "untranslated":
        missing = untranslated(argv[1])
        print(f"untranslated or fuzzy zh messages: {len(missing)}")
        for line in missing:
            print("  " + line)
        return 1 if missing else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
