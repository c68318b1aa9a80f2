"""What makes a published schedule reproducible: the pack file's hash, the engine version, the season."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from grading.contract import CONTRACT_VERSION
from grading.packs import PACK_DIR, get_pack

ENGINE_VERSION = f"contract-{CONTRACT_VERSION}"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def pack_sha256(pack_id: str) -> str:
    return hashlib.sha256((PACK_DIR / f"{pack_id}.yaml").read_bytes()).hexdigest()


def canonical_json(document: dict[str, Any]) -> str:
    """An evaluate document as canonical JSON (sorted keys, no spaces): what is hashed and what is stored."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def facts_sha256(document: dict[str, Any]) -> str:
    """Canonical JSON hash of an evaluate document: equal facts, equal hash (F-15 detection)."""
    return text_sha256(canonical_json(document))


def season_bounds(pack_id: str, year: int) -> tuple[date, date]:
    """[start, end) of the heating season starting in `year` (the pack's local setting, R-T-05)."""
    pack = get_pack(pack_id)
    if pack is None:
        raise KeyError(pack_id)
    window = pack.heating_season_window(date(year, 10, 1))
    return window.start, window.end


def seasons(pack_id: str) -> list[int]:
    """The season years whose heating season starts inside the pack's period."""
    pack = get_pack(pack_id)
    if pack is None:
        return []
    out = []
    for year in range(pack.period_start.year - 1, pack.period_end.year + 1):
        start, _end = season_bounds(pack_id, year)
        if pack.period_start <= start < pack.period_end:
            out.append(year)
    return out


@lru_cache(maxsize=32)
def _pack_dates(pack_id: str) -> tuple[date, ...]:
    """Every date VALUE of the pack file (deadlines, windows, effective-from dates) — not dates quoted in prose
    notes (Jiyuan's "rows run to 2019-03-15" is a note; its window ends 2019-03-16)."""
    out: set[date] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, date):
            out.add(node if type(node) is date else node.date())
        elif isinstance(node, str) and _ISO_DATE.fullmatch(node.strip()):
            try:
                out.add(date.fromisoformat(node.strip()))
            except ValueError:
                pass

    walk(yaml.safe_load((PACK_DIR / f"{pack_id}.yaml").read_text(encoding="utf-8")))
    return tuple(sorted(out))


def evaluation_dates(pack_id: str, start: date, end: date) -> list[date]:
    """The season's start and every date the pack names inside it: decisions can only change there."""
    pack = get_pack(pack_id)
    last = min(end, pack.period_end) if pack else end
    return [start] + [d for d in _pack_dates(pack_id) if start < d < last]
