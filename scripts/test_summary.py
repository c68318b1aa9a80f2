"""One closing line for `make test`: the two passes run side by side with prefixed output, so CI reads their sum.

Usage: test_summary.py LOG [LOG ...] — each LOG is one pytest pass's output; prints
`total: N passed, N failed, N skipped` (errors count as failed) and one line per pass.
"""
from __future__ import annotations

import re
import sys

COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|deselected)")


def last_summary(path: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = [ln for ln in fh if re.search(r"\d+ (passed|failed|error)", ln) and " in " in ln]
    if lines:
        for n, word in COUNT.findall(lines[-1]):
            counts["failed" if word.startswith("error") else word] = counts.get(
                "failed" if word.startswith("error") else word, 0) + int(n)
    return counts


def main(paths: list[str]) -> None:
    total = {"passed": 0, "failed": 0, "skipped": 0}
    for path in paths:
        counts = last_summary(path)
        if not counts:
            total["failed"] += 1  # a pass that closed on no summary did not pass
        for key in total:
            total[key] += counts.get(key, 0)
        print(f"=== {path}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + " ===")
    print(f"total: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
