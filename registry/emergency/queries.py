"""Scoped reads for emergency lists: the lines a list covers, its totals per level, its proposals."""
from __future__ import annotations

import statistics
from collections import OrderedDict, defaultdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from registry.core.regions import region_prefix
from registry.emergency.models import AreaSource as AreaSourceRow
from registry.emergency.models import EmergencyList, EmergencyPlan, Proposal, ProposalStatus, Status
from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db
from registry.policy.emergency import Action, AreaSource, LevelTotals, LineBaseline, LineFacts, city_totals
from registry.policy.facts import measure_line_facts, reviewed_enterprises
from registry.policy.packs import Pack


def baseline_class(line: ProductionLine, enterprise: Enterprise) -> str:
    """R-A-02 (002:582): residential-heating boilers count 120 days; every other registry line is industrial."""
    if line.kind == "boiler" and enterprise.livelihood_task == "residential_heating":
        return "heating_boiler"
    return "industrial"


def covered_enterprises(region_code: str | None = None, *, prefix: str | None = None,
                        ids: list[int] | None = None) -> list[Enterprise]:
    """Approved registrations in the region, as last approved: the list covers every air-emitting one (R-A-03,
    003:50) on reviewed facts only (issue 14 point 10) — a reopened registration stays with its approved lines
    and emissions until the amendment is approved. Detached records (registry/enterprises/approved.py); a line
    deleted from the registry since the approval has no row left to list and is left out. By region, by code
    prefix, or by enterprise ids (the alert orders of a list version, registry/emergency/orders.py)."""
    if ids is not None:
        enterprises = reviewed_enterprises(ids)
    else:
        enterprises = reviewed_enterprises(region_prefix=prefix if prefix is not None else region_prefix(region_code or ""))
    ids = [line.id for e in enterprises for line in e.lines]
    alive: set[int] = set()
    for i in range(0, len(ids), 1000):
        alive.update(db.session.scalars(select(ProductionLine.id).where(ProductionLine.id.in_(ids[i:i + 1000]))))
    for e in enterprises:
        gone = [line for line in e.lines if line.id not in alive]
        for line in gone:
            e.lines.remove(line)
    return enterprises


def capacity_weights(lines: list[ProductionLine]) -> dict[int, float]:
    """Stopping a line costs its capacity in 'typical lines of its sector and unit' (median = 1)."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for line in lines:
        if line.capacity:
            groups[(line.sector, line.capacity_unit)].append(float(line.capacity))
    medians = {k: statistics.median(v) for k, v in groups.items()}
    return {line.id: (float(line.capacity) / medians[(line.sector, line.capacity_unit)]
                      if line.capacity and medians.get((line.sector, line.capacity_unit)) else 1.0)
            for line in lines}


def latest_filed_plans(enterprise_ids: list[int], pack_id: str) -> dict[int, EmergencyPlan]:
    newest = (select(EmergencyPlan.enterprise_id, func.max(EmergencyPlan.number).label("n"))
              .where(EmergencyPlan.pack_id == pack_id, EmergencyPlan.status == Status.FILED.value,
                     EmergencyPlan.enterprise_id.in_(enterprise_ids))
              .group_by(EmergencyPlan.enterprise_id).subquery())
    stmt = (select(EmergencyPlan).join(newest, (newest.c.enterprise_id == EmergencyPlan.enterprise_id)
                                       & (newest.c.n == EmergencyPlan.number))
            .where(EmergencyPlan.pack_id == pack_id).options(selectinload(EmergencyPlan.entries)))
    return {p.enterprise_id: p for p in db.session.scalars(stmt)}


def latest_plan(enterprise_id: int, pack_id: str) -> EmergencyPlan | None:
    return db.session.scalar(select(EmergencyPlan).where(EmergencyPlan.enterprise_id == enterprise_id,
                                                         EmergencyPlan.pack_id == pack_id)
                             .order_by(EmergencyPlan.number.desc()).limit(1))


def list_baselines(lst: EmergencyList) -> tuple[list[LineBaseline], dict[str, dict[tuple[str, str], Action]]]:
    """The list's frozen lines and, per level, each line's action (keys are str ids for the pure layer)."""
    seen: dict[int, LineBaseline] = {}
    actions: dict[str, dict[tuple[str, str], Action]] = defaultdict(dict)
    if "entries" in lst.__dict__ or lst.id is None:  # loaded (an operation working on the list): those objects
        rows = lst.entries
    else:  # issue 18: plain columns, not 100,000 ORM objects for a city's list of 5,000 enterprises
        from registry.emergency.models import ListEntry

        rows = db.session.execute(select(
            ListEntry.enterprise_id, ListEntry.line_id, ListEntry.level, ListEntry.measure, ListEntry.percent,
            ListEntry.daily_so2_kg, ListEntry.daily_nox_kg, ListEntry.daily_pm_kg, ListEntry.daily_vocs_kg,
            ListEntry.baseline_class, ListEntry.grade, ListEntry.capacity_weight)
            .where(ListEntry.list_id == lst.id).order_by(ListEntry.id)).all()
    for e in rows:
        key = (str(e.enterprise_id), str(e.line_id))
        if e.line_id not in seen:
            seen[e.line_id] = LineBaseline(key[0], key[1], {
                "so2": float(e.daily_so2_kg), "nox": float(e.daily_nox_kg), "pm": float(e.daily_pm_kg),
                "vocs": float(e.daily_vocs_kg)}, e.baseline_class, e.grade, float(e.capacity_weight))
        actions[e.level][key] = Action(e.measure, float(e.percent))
    return list(seen.values()), actions


def line_facts(lst: EmergencyList) -> dict[int, LineFacts]:
    """line id → what the pack's measure rules match on (industry, sub-type, process, fuel, interruptible,
    livelihood task), read now from the approved facts (issue 14 point 10): a list freezes emissions and grades,
    not the line's description, and an unapproved amendment changes neither."""
    ids = {e.line_id for e in lst.entries}
    if not ids:
        return {}
    out: dict[int, LineFacts] = {}
    for ent in reviewed_enterprises(sorted({e.enterprise_id for e in lst.entries})):
        for r in ent.lines:
            if r.id in ids:
                out[r.id] = LineFacts(**measure_line_facts(r, ent))
    return out


