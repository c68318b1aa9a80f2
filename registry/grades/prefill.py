"""The self-assessment's starting values, read from the enterprise's registration (issue 16 item 10).

A clerk should not type again what the registration already says: CEMS installed and its transmission rate on the
industry's lines, measured concentrations, enclosed storage, the truck fleet's emission standards, the rail share,
gate-video retention, separate metering, stable compliance. Each value is what the registration records, worst
line first (the short-board principle, 003:51); nothing is guessed where the registration is silent. The form
marks these values "from the registration"; they become answers when the enterprise saves the self-assessment.
"""
from __future__ import annotations

from typing import Any

from registry.enterprises.models import Enterprise


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole > 0 else None


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def from_registration(ent: Enterprise, industry: str, line_ids: list[int] | None = None) -> dict[str, Any]:
    """Indicator key → the value the registration gives for `industry` (its chosen lines, else its sector's lines)."""
    chosen = set(line_ids or ())
    lines = [ln for ln in ent.lines if (ln.id in chosen if chosen else (ln.sector or ent.sector) == industry)]
    out: dict[str, Any] = {}
    if lines:
        out["cems_installed"] = all(ln.has_cems for ln in lines)
        rates = [float(ln.cems_transmission_rate) for ln in lines if ln.has_cems and ln.cems_transmission_rate is not None]
        if rates:
            out["cems_transmission_rate"] = min(rates)
        for pollutant in ("pm", "so2", "nox"):
            measured = [float(e.concentration) for ln in lines for e in ln.emissions
                        if e.pollutant == pollutant and e.concentration is not None]
            if measured:
                out[f"{pollutant}_mg_m3"] = max(measured)
        if all(ln.enclosed for ln in lines):
            out["fugitive_control"] = "full"
    fleet = [ent.fleet_china3, ent.fleet_china4, ent.fleet_china5, ent.fleet_china6]
    if any(n is not None for n in fleet):
        counts = [int(n or 0) for n in fleet]
        share = _share(counts[2] + counts[3], sum(counts))
        if share is not None:
            out["china5_or_better_share"] = share
    if ent.rail_share is not None:
        out["clean_transport_share"] = _num(ent.rail_share)
    if ent.gate_video_retention_months is not None:
        out["gate_video_months"] = int(ent.gate_video_retention_months)
    out["separate_metering"] = bool(ent.separate_metering)
    out["stably_meets_standards"] = bool(ent.stably_compliant)
    return out
