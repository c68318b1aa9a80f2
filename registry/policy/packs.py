"""The policy packs as the registry sees them: which pack a region uses, a pack's file hash, the engine
version stamped on what the registry stores, and a pack's heating seasons (issue 15 item 1).

registry/policy is the only door between the registry and `grading/`: domains import the pack type and
these functions from here, never from grading.packs or grading.contract. The region → pack table is the
deployment setting GRADE_WORKFLOW_PACKS (its name kept for existing configs): grades, schedules and emergency
all pick a region's pack through `pack_for_region`.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import yaml
from flask import current_app

from grading.contract import CONTRACT_VERSION
from grading.contract import list_packs as _list_packs
from grading.packs import PACK_DIR, GradeWorkflow, Pack, get_pack

__all__ = [
    "ENGINE_VERSION", "GradeWorkflow", "Pack", "alert_floor_day", "check_region_packs", "evaluation_dates", "first_season_day", "get_pack",
    "list_packs",
    "pack_for_region", "pack_sha256", "season_bounds", "seasons",
]

# Stamped on every schedule version and emergency list: the contract the decisions were made under.
ENGINE_VERSION = f"contract-{CONTRACT_VERSION}"

REGION_PACK_DEFAULTS: dict[str, Any] = {
    # Which policy pack governs a region (its grade_workflow, its schedules' and lists' default pack): the
    # longest region-code prefix listed here; otherwise GRADE_WORKFLOW_DEFAULT_PACK. Region codes are data
    # (GB/T 2260), set per deployment.
    "GRADE_WORKFLOW_PACKS": {
        "1310": "langfang-2017-18",       # 廊坊市 and its counties
        "1301": "shijiazhuang-2018-20",   # 石家庄市 and its counties
        "120119": "jizhou-2018-19",       # 天津市蓟州区
        "419001": "jiyuan-2018-19",       # 济源市 (county-level city under Henan)
    },
    # The 2+26-city plan that introduced A/B/C grading (003:51) for every other region.
    "GRADE_WORKFLOW_DEFAULT_PACK": "jjj-2019-20",
}
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def list_packs() -> list[dict]:
    """Every policy pack's summary: id, title, jurisdiction, source, period, alert levels."""
    return _list_packs()


def _setting(config, name: str):
    return config.get(name, REGION_PACK_DEFAULTS[name])


def pack_for_region(region_code: str, config=None) -> str:
    """The pack id governing `region_code`: the longest listed prefix of GRADE_WORKFLOW_PACKS, else the default."""
    config = current_app.config if config is None else config
    table = _setting(config, "GRADE_WORKFLOW_PACKS") or {}
    best = max((p for p in table if region_code.startswith(p)), key=len, default=None)
    return table[best] if best is not None else _setting(config, "GRADE_WORKFLOW_DEFAULT_PACK")


def check_region_packs(config) -> None:
    """Every configured pack exists and sets grade_workflow (called at start, so a typo never reaches a user)."""
    table = _setting(config, "GRADE_WORKFLOW_PACKS") or {}
    for prefix, pack_id in [*table.items(), ("", _setting(config, "GRADE_WORKFLOW_DEFAULT_PACK"))]:
        if not (isinstance(prefix, str) and prefix.isdigit() or prefix == ""):
            raise RuntimeError(f"GRADE_WORKFLOW_PACKS: region prefix {prefix!r} is not digits")
        pack = get_pack(pack_id)
        if pack is None or pack.grade_workflow is None:
            raise RuntimeError(f"GRADE_WORKFLOW_PACKS: pack {pack_id!r} is unknown or has no grade_workflow")


def pack_sha256(pack_id: str) -> str:
    """SHA-256 of the pack file: what a stored schedule version or emergency list was decided with."""
    return hashlib.sha256((PACK_DIR / f"{pack_id}.yaml").read_bytes()).hexdigest()


def season_bounds(pack_id: str, year: int) -> tuple[date, date]:
    """[start, end) of the heating season starting in `year` (the pack's local setting, R-T-05)."""
    pack = get_pack(pack_id)
    if pack is None:
        raise KeyError(pack_id)
    window = pack.heating_season_window(date(year, 10, 1))
    return window.start, window.end


def first_season_day(pack: Pack) -> date:
    """The first heating-season day inside the pack's period, else the period's start (R-T-05)."""
    start = pack.heating_season_window(pack.period_start).start
    return start if pack.period_start <= start < pack.period_end else pack.period_start


def alert_floor_day(pack: Pack) -> date:
    """The day an emergency plan's floor is read on (issue 17): the last day before the first heating season that
    starts inside the pack's period, so the floor at each level is what the ALERT requires (grade measures, alert
    overlays, triggers and gates in force by then), not the heating-season staggering measure repeated at every
    level. Alert-day orders still hold a line to the day's full decision, season included (R-O-03). A period with
    no such day falls back to first_season_day."""
    window = pack.heating_season_window(pack.period_start)
    if window.start <= pack.period_start:
        window = pack.heating_season_window(window.end)
    day = window.start - timedelta(days=1)
    if pack.period_start <= day < pack.period_end and not pack.in_heating_season(day):
        return day
    return first_season_day(pack)


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
