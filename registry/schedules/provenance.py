"""What makes a published schedule reproducible: the pack file's hash, the engine version, the season."""
from __future__ import annotations

import hashlib
import json
from typing import Any

# The pack hash, engine version, season bounds and evaluation dates belong to registry/policy/packs.py (the
# engine's one door, issue 15 item 1); re-exported here for the schedules that stamp them on a version.
from registry.policy.packs import ENGINE_VERSION, evaluation_dates, pack_sha256, season_bounds, seasons

__all__ = ["ENGINE_VERSION", "canonical_json", "evaluation_dates", "facts_sha256", "pack_sha256", "season_bounds",
           "seasons", "text_sha256"]


def canonical_json(document: dict[str, Any]) -> str:
    """An evaluate document as canonical JSON (sorted keys, no spaces): what is hashed and what is stored."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def facts_sha256(document: dict[str, Any]) -> str:
    """Canonical JSON hash of an evaluate document: equal facts, equal hash (F-15 detection)."""
    return text_sha256(canonical_json(document))
