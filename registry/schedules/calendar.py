"""Gantt-style calendar geometry: each line's stretches as bars over the season, grouped by sector.

Pure: rows in, positions out (percent of the season's width), so the page draws server-made
SVG — no chart library or network needed on a government intranet.
"""
from __future__ import annotations

from datetime import date
from typing import Any

GANTT_LINES = 250  # lines drawn (issue 16); the calendar page reads only their entries (issue 18)
COLOURS = {"stop": "#c0392b", "curtail": "#e67e22", "extend_coking": "#8e44ad", "max_load": "#2980b9", "none": "#bdc3c7"}


def _pct(d: date, start: date, days: int) -> float:
    return round(max(0, min(days, (d - start).days)) * 100 / days, 3)


def gantt(rows: list[dict[str, Any]], start: date, end: date, limit: int = GANTT_LINES) -> dict[str, Any]:
    """{sectors: [{sector, lines: [{label, bars: [{x, w, measure, colour, start, end}]}]}], months: [{x, label}]}.

    The first `limit` lines are drawn (issue 16: 400 lines were 130 KB of SVG; the Excel download has all)."""
    days = max(1, (end - start).days)
    sectors: dict[str, dict[tuple, dict]] = {}
    shown = 0
    for r in rows:
        key = (r["enterprise_id"], r["line_ref"])
        lines = sectors.get(r["sector"], {})
        if key not in lines:
            if shown >= limit:
                continue  # a line not drawn: its sector gets no empty heading either
            lines = sectors.setdefault(r["sector"], lines)
            shown += 1
            lines[key] = {"label": f"{r['enterprise_name']} · {r['line_ref']}", "bars": []}
        x0, x1 = _pct(r["phase_start"], start, days), _pct(r["phase_end"], start, days)
        lines[key]["bars"].append({"x": x0, "w": round(x1 - x0, 3), "measure": r["measure"], "colour": COLOURS[r["measure"]],
                                   "start": r["phase_start"], "end": r["phase_end"]})
    months = []
    cursor = date(start.year, start.month, 1)
    while cursor < end:
        if cursor >= start:
            months.append({"x": _pct(cursor, start, days), "label": cursor.strftime("%Y-%m")})
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return {"sectors": [{"sector": s, "lines": list(v.values())} for s, v in sorted(sectors.items())],
            "months": months, "lines": shown, "truncated": shown >= limit}


def bars(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Horizontal bar geometry for a {label: count} summary (percent of the largest)."""
    top = max(counts.values(), default=0) or 1
    return [{"label": k, "value": v, "w": round(v * 100 / top, 2), "colour": COLOURS.get(k, "#34495e")}
            for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]
