"""Plain dicts for the emergency pages and API: totals per level, chart data, top contributors."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.core import codes
from registry.core.citations import cite
from registry.emergency.models import EmergencyList
from registry.emergency.queries import totals_by_level
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.emergency import emergency_levels
from registry.policy.packs import Pack


def level_totals(lst: EmergencyList, pack: Pack) -> list[dict[str, Any]]:
    out = []
    levels = emergency_levels(pack)
    by_level = totals_by_level(lst, pack, levels)
    for level in levels:
        t = by_level[level]
        out.append({"level": level, "met": t.met, "annualised": t.days.annualised,
                    "has_targets": any(p.target_percent is not None for p in t.pollutants),
                    "resplit_applied": t.targets.resplit_applied,
                    "base": t.base, "base_reason": _base_reason(t), "area_entered": t.area_entered,
                    "reasons": [f"{r.rule} ({r.source})" for r in t.targets.reasons] + [_days_reason(t.days, pack)],
                    # The page's words and its 依据 detail (rule ids and sources only there, issue 16).
                    "base_note": _base_note(t), "days_note": _days_note(t.days, pack),
                    "basis": _basis([t.base_reason, *t.targets.reasons, t.days.reason]),
                    "pollutants": [{"pollutant": p.pollutant, "baseline": p.baseline, "reduction": p.reduction,
                                    "percent": p.percent, "target_percent": p.target_percent,
                                    "target_in_principle": p.pollutant in t.targets.in_principle,
                                    "shortfall": p.shortfall, "met": p.met,
                                    "industrial_baseline": p.industrial_baseline, "industrial_reduction": p.industrial_reduction,
                                    "industrial_percent": p.industrial_percent, "area_baseline": p.area_baseline,
                                    "area_reduction": p.area_reduction,
                                    "society_baseline": p.industrial_baseline + p.area_baseline,
                                    "society_reduction": p.industrial_reduction + p.area_reduction,
                                    "society_percent": p.society_percent} for p in t.pollutants],
                    "contributors": _top(t.contributions)})
    return out


def _basis(reasons) -> list[dict[str, str]]:
    """The clauses behind a level's totals, once each: the source in words, the rule id for the hover."""
    by_source: dict[str, dict[str, str]] = {}
    for r in reasons:
        if r is None:
            continue
        row = by_source.get(r.source)
        if row is None:
            where = _("local setting") if r.source == "local setting" else cite(r.source)
            by_source[r.source] = {"rule": r.rule, "source": r.source, "cite": where}
        elif r.rule not in row["rule"].split(", "):
            row["rule"] += f", {r.rule}"  # one line per clause; its rule ids together on hover
    return list(by_source.values())


def _base_reason(t) -> str:
    """Which base the pack's target uses, cited, in the reader's language (000:143/149: 全社会) — the API's text."""
    r = t.base_reason
    note = _base_note(t)
    return f"{r.rule} ({r.source}): {note}" if r else note


def _base_note(t) -> str:
    """Which base the pack's target uses, in words only (the clause goes to the page's 依据 detail)."""
    if t.base == "society_wide":
        note = _("the targets are shares of the city's whole inventory (全社会): industrial lines plus the non-industrial "
                 "sources the city entered")
        if not t.area_entered:
            note += _("; no non-industrial source has been entered, so the society-wide base is the industrial one")
    else:
        note = _("the targets are shares of the registered industrial lines' emissions")
    return note


def _days_reason(days, pack: Pack) -> str:
    """R-A-02 in the reader's language (reductions.py is pure and keeps its English note for logs) — the API's text."""
    return f"{days.reason.rule} ({days.reason.source}): {_days_note(days, pack)}"


def _days_note(days, pack: Pack) -> str:
    if days.annualised:
        return _("annual base = daily emission × the days of the line's source category")
    return _("the policy pack names no baseline days; ratios use daily emissions")


def _top(contributions, n: int = 10) -> list[dict[str, Any]]:
    ranked = sorted(contributions.items(), key=lambda kv: -sum(kv[1].values()))[:n]
    ranked = [(k, v) for k, v in ranked if sum(v.values()) > 0]
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                    .where(Enterprise.id.in_([int(k) for k, _ in ranked]))).all()) if ranked else {}
    return [{"enterprise_id": int(k), "name": names.get(int(k), k), **{p: round(x, 1) for p, x in v.items()}}
            for k, v in ranked]


CHART_POLLUTANTS = ("so2", "nox", "pm", "vocs")


def chart_data(levels: list[dict[str, Any]]) -> dict[str, Any]:
    """Reduction % vs target % per pollutant, one group per level (ECharts grouped bars).

    Everything a reader sees — axis categories, legend and series names — is a label from the label registry
    in the reader's language (issue 16: no `so2`, `nox target`, `blue` in the chart or its option data)."""
    def value(lv, p, key):
        x = next((x for x in lv["pollutants"] if x["pollutant"] == p), None)
        v = None if x is None else x[key]
        return None if v is None else round(float(v), 2)

    series = []
    for p in CHART_POLLUTANTS:
        name = codes.label("Pollutant", p)
        series.append({"name": name, "type": "bar", "data": [value(lv, p, "percent") for lv in levels]})
        series.append({"name": _("%(pollutant)s target", pollutant=name), "type": "scatter", "symbol": "diamond",
                       "symbolSize": 12, "data": [value(lv, p, "target_percent") for lv in levels]})
    return {"categories": [codes.label("AlertLevel", lv["level"]) for lv in levels],
            "y_name": "%", "series": series}


def pack_title(pack: Pack | dict | None) -> str:
    """A policy pack by its title in the reader's language (its id is only for the 依据 detail)."""
    if pack is None:
        return ""
    get = pack.get if isinstance(pack, dict) else (lambda k, d=None: getattr(pack, k, d))
    if codes.is_zh():
        return get("title") or get("id")
    return get("title_en") or get("title") or get("id")


def _day(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if codes.is_zh() else d.strftime("%-d %b %Y")


def pack_season(pack: Pack) -> str:
    """The pack's period in words: "2017年10月1日至2018年3月31日" (the stored end is exclusive)."""
    from datetime import timedelta

    return _("valid %(start)s to %(end)s", start=_day(pack.period_start), end=_day(pack.period_end - timedelta(days=1)))


# Emergency-plan events in an enterprise's history: a label only (their detail lives on the plan's page);
# registered with core.labels by the emergency blueprint (views.py).
PLAN_ACTIONS = {
    "emergency.plan.save": _l("Emergency plan (one plant, one policy) saved"),
    "emergency.plan.file": _l("Emergency plan (one plant, one policy) filed"),
}


def history_view(entry: dict) -> dict[str, Any] | None:
    action = str(entry.get("action", ""))
    if action in PLAN_ACTIONS:
        return {"action_label": str(PLAN_ACTIONS[action]), "diff": []}
    return None