def area_of(lst: EmergencyList) -> list[AreaSource]:
    """The non-industrial inventory frozen with the list when it was compiled (000:149: 全社会)."""
    return [AreaSource(a["category"], a["pollutant"], float(a["daily_kg"]), {k: float(v) for k, v in a["reductions"].items()})
            for a in (lst.area_sources or [])]


def area_sources(region_code: str) -> list[AreaSourceRow]:
    return list(db.session.scalars(select(AreaSourceRow).where(AreaSourceRow.region_code == region_code)
                                   .order_by(AreaSourceRow.category, AreaSourceRow.pollutant)))


def area_snapshot(region_code: str) -> list[dict[str, Any]]:
    return [{"category": a.category, "pollutant": a.pollutant, "daily_kg": float(a.daily_kg), "reductions": a.reductions(),
             "note": a.note} for a in area_sources(region_code)]


def totals(lst: EmergencyList, pack: Pack, level: str) -> LevelTotals:
    lines, actions = list_baselines(lst)
    return city_totals(pack, level, lines, actions.get(level, {}), (lst.resplit or {}).get(level), area_of(lst))


_TOTALS: OrderedDict[tuple, dict[str, LevelTotals]] = OrderedDict()  # (list id, compiled at, pack) → level → totals


def totals_by_level(lst: EmergencyList, pack: Pack, levels: list[str]) -> dict[str, LevelTotals]:
    """`totals` of each level, the list's lines read once. A list version's entries, resplit and inventory are fixed
    when it is compiled (a change is a new version; filing only stamps its status: emergency/dashboard.py), so the
    totals are remembered per process by (id, compiled at, pack) — the list page of a city of 5,000 enterprises
    (issue 18 item 4: 5 s) adds its lines once, not on every visit."""
    key = (lst.id, lst.created_at.isoformat() if lst.created_at else "", lst.pack_sha256, pack.id, tuple(levels))
    if lst.id is not None and key in _TOTALS:
        _TOTALS.move_to_end(key)
        return _TOTALS[key]
    lines, actions = list_baselines(lst)
    area = area_of(lst)
    out = {level: city_totals(pack, level, lines, actions.get(level, {}), (lst.resplit or {}).get(level), area)
           for level in levels}
    if lst.id is not None:
        _TOTALS[key] = out
        while len(_TOTALS) > 64:
            _TOTALS.popitem(last=False)
    return out


def lists_in_scope(region_prefixes: str | None) -> list[EmergencyList]:
    stmt = select(EmergencyList).order_by(EmergencyList.region_code, EmergencyList.pack_id, EmergencyList.number.desc())
    if region_prefixes is not None:
        stmt = stmt.where(EmergencyList.region_code.startswith(region_prefixes))
    return list(db.session.scalars(stmt))


def proposals_blocker(lst: EmergencyList) -> str | None:
    """Why the proposals of `lst` cannot be decided or applied now, or None: a filed list is immutable, and working
    on an older version would fork the list (two versions both superseding it) — issue 13 L7. The list page shows it
    beside the disabled button; operations refuse with it (issue 16 item 3)."""
    if lst.status != Status.DRAFT.value:
        return _("This list version is filed: its proposals can no longer be decided or applied. Compile a new version.")
    newer = db.session.scalar(select(EmergencyList.number).where(
        EmergencyList.region_code == lst.region_code, EmergencyList.pack_id == lst.pack_id,
        EmergencyList.number > lst.number).limit(1))
    if newer is not None:
        return _("A newer version (%(number)s) of this list exists: work on that one.", number=newer)
    return None


def apply_blocker(lst: EmergencyList) -> str | None:
    """Why no version can be made from the accepted proposals of `lst` now, or None."""
    blocker = proposals_blocker(lst)
    if blocker is None and not db.session.scalar(select(Proposal.id).where(
            Proposal.list_id == lst.id, Proposal.status == ProposalStatus.ACCEPTED.value).limit(1)):
        blocker = _("No accepted proposals to apply.")
    return blocker


