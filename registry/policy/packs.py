"""The policy packs as the registry sees them: which pack a region uses, a pack's file hash, the engine
version stamped on what the registry stores, and a pack's heating seasons (issue 15 item 1).

registry/policy is the only door between the registry and `grading/`: domains import the pack type and
these functions from here, never from grading.packs or grading.contract. The region → pack table is the
deployment setting GRADE_WORKFLOW_PACKS (its name kept for existing configs): grades, schedules and emergency
all pick a region's pack through `pack_for_region`.

Officials' packs (issue 20, registry/authoring): once ACTIVATED, a pack written in the registry is known here like a
shipped one — `get_pack`, `list_packs`, `pack_sha256`, `seasons`, `evaluation_dates` and `pack_for_region` read it
through a source registered by `register_pack_source` (policy never imports authoring). The shipped five always
win an id; an activated pack covering today governs its region before the configured table.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Callable, Optional

import yaml
from flask import current_app

from grading.contract import CONTRACT_VERSION
from grading.contract import list_packs as _list_packs
from grading.packs import PACK_DIR, GradeWorkflow, Pack, add_pack_resolver, get_pack, load_packs, parse_pack

__all__ = [
    "ENGINE_VERSION", "GradeWorkflow", "Pack", "alert_floor_day", "check_region_packs", "evaluation_dates", "first_season_day", "get_pack",
    "list_packs",
    "PackRecord", "is_shipped", "pack_for_region", "pack_text", "register_pack_source", "pack_sha256", "season_bounds", "seasons",
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


@dataclass(frozen=True)
class PackRecord:
    """An activated pack kept outside the shipped directory: its id, the region it governs, its YAML text (the
    shipped packs' format) and the SHA-256 of that text (what evaluations with it record)."""

    pack_id: str
    region_code: str
    text: str
    sha256: str


# source(pack_id or None) -> the activated records (of that id, or all). One source: the authoring domain's.
_SOURCES: list[Callable[[Optional[str]], list[PackRecord]]] = []


def register_pack_source(source: Callable[[Optional[str]], list[PackRecord]]) -> None:
    """Make the records `source` returns known as packs (registered once at app setup; idempotent)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    add_pack_resolver(_resolve)


def is_shipped(pack_id: str) -> bool:
    return pack_id in load_packs()


def _records(pack_id: Optional[str] = None) -> list[PackRecord]:
    if pack_id is not None and is_shipped(pack_id):
        return []
    out: list[PackRecord] = []
    for source in _SOURCES:
        out.extend(r for r in source(pack_id) if not is_shipped(r.pack_id))
    return out


def _record(pack_id: str) -> Optional[PackRecord]:
    return next(iter(_records(pack_id)), None)


@lru_cache(maxsize=64)
def _parsed(sha256: str, text: str, pack_id: str) -> Pack:
    return parse_pack(text, f"{pack_id}.yaml")


def _resolve(pack_id: str) -> Optional[Pack]:
    rec = _record(pack_id)
    return _parsed(rec.sha256, rec.text, rec.pack_id) if rec is not None else None


def pack_text(pack_id: str) -> Optional[str]:
    """The YAML text of a pack, shipped or activated."""
    if is_shipped(pack_id):
        return (PACK_DIR / f"{pack_id}.yaml").read_text(encoding="utf-8")
    rec = _record(pack_id)
    return rec.text if rec is not None else None


def list_packs() -> list[dict]:
    """Every policy pack's summary: id, title, jurisdiction, source, period, alert levels — the shipped packs, then
    the activated officials' packs (marked `authored`, with their region)."""
    out = _list_packs()
    for rec in _records(None):
        summary = dict(_parsed(rec.sha256, rec.text, rec.pack_id).summary(), authored=True, region_code=rec.region_code)
        out.append(summary)
    return out


def _setting(config, name: str):
    return config.get(name, REGION_PACK_DEFAULTS[name])


def pack_for_region(region_code: str, config=None) -> str:
    """The pack id governing `region_code`: the longest listed prefix of GRADE_WORKFLOW_PACKS, else the default."""
    config = current_app.config if config is None else config
    authored = _authored_for_region(region_code)
    if authored is not None:
        return authored
    table = _setting(config, "GRADE_WORKFLOW_PACKS") or {}
    best = max((p for p in table if region_code.startswith(p)), key=len, default=None)
    return table[best] if best is not None else _setting(config, "GRADE_WORKFLOW_DEFAULT_PACK")


def _authored_for_region(region_code: str) -> Optional[str]:
    """The activated pack of the most specific region containing `region_code` whose period holds today and that
    sets grade_workflow (what a region's pack must answer), else None."""
    if not _SOURCES or not region_code:
        return None
    from registry.core import timeutil
    from registry.core.regions import region_prefix

    today = timeutil.beijing_today()
    best: tuple[int, str] | None = None
    for rec in _records(None):
        prefix = region_prefix(rec.region_code)
        if not region_code.startswith(prefix):
            continue
        pack = _parsed(rec.sha256, rec.text, rec.pack_id)
        if pack.grade_workflow is None or not pack.period_start <= today < pack.period_end:
            continue
        if best is None or len(prefix) > best[0]:
            best = (len(prefix), rec.pack_id)
    return best[1] if best else None


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
    """SHA-256 of the pack file (an activated pack: of its frozen YAML text): what a stored schedule version or
    emergency list was decided with."""
    if not is_shipped(pack_id):
        rec = _record(pack_id)
        if rec is not None:
            return rec.sha256
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


def _pack_dates(pack_id: str) -> tuple[date, ...]:
    return _text_dates(pack_sha256(pack_id), pack_id)


@lru_cache(maxsize=32)
def _text_dates(_sha256: str, pack_id: str) -> tuple[date, ...]:
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

    walk(yaml.safe_load(pack_text(pack_id) or "{}"))
    return tuple(sorted(out))


def evaluation_dates(pack_id: str, start: date, end: date) -> list[date]:
    """The season's start and every date the pack names inside it: decisions can only change there."""
    pack = get_pack(pack_id)
    last = min(end, pack.period_end) if pack else end
    return [start] + [d for d in _pack_dates(pack_id) if start < d < last]
