"""The staggered-production notice (错峰生产通知) of one enterprise, as registry/notices renders it (issue 16 item 4).

Per line: the measure in words with its ratio and basis, the dates it runs (last day included), an approved
exemption; the legal basis listed once by document and clause (the rule ids only on hover), never in the body.
"""
from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from flask_babel import gettext as _

from registry.core import codes
from registry.core.codes import is_zh
from registry.core.regions import region_label
from registry.notices.basis import basis_of
from registry.notices.letterhead import letterhead, sep, short_date, span
from registry.schedules import labels
from registry.schedules.models import ScheduleVersion


def _num(value) -> str:
    return f"{float(value):g}"


def _window_text(row: dict[str, Any]) -> str:
    """The stretches the measure runs, each with its last day (the stored ends are exclusive)."""
    windows = row.get("windows") or [{"start": row["phase_start"], "end": row["phase_end"]}]
    out = []
    for w in windows:
        start, end = (d if isinstance(d, date) else date.fromisoformat(str(d)) for d in (w["start"], w["end"]))
        out.append(span(start, end - timedelta(days=1)))
    return sep().join(dict.fromkeys(out))


def _detail(row: dict[str, Any]) -> str:
    parts = []
    low, high = row.get("percentage_min"), row.get("percentage_max")
    if low is not None or high is not None:
        pct = _num(low if low is not None else high)
        if low is not None and high is not None and low != high:
            pct = f"{_num(low)}–{_num(high)}"
        basis = codes.label("Basis", row["basis"]) if row.get("basis") else ""
        parts.append(_("%(pct)s %% of %(basis)s", pct=pct, basis=basis) if basis else f"{pct} %")
    if row.get("coking_time_hours"):
        parts.append(_("coking time at least %(h)s hours", h=_num(row["coking_time_hours"])))
    exemption = row.get("exemption")
    if exemption:
        parts.append(_("%(kind)s approved", kind=labels.application_kind(exemption.get("kind"))))
        if exemption.get("residual"):
            parts.append(_("still required: %(what)s", what=exemption["residual"]))
    for duty in row.get("residual_obligations") or []:
        text = _obligation(str(duty.get("note") or ""))
        if text:
            parts.append(_("still required: %(what)s", what=text))
    return sep().join(dict.fromkeys(parts))


def _obligation(note: str) -> str:
    """A pack's residual duty is written '按重污染天气应急预案要求参加污染管控 — still follows the emergency plan':
    the Chinese half in Chinese, the English half in English."""
    zh, _sep, en = note.partition(" — ")
    return zh.strip() if is_zh() or not en else en.strip()


def season_label(version: ScheduleVersion) -> str:
    return f"{version.season_start.year}-{version.season_start.year + 1}"


def enterprise_notice(version: ScheduleVersion, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One enterprise's notice from its entries of the version (entry_dicts, one enterprise)."""
    first = rows[0]
    lines: list[dict[str, str]] = []
    for _ref, group in groupby(rows, key=lambda r: r["line_ref"]):
        for r in group:
            line = {"line": " ".join(x for x in (r["line_name"], f"({r['line_ref']})" if r["line_name"] else r["line_ref"]) if x),
                    "measure": codes.label("Measure", r["measure"]), "window": _window_text(r), "detail": _detail(r)}
            if line not in lines:  # the same measure over two phases of one window prints once
                lines.append(line)
    schedule = version.schedule
    paragraphs = [_("Under %(plan)s, the production lines of your enterprise listed below take the staggered-production "
                    "measures shown, in the periods shown (the heating season runs from %(start)s to %(end)s). Keep the "
                    "production records and the online monitoring data for inspection; a change of these measures is "
                    "valid only when a new version of the list is filed.",
                    plan=schedule.title or _("the staggered-production list"), start=short_date(version.season_start),
                    end=short_date(version.season_end - timedelta(days=1)))]
    if version.filed_on:
        paragraphs.append(_("This list was filed on %(date)s with %(recipients)s.", date=short_date(version.filed_on),
                            recipients=version.recipients))
    return {"key": str(first["enterprise_id"]),
            "title": _("Notice on the staggered production of the %(season)s heating season", season=season_label(version)),
            "draft": not version.published,
            # a version published before the letterhead existed is dated by its filing
            "letterhead": letterhead(version.issuing_authority or "", version.document_number or "",
                                     version.issued_on or version.filed_on, schedule.region_code),
            "addressee": {"name": first["enterprise_name"], "uscc": first["uscc"], "region": region_label(first["region_code"]),
                          "address": ""},
            "paragraphs": paragraphs, "lines": lines, "sections": [],
            "basis": basis_of([x for r in rows for x in (r.get("reasons") or [])]
                              + [x for r in rows for x in (r.get("residual_obligations") or [])])}


def notices_of(version: ScheduleVersion, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One notice per enterprise, in the list's order."""
    by_ent: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_ent.setdefault(r["enterprise_id"], []).append(r)
    return [enterprise_notice(version, group) for group in by_ent.values()]
