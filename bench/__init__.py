"""Benchmarks (docs/performance.md). `report` is how each prints its figures and keeps them in bench/results."""
from __future__ import annotations

import json
import os


def report(name: str, out: dict) -> dict:
    """Print the figures and write them to bench/results/<name>.json."""
    print(json.dumps(out, ensure_ascii=False, indent=2))
    os.makedirs("bench/results", exist_ok=True)
    with open(f"bench/results/{name}.json", "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=2)
    return out
