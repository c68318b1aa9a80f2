"""Generated reason text of the emergency list, rendered in the reader's language at display time.

The optimizer (pure) returns each proposal's explanation as data — `{"code": "proposal", "params":
{...}}` — and the proposal row keeps it as JSON text in its `explanation` column (also copied to the
list entry it becomes). Pages, API and CLI call `render_explanation`, which builds the sentence
through gettext, so a zh user reads Chinese and an en user English. Text that is not such JSON (rows
written before this) is shown as it is. Status codes shown on pages go through `status_label`.
"""
from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registry.core import codes
from registry.core.citations import cite

POLLUTANT_LABELS = {"so2": "SO₂", "nox": "NOx", "pm": "PM", "vocs": "VOCs"}  # kept for callers; pages use codes.label

PROPOSAL_STATUS = {"proposed": _l("proposed"), "accepted": _l("accepted"), "rejected": _l("rejected"),
                   "applied": _l("applied")}
SOLVER_STATUS = {"optimal": _l("optimal"), "gap": _l("within the gap"), "infeasible": _l("infeasible"),
                 "nothing_to_do": _l("nothing to do"), "time_limit": _l("time limit reached")}
ORIGIN = {"plan": _l("enterprise plan"), "none": _l("no plan"), "optimizer": _l("optimizer"),
          "official": _l("official (edited)")}


def status_label(kind: str, code: str | None) -> str:
    """A stored status code as words in the reader's language (unknown codes as they are)."""
    table = {"proposal": PROPOSAL_STATUS, "solver": SOLVER_STATUS, "origin": ORIGIN}[kind]
    return str(table[code]) if code in table else (code or "")


def dump_explanation(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def load_explanation(text: str | None) -> dict[str, Any] | None:
    if not text or not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "code" in data else None


def _num(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def _measure(p: dict[str, Any]) -> str:
    if p.get("measure") == "stop":
        return _("stop")
    if p.get("label") == "extend_coking":
        return _("extend the coking time (output −%(p)s %%)", p=f"{float(p.get('percent', 0)):g}")
    return _("curtail %(p)s %%", p=f"{float(p.get('percent', 0)):g}")


def _cite(source: str) -> str:
    return cite(source)


def _ground(g: dict[str, str]) -> str:
    # The source in words (《…》第N行); the rule id stays in the stored explanation and the API, not the sentence.
    where = g.get("source") or ""
    cite = _("local setting") if where == "local setting" else (_cite(where) or g.get("rule", ""))
    code = g.get("code")
    if code == "pack_rule":
        return _("the pack's measures for this industry and process (%(cite)s)", cite=cite)
    if code == "extend_coking":
        return _("coke ovens extend the coking time instead of stopping (%(cite)s)", cite=cite)
    if code == "uninterruptible":
        return _("the line cannot be interrupted, so it is not stopped (%(cite)s)", cite=cite)
    if code == "livelihood":
        return _("the line carries a livelihood task; nothing is added (%(cite)s)", cite=cite)
    return _("the pack's default steps (%(cite)s)", cite=cite)


def render_explanation(text: str | None) -> str:
    """The explanation in the current locale; legacy plain text unchanged."""
    data = load_explanation(text)
    if data is None:
        return text or ""
    if data.get("code") != "proposal":
        return str(data.get("code"))
    p = data.get("params") or {}
    grade = _("%(g)s-grade", g=p["grade"]) if p.get("grade") else _("ungraded")
    cuts = "; ".join(_("%(pollutant)s %(kg)s kg (%(share)s %% of the shortfall)",
                       pollutant=codes.label("Pollutant", c["pollutant"]), kg=_num(float(c["kg"])),
                       share=f"{float(c['share']):.1f}") for c in p.get("cuts", []))
    out = _("%(grade)s line: %(measure)s cuts %(cuts)s at capacity cost %(cost)s.", grade=grade,
            measure=_measure(p), cuts=cuts or "—", cost=f"{float(p.get('cost', 0)):g}")
    if p.get("order") == "b_opened":
        out += " " + _("Every C-grade line already takes its strongest allowed measure, so B-grade lines may be used "
                       "(%(cite)s).", cite=_cite("003:51"))
    elif p.get("order") == "c_first":
        out += " " + _("C-grade lines are used before B-grade ones (%(cite)s).", cite=_cite("003:51"))
    grounds = [_ground(g) for g in p.get("grounds", [])]
    if grounds:
        out += " " + _("Allowed measures: %(grounds)s.", grounds="; ".join(grounds))
    return out
