"""Plain dicts for the emergency pages and API: totals per level, chart data, top contributors."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.emergency.models import EmergencyList
from registry.emergency.queries import totals
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.emergency import emergency_levels
from registry.policy.packs import Pack


def level_totals(lst: EmergencyList, pack: Pack) -> list[dict[str, Any]]:
    out = []
    for level in emergency_levels(pack):
        t = totals(lst, pack, level)
        out.append({"level": level, "met": t.met, "annualised": t.days.annualised,
                    "has_targets": any(p.target_percent is not None for p in t.pollutants),
                    "resplit_applied": t.targets.resplit_applied,
                    "base": t.base, "base_reason": _base_reason(t), "area_entered": t.area_entered,
                    "reasons": [f"{r.rule} ({r.source})" for r in t.targets.reasons] + [_days_reason(t.days, pack)],
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


def _base_reason(t) -> str:
    """Which base the pack's target uses, cited, in the reader's language (000:143/149: 全社会)."""
    r = t.base_reason
    if t.base == "society_wide":
        note = _("the targets are shares of the city's whole inventory (全社会): industrial lines plus the non-industrial "
                 "sources the city entered")
        if not t.area_entered:
            note += _("; no non-industrial source has been entered, so the society-wide base is the industrial one")
    else:
        note = _("the targets are shares of the registered industrial lines' emissions")
    return f"{r.rule} ({r.source}): {note}" if r else note


def _days_reason(days, pack: Pack) -> str:
    """R-A-02 in the reader's language (reductions.py is pure and keeps its English note for logs)."""
    if days.annualised:
        note = _("annual base = daily emission × the days of the line's source category")
    else:
        note = _("pack %(pack)s names no baseline days; ratios use daily emissions", pack=pack.id)
    return f"{days.reason.rule} ({days.reason.source}): {note}"


def _top(contributions, n: int = 10) -> list[dict[str, Any]]:
    ranked = sorted(contributions.items(), key=lambda kv: -sum(kv[1].values()))[:n]
    ranked = [(k, v) for k, v in ranked if sum(v.values()) > 0]
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                    .where(Enterprise.id.in_([int(k) for k, _ in ranked]))).all()) if ranked else {}
    return [{"enterprise_id": int(k), "name": names.get(int(k), k), **{p: round(x, 1) for p, x in v.items()}}
            for k, v in ranked]


def chart_data(levels: list[dict[str, Any]]) -> dict[str, Any]:
    """Reduction % vs target % per pollutant, one group per level (ECharts grouped bars)."""
    pollutants = ["so2", "nox", "pm", "vocs"]
    return {"levels": [lv["level"] for lv in levels], "pollutants": pollutants,
            "reduction": {p: [round(next(x["percent"] for x in lv["pollutants"] if x["pollutant"] == p), 2) for lv in levels]
                          for p in pollutants},
            "target": {p: [next(x["target_percent"] for x in lv["pollutants"] if x["pollutant"] == p) for lv in levels]
                       for p in pollutants}}


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
