"""Line-by-line comparison of two schedule versions: added, removed, changed measure or window."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable


def _num(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v


def _plan(entries: Iterable[dict]) -> tuple:
    """What a line must do over the season: its stretches with measure, figures and windows."""
    return tuple((str(e["phase_start"]), str(e["phase_end"]), e["measure"], _num(e["percentage_min"]),
                  _num(e["percentage_max"]), e["basis"], _num(e["coking_time_hours"]),
                  tuple((w["start"], w["end"]) for w in e["windows"])) for e in entries)


@dataclass
class LineChange:
    enterprise_id: int
    enterprise_name: str
    uscc: str
    line_ref: str
    line_name: str
    change: str  # added | removed | measure | window
    before: list[dict] = field(default_factory=list)
    after: list[dict] = field(default_factory=list)


def _by_line(entries: Iterable[dict]) -> dict[tuple[int, str], list[dict]]:
    out: dict[tuple[int, str], list[dict]] = {}
    for e in entries:
        out.setdefault((e["enterprise_id"], e["line_ref"]), []).append(e)
    return out


def _stretches(entries: list[dict]) -> list[dict]:
    return [{"phase_start": str(e["phase_start"]), "phase_end": str(e["phase_end"]), "measure": e["measure"],
             "percentage_min": _num(e["percentage_min"]), "percentage_max": _num(e["percentage_max"]),
             "windows": e["windows"]} for e in entries]


def diff(old: Iterable[dict], new: Iterable[dict]) -> list[LineChange]:
    """Changes from `old` to `new` entries (dicts with ScheduleEntry's columns), in line order."""
    a, b = _by_line(old), _by_line(new)
    out: list[LineChange] = []
    for key in list(a) + [k for k in b if k not in a]:
        first = (a.get(key) or b.get(key))[0]
        base = dict(enterprise_id=key[0], enterprise_name=first["enterprise_name"], uscc=first["uscc"],
                    line_ref=key[1], line_name=first["line_name"])
        if key not in b:
            out.append(LineChange(change="removed", before=_stretches(a[key]), **base))
        elif key not in a:
            out.append(LineChange(change="added", after=_stretches(b[key]), **base))
        elif _plan(a[key]) != _plan(b[key]):
            measures_a = [(e["measure"], _num(e["percentage_min"]), _num(e["percentage_max"])) for e in a[key]]
            measures_b = [(e["measure"], _num(e["percentage_min"]), _num(e["percentage_max"])) for e in b[key]]
            kind = "measure" if measures_a != measures_b else "window"
            out.append(LineChange(change=kind, before=_stretches(a[key]), after=_stretches(b[key]), **base))
    return out
