"""The engine's alert-episode rules as registry/alerts uses them (grading/rules/episodes.py: R-W-02/03/05/06);
registry/policy stays the one door to the engine (issue 15 item 1)."""
from __future__ import annotations

from grading.rules.episodes import EpisodeRules, regional_ground
from registry.policy.packs import get_pack


def episode_rules(pack_id: str) -> EpisodeRules:
    pack = get_pack(pack_id)
    if pack is None:
        raise KeyError(pack_id)
    return EpisodeRules.of(pack)


__all__ = ["EpisodeRules", "episode_rules", "regional_ground"]
