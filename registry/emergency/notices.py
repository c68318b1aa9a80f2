"""The heavy-pollution emergency notice (重污染天气应急减排告知书) of one enterprise, as registry/notices renders it.

From an alert-day order (orders.alert_orders): per line the measure in words (a curtailment with its percentage),
the key indicators and who answers; the transport limits in words with the exception categories and the vehicles
that may not move; the legal basis by document and clause (rule ids on hover only); the list's letterhead.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from registry.core import codes, timeutil
from registry.core.regions import region_label
from registry.emergency.models import EmergencyList
from registry.notices.basis import basis_of
from registry.notices.letterhead import letterhead, sep, short_date

MAX_LISTED_VEHICLES = 10  # more than this: the count, not a page of vehicle numbers


def _measure(line: dict[str, Any]) -> str:
    text = codes.label("Measure", line["measure"])
    if line["measure"] == "curtail" and line.get("percent"):
        text = _("%(measure)s %(pct)s %%", measure=text, pct=f"{float(line['percent']):g}")
    return text


def _line_detail(line: dict[str, Any]) -> str:
    parts = []
    if line.get("key_indicators"):
        parts.append(_("Key indicators: %(text)s", text=line["key_indicators"]))
    if line.get("responsible_person"):
        who = line["responsible_person"] + (f" {line['contact']}" if line.get("contact") else "")
        parts.append(_("Responsible: %(who)s", who=who))
    return sep().join(parts)


def _standard(code: str | None) -> str:
    return codes.label("VehicleStandard", code) if code else ""


def _registered(code: str, standard: str) -> str:
    """The restriction's label from the label registry ("engine.transport", registered by the policy labels), or ''."""
    if not codes.known("engine.transport", code):
        return ""
    try:  # the label's parameters are its vocabulary's business: a mismatch falls back to our own sentence
        return codes.label("engine.transport", code, standard=standard, minimum=standard, minimum_standard=standard)
    except (KeyError, TypeError, ValueError):
        return ""


def transport_text(t: dict[str, Any]) -> str:
    """One transport limit in words: the restriction (its registered label, else a plain sentence of the same
    meaning), the exception categories by label, the standard exceptions must meet, the vehicles that may not move."""
    code = str(t.get("restriction") or "")
    standard = _standard(t.get("minimum_standard"))
    text = _registered(code, standard)
    if code == "heating_season_minimum_standard":
        text = text or _("In the heating season every transport vehicle meets at least %(standard)s.", standard=standard)
    else:
        text = text or (_("In principle, no trucks enter or leave the enterprise during the alert.") if t.get("in_principle")
                        else _("No trucks enter or leave the enterprise during the alert."))
        if t.get("exceptions"):
            text += " " + _("Except: %(what)s.", what=sep().join(codes.label("VehiclePurpose", x) for x in t["exceptions"]))
        if standard:
            text += " " + _("Vehicles allowed as exceptions meet at least %(standard)s.", standard=standard)
    banned = [str(v) for v in t.get("vehicles_not_allowed") or []]
    if 0 < len(banned) <= MAX_LISTED_VEHICLES:
        text += " " + _("Vehicles that may not move: %(ids)s.", ids=sep().join(banned))
    elif banned:
        text += " " + _("%(n)s of the enterprise's registered vehicles may not move (see its vehicle register).", n=len(banned))
    return text


def enterprise_notice(lst: EmergencyList, order: dict[str, Any], on: date, level: str) -> dict[str, Any]:
    """One enterprise's notice for the alert level in force from `on`."""
    level_label = codes.label("AlertLevel", level)
    lines = [{"line": " ".join(x for x in (line.get("name"), f"({line['code']})" if line.get("name") and line.get("code")
                                            else line.get("code")) if x),
              "measure": _measure(line), "window": _("From %(date)s until the alert is lifted", date=short_date(on)),
              "detail": _line_detail(line)} for line in order["lines"]]
    lines = [x for i, x in enumerate(lines) if x not in lines[:i]]
    paragraphs = [_("From %(date)s a %(level)s heavy-pollution alert is in force. Under the emergency reduction list "
                    "(version %(n)s), your enterprise takes the measures below until the alert is lifted, and posts this "
                    "notice at its gate for public supervision.", date=short_date(on), level=level_label, n=lst.number)]
    if order.get("grade"):
        paragraphs.append(_("Emergency performance grade of the enterprise: %(grade)s.", grade=order["grade"]))
    transport = [transport_text(t) for t in order.get("transport") or []]
    reasons = list(order.get("reasons") or []) + [{"rule": t.get("rule"), "source": t.get("source")}
                                                  for t in order.get("transport") or []]
    return {"key": str(order["enterprise_id"]),
            "title": _("Notice of heavy-pollution emergency measures: %(level)s alert", level=level_label),
            "draft": lst.status != "filed",
            # a list filed before the letterhead existed is dated by its filing (Beijing time)
            "letterhead": letterhead(lst.issuing_authority or "", lst.document_number or "",
                                     lst.issued_on or (lst.filed_at.astimezone(timeutil.BEIJING).date() if lst.filed_at else None),
                                     lst.region_code),
            "addressee": {"name": order["name"], "uscc": order.get("uscc", ""), "region": region_label(order.get("region_code")),
                          "address": order.get("address") or ""},
            "paragraphs": paragraphs, "lines": lines,
            "no_lines_text": _("No production line of the enterprise has to stop or curtail at this alert level."),
            "sections": [{"heading": _("Transport measures"), "items": transport}] if transport else [],
            "basis": basis_of(reasons)}


def filed_lists_for(enterprise) -> list[dict[str, Any]]:
    """The newest filed list of each pack whose region covers the enterprise: where its emergency notice is read
    (the plan page offers them; an alert's day and level pick the measures)."""
    from registry.core.regions import region_prefix
    from registry.emergency.queries import lists_in_scope
    from registry.policy.emergency import emergency_levels
    from registry.policy.packs import get_pack

    seen: set[tuple[str, str]] = set()
    out = []
    for lst in lists_in_scope(None):  # newest version first within (region, pack)
        key = (lst.region_code, lst.pack_id)
        if lst.status != "filed" or key in seen or not enterprise.region_code.startswith(region_prefix(lst.region_code)):
            continue
        seen.add(key)
        pack = get_pack(lst.pack_id)
        if pack is None:
            continue
        today = timeutil.beijing_today()
        day = today if pack.period_start <= today < pack.period_end else pack.period_start
        out.append({"id": lst.id, "number": lst.number, "authority": lst.issuing_authority or "",
                    "document_number": lst.document_number or "", "levels": emergency_levels(pack),
                    "day": day.isoformat(), "first": pack.period_start.isoformat(),
                    "last": (pack.period_end - timedelta(days=1)).isoformat()})
    return out
