"""Emission-status thresholds (§2.16): classify a line's concentrations against the pack's table.

The same concentrations can be ultra-low in one pack and not in another (sinter: 002:367 20/50/150
vs 004:308 10/35/50, §5 item 13) - the numbers are pack data, never code.
"""
from __future__ import annotations

from typing import Optional

from grading.decisions import Flag
from grading.facts import LineFacts
from grading.packs import Pack
from grading.rules.base import flag
from grading.vocab import Pollutant, Sector


def applicable(pack: Pack, sector: Sector, line: LineFacts, status: str) -> list[dict]:
    out = []
    for t in pack.section("thresholds", []):
        if t["status"] != status:
            continue
        if "sectors" in t and sector.value not in t["sectors"]:
            continue
        if "kinds" in t and line.kind.value not in t["kinds"]:
            continue
        if "fuels" in t and line.fuel.value not in t["fuels"]:
            continue
        out.append(t)
    return out


def meets(t: dict, line: LineFacts) -> Optional[bool]:
    """True/False if the line's concentrations decide it, None when a needed concentration is missing."""
    conc = dict(line.concentrations)
    result = True
    for pol in (Pollutant.PM, Pollutant.SO2, Pollutant.NOX):
        if pol.value in t:
            if pol not in conc:
                return None
            result = result and conc[pol] <= t[pol.value]
    return result


def is_ultra_low(pack: Pack, sector: Sector, line: LineFacts) -> Optional[bool]:
    ts = applicable(pack, sector, line, "ultra_low")
    return meets(ts[0], line) if ts else None


def status_check_flags(pack: Pack, sector: Sector, line: LineFacts) -> tuple[Flag, ...]:
    """A line declared ultra-low whose measured concentrations exceed the pack's ultra-low limits is flagged."""
    if line.emission_status.value != "ultra_low" or not line.concentrations:
        return ()
    ts = applicable(pack, sector, line, "ultra_low")
    if ts and meets(ts[0], line) is False:
        t = ts[0]
        return (flag("ultra_low_not_supported", t,
                     f"Declared ultra-low but concentrations exceed {t['id']} (PM {t.get('pm')}, SO₂ {t.get('so2')}, "
                     f"NOx {t.get('nox')} mg/m³).", ("verify",), None, pm=t.get("pm"), so2=t.get("so2"), nox=t.get("nox")),)
    return ()
