"""Alert episode rules (重污染天气预警过程, §2.12 R-W-*): strict-side start, merging, lifting, advance notice.

Pure: the pack's settings and times in, decisions with their grounds out. The registry (registry/alerts, through
registry/policy/alerts.py) records what an official issues; these rules say which episode a new alert belongs to,
whether a lift is allowed, and which level a forecast of several processes starts at.

- R-W-02 (000:147): an alert may be lifted when air quality is forecast or monitored to improve to light pollution
  or better for at least `alert_lift_hours` (36 h in 000:147; a declared local setting in packs whose source
  states none).
- R-W-03 (000:147): two processes whose gap does not meet the lifting condition are one episode, started on the
  strict side — the higher level, covering both, without lifting in between. An alert issued less than the lifting
  gap after the area's last lift continues that episode.
- R-W-06 (004:381): where the pack states it, the alert is published 1–2 days before it starts; an issue with less
  notice is recorded with a flag (the pack's words: "原则上"-like guidance, not a refusal).
- R-W-05 (003:48): a regional alert over several cities is the province's; a city issues for itself or its counties.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Optional

from grading.packs import Pack
from grading.vocab import AlertLevel

LIFT_SETTING = "alert_lift_hours"
ADVANCE_SETTING = "alert_advance_notice_hours"
REGIONAL = {"code": "episode.regional_by_province", "rule": "R-W-05", "source": "003:48"}


def _rank(level: str) -> int:
    return AlertLevel(level).rank


def ground(pack: Pack, setting: str, code: str) -> dict[str, Any]:
    rule, source, _note = pack.setting_reason(setting)
    return {"code": code, "rule": rule, "source": source, "setting": setting, "value": pack.setting(setting)}


@dataclass(frozen=True)
class EpisodeRules:
    """The pack's episode settings: the lifting condition (hours) and the advance notice (hours, min–max) if stated."""

    pack_id: str
    levels: tuple[str, ...]
    lift_hours: float
    advance_hours: Optional[tuple[float, float]] = None
    grounds: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, pack: Pack) -> "EpisodeRules":
        lift = pack.setting(LIFT_SETTING)
        if lift is None:
            raise ValueError(f"pack {pack.id} states no {LIFT_SETTING}")
        grounds = {"lift": ground(pack, LIFT_SETTING, "episode.lift_condition"),
                   "merge": {**ground(pack, LIFT_SETTING, "episode.merge"), "rule": "R-W-03",
                             "source": "000:147"}}
        advance = pack.setting(ADVANCE_SETTING)
        if advance is not None:
            grounds["advance"] = ground(pack, ADVANCE_SETTING, "episode.advance_notice")
            advance = (float(advance[0]), float(advance[-1]))
        levels = tuple(lv.value for lv in pack.alert_levels if lv is not AlertLevel.NONE)
        return cls(pack.id, levels, float(lift), advance, grounds)

    # ---- R-W-03: one episode, strict side ----

    def continues(self, lifted_at: Optional[datetime], starts_at: datetime) -> bool:
        """Whether an alert starting at `starts_at` continues the episode lifted at `lifted_at` (gap < lifting
        condition, R-W-03 000:147). An episode not lifted yet is always continued (a level change, not an issue)."""
        if lifted_at is None:
            return True
        return starts_at - lifted_at < timedelta(hours=self.lift_hours)

    def plan(self, processes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Forecast processes [{start, end, level}] → the episodes to alert: processes whose gap is shorter than the
        lifting condition merge into one, at the strictest of their levels, from the first start to the last end."""
        out: list[dict[str, Any]] = []
        for p in sorted(processes, key=lambda p: p["start"]):
            self._check_level(p["level"])
            last = out[-1] if out else None
            if last is not None and p["start"] - last["end"] < timedelta(hours=self.lift_hours):
                last["end"] = max(last["end"], p["end"])
                last["level"] = self.strict(last["level"], p["level"])
                last["processes"] += 1
                last["grounds"] = [self.grounds["merge"]]
            else:
                out.append({"start": p["start"], "end": p["end"], "level": p["level"], "processes": 1, "grounds": []})
        return out

    def strict(self, *levels: str) -> str:
        """The strict side (从严从高, 000:147): the highest of the levels."""
        return max(levels, key=_rank)

    # ---- R-W-02: lifting ----

    def may_lift(self, clear_hours: float) -> bool:
        """Lifting needs light pollution or better forecast / monitored for at least the lifting condition."""
        return clear_hours + 1e-9 >= self.lift_hours

    # ---- level changes ----

    def change_kind(self, old: str, new: str) -> str:
        """'raise' or 'lower' (the same level is no change)."""
        self._check_level(new)
        if _rank(new) == _rank(old):
            raise ValueError("the same level is no change")
        return "raise" if _rank(new) > _rank(old) else "lower"

    # ---- R-W-06: advance notice ----

    def notice_flags(self, issued_at: datetime, starts_at: datetime) -> list[dict[str, Any]]:
        """Where the pack asks for the alert 1–2 days ahead (004:381), a flag when the notice is shorter."""
        if self.advance_hours is None:
            return []
        hours = (starts_at - issued_at).total_seconds() / 3600
        if hours + 1e-9 >= self.advance_hours[0]:
            return []
        return [{**self.grounds["advance"], "code": "episode.short_notice", "hours": round(max(hours, 0.0), 1),
                 "min_hours": self.advance_hours[0], "max_hours": self.advance_hours[1]}]

    def _check_level(self, level: str) -> None:
        if level not in self.levels:
            raise ValueError(f"pack {self.pack_id} has no {level} alert level")


def regional_ground() -> dict[str, Any]:
    """R-W-05 (003:48): the province issues the regional alert prompt; the cities start the corresponding level."""
    return dict(REGIONAL)