def proposals_of(list_id: int) -> list[Proposal]:
    return list(db.session.scalars(select(Proposal).where(Proposal.list_id == list_id).order_by(Proposal.level, Proposal.id)))


def list_entries(lst: EmergencyList, enterprise_ids: set[int] | None = None) -> list:
    """The list's entries (`enterprise_ids`: those enterprises' only — a page of orders, or one enterprise's own —
    by a query, not the city's whole list: issue 16, 1.7 s → a query)."""
    if enterprise_ids is None:
        return list(lst.entries)
    from registry.emergency.models import ListEntry

    return list(db.session.scalars(select(ListEntry).where(ListEntry.list_id == lst.id,
                                                           ListEntry.enterprise_id.in_(sorted(enterprise_ids)))
                                   .order_by(ListEntry.id)))


def entries_with_line(lst: EmergencyList, enterprise_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """One row per entry with the enterprise and line names, for pages, export and orders (`enterprise_ids`: as
    list_entries)."""
    chosen = list_entries(lst, enterprise_ids)
    ents = {e.id: e for e in db.session.scalars(select(Enterprise).where(
        Enterprise.id.in_({x.enterprise_id for x in chosen})))}
    lines = {ln.id: ln for ln in db.session.scalars(select(ProductionLine).where(
        ProductionLine.id.in_({x.line_id for x in chosen})))}
    out = []
    for x in chosen:
        ent, line = ents[x.enterprise_id], lines[x.line_id]
        out.append({"entry": x, "enterprise": ent, "line": line})
    return out




def changes_from_previous(lst: EmergencyList) -> list[dict[str, Any]]:
    """What this version changed against the one it supersedes: (enterprise, line, level, before → after)."""
    if lst.supersedes_id is None:
        return []
    old = db.session.get(EmergencyList, lst.supersedes_id)
    before = {(e.line_id, e.level): e for e in old.entries}
    changed = [(e, before.get((e.line_id, e.level))) for e in lst.entries]
    changed = [(e, b) for e, b in changed if b is None or (b.measure, float(b.percent)) != (e.measure, float(e.percent))]
    if not changed:
        return []
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                    .where(Enterprise.id.in_({e.enterprise_id for e, _ in changed}))).all())
    codes = dict(db.session.execute(select(ProductionLine.id, ProductionLine.code)
                                    .where(ProductionLine.id.in_({e.line_id for e, _ in changed}))).all())
    return [{"enterprise": names.get(e.enterprise_id, ""), "line": codes.get(e.line_id, ""), "level": e.level,
             "before": (b.measure, float(b.percent)) if b else None, "after": (e.measure, float(e.percent)),
             "origin": e.origin} for e, b in changed]


def filed_lists_naming(enterprise_id: int) -> list[EmergencyList]:
    """The newest filed version of each list (per city and pack) that names the enterprise: what it must do on
    an alert day (issue 16, "我的应急减排措施"). One query for the versions, one for the lists."""
    from registry.emergency.models import ListEntry

    named = (select(EmergencyList.region_code, EmergencyList.pack_id, func.max(EmergencyList.number).label("n"))
             .join(ListEntry, ListEntry.list_id == EmergencyList.id)
             .where(ListEntry.enterprise_id == enterprise_id, EmergencyList.status == Status.FILED.value)
             .group_by(EmergencyList.region_code, EmergencyList.pack_id).subquery())
    stmt = (select(EmergencyList).join(named, (named.c.region_code == EmergencyList.region_code)
                                       & (named.c.pack_id == EmergencyList.pack_id) & (named.c.n == EmergencyList.number))
            .order_by(EmergencyList.filed_at.desc(), EmergencyList.id.desc()))
    return list(db.session.scalars(stmt))


def own_entries(lst: EmergencyList, enterprise_id: int) -> list[dict[str, Any]]:
    """The enterprise's own rows of a list, one per line with its measure at each level."""
    from registry.emergency.models import ListEntry

    rows = db.session.scalars(select(ListEntry).where(ListEntry.list_id == lst.id, ListEntry.enterprise_id == enterprise_id)
                              .order_by(ListEntry.line_id, ListEntry.id))
    lines: dict[int, dict[str, Any]] = {}
    names = dict(db.session.execute(select(ProductionLine.id, ProductionLine.code + " " + ProductionLine.name)
                                    .where(ProductionLine.enterprise_id == enterprise_id)).all())
    for e in rows:
        line = lines.setdefault(e.line_id, {"line_id": e.line_id, "line": names.get(e.line_id, ""), "levels": {}})
        line["levels"][e.level] = {"measure": e.measure, "percent": float(e.percent), "key_indicators": e.key_indicators,
                                   "responsible_person": e.responsible_person, "contact": e.contact}
    return list(lines.values())


def enterprise_ids_of(lst: EmergencyList) -> list[int]:
    """The enterprises a list names, in id order (one DISTINCT query; the orders page pages through them)."""
    from registry.emergency.models import ListEntry

    return list(db.session.scalars(select(ListEntry.enterprise_id).where(ListEntry.list_id == lst.id).distinct()
                                   .order_by(ListEntry.enterprise_id)))
