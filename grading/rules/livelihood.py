"""Livelihood guarantee (保民生): maximum allowed load instead of the sector stop (R-L-01, R-LF-04, 000:133).

Tasks and sectors are open lists (等): an unlisted one is flagged, never silently in or out. A missed
filing deadline has no stated consequence: the sector rule stays and the case is flagged (T-07).
"""
from __future__ import annotations

from grading.decisions import Reason
from grading.facts import LineFacts
from grading.rules.base import Context, Proposal, applied, coded, flag, line_sector, reason
from grading.vocab import Basis, Measure


def livelihood_measure(ctx: Context, line: LineFacts, base: Proposal) -> Proposal:
    node = ctx.pack.section("livelihood")
    if not node or line.livelihood_task is None or base.measure in (Measure.NONE,):
        return base
    listed_sector = line_sector(ctx, line).value in node["sectors"]
    if not listed_sector and not node.get("open_list_sectors"):
        return base
    flags = []
    if line.livelihood_task.value not in node["tasks"]:
        flags.append(flag("open_list_livelihood_task", node,
                          "等保民生任务 is an open list; whether this task counts is for an official.",
                          ("counts", "does_not_count"), "does_not_count"))
    if not listed_sector:
        flags.append(flag("open_list_livelihood_sector", node,
                          "水泥等行业 is an open list; whether this sector's livelihood load rule applies is for an official.",
                          ("applies", "does_not_apply"), "does_not_apply"))
    for fl in list(flags):
        d = ctx.decision(fl.code)
        if d and d.choice in ("counts", "applies"):
            flags.remove(fl)
            base = base.plus(applied=(applied(d, node),))
    if flags:
        return base.plus(flags=flags)
    if node["outcome"] == "flag_no_load_rule":  # R-L-02 (001:99): no load figure, no filing step
        return base.plus(reasons=(reason(node, "应保障基本民生需求"),),
                         flags=(flag("livelihood_no_load_rule", node,
                                     "Livelihood task: basic needs must be guaranteed but the source sets no load or "
                                     "filing rule; an official fixes the load.", ("enter_max_load",), None),))
    deadline = node["filing_deadline"]
    if line.livelihood_filed_on is None or line.livelihood_filed_on > deadline or line.livelihood_max_load is None:
        return base.plus(reasons=(coded(node, "livelihood.not_filed", deadline=deadline),),
                         flags=(flag("livelihood_filing_missed", node,
                                     f"Max allowed load not filed with the city government by {deadline}; the source "
                                     "states no consequence. Default: the sector rule applies.",
                                     ("sector_rule", "max_load"), "sector_rule", deadline=deadline),))
    from grading.rules.heating import applicant_flags, applicant_reasons
    return Proposal(Measure.MAX_LOAD, line.livelihood_max_load, line.livelihood_max_load, Basis.PRODUCTION_LOAD,
                    windows=base.windows,
                    reasons=(coded(node, "livelihood.filed", load=line.livelihood_max_load, filed_on=line.livelihood_filed_on),
                             Reason("R-L-01", node["source"]), Reason("D-02", node["source"])) + applicant_reasons(ctx),
                    flags=applicant_flags(ctx))
