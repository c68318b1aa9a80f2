"""Scoped reads of schedules: lists, entries an actor may see, summaries, out-of-date entries (F-15)."""
from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Text, case, cast, distinct, false, func, or_, select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core.regions import enclosing_codes
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.schedules.models import ExemptionApplication, FlagChoice, Schedule, ScheduleEntry, ScheduleVersion, VersionStatus


def visible_schedules(actor):
    """Officials: schedules of regions inside their scope; administrators: all; enterprises: their region's."""
    stmt = select(Schedule)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return stmt.where(false())
    if actor.role == Role.ENTERPRISE.value:
        enterprise = db.session.get(Enterprise, actor.enterprise_id) if actor.enterprise_id else None
        if enterprise is None:
            return stmt.where(false())
        code = enterprise.region_code
        return stmt.where(Schedule.region_code.in_([code, *enclosing_codes(code)]))
    prefix = scope_prefix(actor)
    if prefix is None:
        return stmt
    code = actor.region_code or "-"
    return stmt.where(or_(Schedule.region_code.startswith(prefix), Schedule.region_code.in_(enclosing_codes(code))))


def list_schedules(actor) -> list[dict[str, Any]]:
    out = []
    enterprise = getattr(actor, "role", None) == Role.ENTERPRISE.value
    for s in db.session.scalars(visible_schedules(actor).order_by(Schedule.season_year.desc(), Schedule.id.desc())):
        # an enterprise reads what is in force: the latest published version (issue 16), not the draft
        versions = [v for v in s.versions if v.published] if enterprise else s.versions
        latest = versions[-1] if versions else None
        out.append({"id": s.id, "title": s.title, "region_code": s.region_code, "pack_id": s.pack_id,
                    "season_year": s.season_year, "versions": len(versions),
                    "latest": version_dict(latest) if latest else None})
    return out


def version_dict(v: ScheduleVersion) -> dict[str, Any]:
    return {"id": v.id, "number": v.number, "status": v.status, "pack_id": v.pack_id, "pack_sha256": v.pack_sha256,
            "engine_version": v.engine_version, "season_start": v.season_start.isoformat(),
            "season_end": v.season_end.isoformat(), "evaluation_dates": list(v.evaluation_dates),
            "filed_on": v.filed_on.isoformat() if v.filed_on else None, "recipients": v.recipients,
            "filing_reason": v.filing_reason, "supersedes_id": v.supersedes_id,
            "progress_done": v.progress_done, "progress_total": v.progress_total,
            "generation_state": v.generation_state or "", "generation_error": v.generation_error or "",
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "issuing_authority": v.issuing_authority or "", "document_number": v.document_number or "",
            "issued_on": v.issued_on.isoformat() if v.issued_on else None}


def entries(actor, version: ScheduleVersion, enterprise_id: int | None = None) -> list[ScheduleEntry]:
    """An enterprise sees only its own lines; an official the lines inside their scope (a county
    official under a city schedule: the county's). `enterprise_id`: that enterprise's lines only (a notice)."""
    return list(db.session.scalars(_entries_stmt(select(ScheduleEntry), actor, version, enterprise_id)))


def entry_rows(actor, version: ScheduleVersion, enterprise_id: int | None = None, *, offset: int | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
    """`entry_dicts(entries(...))` read as plain rows, without building an ORM object per entry first (issue 18: a
    county's schedule page reads its ~1,800 entries on every visit). `offset`/`limit`: one page of them."""
    table = ScheduleEntry.__table__
    keys = [(c.key, c.name) for c in table.columns]
    stmt = _entries_stmt(select(table), actor, version, enterprise_id)
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [{key: row[name] for key, name in keys} for row in db.session.execute(stmt).mappings()]


def _entries_stmt(stmt, actor, version: ScheduleVersion, enterprise_id: int | None):
    return _scoped(stmt, actor, version, enterprise_id).order_by(ScheduleEntry.position)


def _scoped(stmt, actor, version: ScheduleVersion, enterprise_id: int | None = None):
    """The entries of `version` the actor may read (see `entries`), without an order (aggregates)."""
    stmt = stmt.where(ScheduleEntry.version_id == version.id)
    if enterprise_id is not None:
        stmt = stmt.where(ScheduleEntry.enterprise_id == enterprise_id)
    if actor is not None and getattr(actor, "role", None) == Role.ENTERPRISE.value:
        stmt = stmt.where(ScheduleEntry.enterprise_id == (actor.enterprise_id or -1))
    elif actor is not None and getattr(actor, "is_official", False):
        prefix = scope_prefix(actor)
        if prefix is not None:
            stmt = stmt.where(ScheduleEntry.region_code.startswith(prefix))
    return stmt


def entry_dicts(entries_: list[ScheduleEntry]) -> list[dict[str, Any]]:
    """Stored entries as plain dicts of their columns (the shape generation.generate_entries produces)."""
    return [{c.key: getattr(e, c.key) for c in ScheduleEntry.__table__.columns} for e in entries_]


def flagged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries the engine flagged, one row per (entry, flag), for the official's decision list."""
    return [dict(row, flag=flag) for row in rows for flag in row["flags"]]


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Lines stopped / curtailed / exempt and capacity affected, per measure and per sector."""
    lines: dict[tuple, str] = {}
    order = {"stop": 4, "curtail": 3, "extend_coking": 2, "max_load": 1, "none": 0}
    capacity: dict[tuple, tuple] = {}
    exempt = set()
    for r in rows:
        key = (r["enterprise_id"], r["line_ref"])
        if key not in lines or order[r["measure"]] > order[lines[key]]:
            lines[key] = r["measure"]
        capacity[key] = (r["sector"], float(r["capacity"] or 0), r["capacity_unit"])
        if r.get("exemption") or any(x["rule"].startswith("X-") for x in r["reasons"]) and r["measure"] == "none":
            exempt.add(key)
    by_measure = Counter(lines.values())
    by_sector: dict[str, Counter] = {}
    cap: dict[str, dict[str, float]] = {}
    for key, measure in lines.items():
        sector, amount, unit = capacity[key]
        by_sector.setdefault(sector, Counter())[measure] += 1
        if measure != "none":
            cap.setdefault(measure, {}).setdefault(unit, 0.0)
            cap[measure][unit] += amount
    return {"lines": len(lines), "enterprises": len({k[0] for k in lines}), "by_measure": dict(by_measure),
            "exempt": len(exempt), "by_sector": {k: dict(v) for k, v in sorted(by_sector.items())},
            "capacity_affected": cap}


# ---- issue 18 item 4: the schedule page, calendar and diff read aggregates and one page, not every entry ----

_MEASURE_RANK = {"none": 0, "max_load": 1, "extend_coking": 2, "curtail": 3, "stop": 4}  # as `summary`'s order
_RANK_MEASURE = {v: k for k, v in _MEASURE_RANK.items()}
_E = ScheduleEntry


def _json_text(column):
    return func.coalesce(cast(column, Text), "null")


def entry_count(actor, version: ScheduleVersion) -> int:
    """How many entries the actor reads in this version (COUNT in the database)."""
    return db.session.scalar(_scoped(select(func.count()).select_from(_E), actor, version)) or 0


def summary_of(actor, version: ScheduleVersion) -> dict[str, Any]:
    """`summary(entry_rows(actor, version))` computed by the database (issue 18 item 4): each line's strongest
    measure, sector, capacity and unit by one GROUP BY per line, then counted and summed per (sector, measure,
    unit) by a second; exemption is decided in Python on the few candidate entries only."""
    rank = case(*((_E.measure == m, r) for m, r in _MEASURE_RANK.items()), else_=0)
    lines = _scoped(select(_E.enterprise_id, _E.line_ref, func.max(rank).label("rank"), func.max(_E.sector).label("sector"),
                           func.max(_E.capacity).label("capacity"), func.max(_E.capacity_unit).label("unit")),
                    actor, version).group_by(_E.enterprise_id, _E.line_ref).subquery()
    groups = db.session.execute(select(lines.c.sector, lines.c.rank, lines.c.unit, func.count(),
                                       func.sum(func.coalesce(lines.c.capacity, 0)))
                                .group_by(lines.c.sector, lines.c.rank, lines.c.unit)).all()
    by_measure: Counter = Counter()
    by_sector: dict[str, Counter] = {}
    cap: dict[str, dict[str, float]] = {}
    for sector, r, unit, n, amount in groups:
        measure = _RANK_MEASURE[int(r)]
        by_measure[measure] += n
        by_sector.setdefault(sector, Counter())[measure] += n
        if measure != "none":
            cap.setdefault(measure, {}).setdefault(unit, 0.0)
            cap[measure][unit] += float(amount or 0)
    enterprises = db.session.scalar(_scoped(select(func.count(distinct(_E.enterprise_id))), actor, version)) or 0
    # exempt: an exemption, or an X- rule among the reasons of a 'none' entry (`summary`'s test, on candidates only)
    candidates = _scoped(select(_E.enterprise_id, _E.line_ref, _E.measure, _E.reasons, _E.exemption), actor, version).where(
        _json_text(_E.exemption).notin_(["null", "{}"]) | ((_E.measure == "none") & (cast(_E.reasons, Text).like('%X-%'))))
    exempt = {(e, line) for e, line, measure, reasons, exemption in db.session.execute(candidates)
              if exemption or any(x["rule"].startswith("X-") for x in reasons or []) and measure == "none"}
    return {"lines": sum(by_measure.values()), "enterprises": enterprises, "by_measure": dict(by_measure),
            "exempt": len(exempt), "by_sector": {k: dict(v) for k, v in sorted(by_sector.items())},
            "capacity_affected": cap}


def flagged_of(actor, version: ScheduleVersion) -> list[dict[str, Any]]:
    """`flagged(entry_rows(...))`: only the entries carrying a flag are read."""
    table = ScheduleEntry.__table__
    keys = [(c.key, c.name) for c in table.columns]
    stmt = _entries_stmt(select(table), actor, version, None).where(_json_text(_E.flags).notin_(["null", "[]"]))
    return flagged([{key: row[name] for key, name in keys} for row in db.session.execute(stmt).mappings()])


def flagged_page_of(actor, version: ScheduleVersion, number: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """One page of `flagged(entry_rows(...))` and the number of (entry, flag) rows: the flagged entries' ids and
    flags read (narrow), the page's entries read whole."""
    table = ScheduleEntry.__table__
    pairs = [(entry_id, flag) for entry_id, flags in db.session.execute(
        _entries_stmt(select(_E.id, _E.flags), actor, version, None).where(_json_text(_E.flags).notin_(["null", "[]"])))
        for flag in flags or []]
    shown = pairs[(number - 1) * size:number * size]
    keys = [(c.key, c.name) for c in table.columns]
    whole = {row["id"]: {key: row[name] for key, name in keys} for row in db.session.execute(
        select(table).where(table.c.id.in_({entry_id for entry_id, _flag in shown}))).mappings()} if shown else {}
    return [dict(whole[entry_id], flag=flag) for entry_id, flag in shown], len(pairs)


def filed_ratio_lines_of(actor, version: ScheduleVersion) -> list[dict[str, Any]]:
    """`filed_ratio_lines(entry_rows(...))`: only entries with a ratio and the filed-plan decision are read."""
    stmt = _entries_stmt(select(_E.enterprise_id, _E.enterprise_name, _E.line_ref, _E.percentage_min, _E.applied_decisions),
                         actor, version, None).where(_E.percentage_min.is_not(None),
                                                     cast(_E.applied_decisions, Text).like(f"%{RATIO_FLAG}%"))
    return filed_ratio_lines([dict(row) for row in db.session.execute(stmt).mappings()])


def unfiled_of(actor, version: ScheduleVersion) -> dict[str, list[dict[str, Any]]]:
    """`unfiled_for_rows(entry_rows(...))`: the entries' USCCs are looked up only for enterprises with a recorded
    ratio (a few)."""
    with_ratio = set(db.session.scalars(select(FlagChoice.enterprise_id).where(FlagChoice.flag == RATIO_FLAG).distinct()))
    if not with_ratio:
        return {}
    ids = dict(db.session.execute(select(Enterprise.id, Enterprise.uscc).where(Enterprise.id.in_(with_ratio))).all())
    usccs = set(db.session.scalars(_scoped(select(_E.uscc).distinct(), actor, version).where(_E.uscc.in_(set(ids.values())))))
    ids = {eid: uscc for eid, uscc in ids.items() if uscc in usccs}
    changes = unfiled_ratio_changes(list(ids))
    return {ids[eid]: c for eid, c in changes.items()}


def own_line_refs(actor, version: ScheduleVersion) -> list[str]:
    """The line references among the actor's entries (an enterprise's own lines), sorted."""
    return sorted(set(db.session.scalars(_scoped(select(_E.line_ref).distinct(), actor, version))))


GANTT_COLUMNS = ("enterprise_id", "enterprise_name", "line_ref", "sector", "phase_start", "phase_end", "measure")


def gantt_rows(actor, version: ScheduleVersion, limit: int) -> list[dict[str, Any]]:
    """The entries of the first `limit` lines (in entry order) with the columns the calendar draws: the lines
    ordered by their first position in the database, then only their entries read."""
    first = _scoped(select(_E.enterprise_id, _E.line_ref, func.min(_E.position).label("first")), actor, version) \
        .group_by(_E.enterprise_id, _E.line_ref).order_by(func.min(_E.position)).limit(limit).subquery()
    stmt = _scoped(select(*(getattr(_E, c) for c in GANTT_COLUMNS)), actor, version).join(
        first, (first.c.enterprise_id == _E.enterprise_id) & (first.c.line_ref == _E.line_ref)).order_by(_E.position)
    return [dict(row) for row in db.session.execute(stmt).mappings()]


DIFF_COLUMNS = ("enterprise_id", "enterprise_name", "uscc", "line_ref", "line_name", "phase_start", "phase_end", "measure",
                "percentage_min", "percentage_max", "basis", "coking_time_hours", "windows")


def diff_rows(actor, version: ScheduleVersion) -> list[dict[str, Any]]:
    """The entries with only the columns diffing.diff compares (no reasons, flags, decisions: the heavy JSON)."""
    stmt = _entries_stmt(select(*(getattr(_E, c) for c in DIFF_COLUMNS)), actor, version, None)
    return [dict(row) for row in db.session.execute(stmt).mappings()]


def applications(actor, schedule: Schedule) -> list[ExemptionApplication]:
    """An enterprise sees its own applications; an official those of enterprises inside their scope (a county
    official under a city schedule: the county's, not the other counties' — issue 13 L6)."""
    stmt = select(ExemptionApplication).where(ExemptionApplication.schedule_id == schedule.id).order_by(ExemptionApplication.id)
    if getattr(actor, "role", None) == Role.ENTERPRISE.value:
        stmt = stmt.where(ExemptionApplication.enterprise_id == (actor.enterprise_id or -1))
    else:
        prefix = scope_prefix(actor)
        if prefix is not None:
            stmt = stmt.where(ExemptionApplication.region_code.startswith(prefix))
    return list(db.session.scalars(stmt))


def published_versions(region_code: str = ""):
    """The public list: published versions only, newest first."""
    stmt = select(ScheduleVersion).where(ScheduleVersion.status == VersionStatus.PUBLISHED.value)
    if region_code:  # a city's list is found from the province or the city; a county's from any of the three
        from registry.core.regions import ancestry, region_prefix

        above = ancestry(region_code)
        stmt = stmt.where(ScheduleVersion.region_code.startswith(region_prefix(region_code))
                          | ScheduleVersion.region_code.in_(above))
    return list(db.session.scalars(stmt.order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.id.desc())))




RATIO_FLAG = "ratio_in_filed_plan"  # 001:101: the district's filed plan gives the line's ratio


def ratio_values(schedule_id: int) -> dict[str, dict[str, float]]:
    """The ratio each line now has in this schedule: the latest recorded choice per (enterprise, line) for the
    filed-plan flag that entered a value, as {enterprise_id: {line_ref or "*": percent}}."""
    latest: dict[tuple[int, str], FlagChoice] = {}
    for c in db.session.scalars(select(FlagChoice).where(FlagChoice.schedule_id == schedule_id, FlagChoice.flag == RATIO_FLAG)
                                .order_by(FlagChoice.id)):
        latest[(c.enterprise_id, c.line_ref or "*")] = c
    out: dict[str, dict[str, float]] = {}
    for (eid, line), c in latest.items():
        if c.value is not None:
            out.setdefault(str(eid), {})[line] = float(c.value)
    return out


def unfiled_ratio_changes(enterprise_ids: list[int], *, filing: ScheduleVersion | None = None) -> dict[int, list[dict[str, Any]]]:
    """F-15 / D-09 (001:101): per enterprise, the lines whose ratio was changed after the schedule's last filed
    (published) version and differs from the ratio filed there — "changed without filing", treated as not
    implementing staggering until a version carrying the change is filed. A schedule never filed has no filed
    list to change. `filing`: a version about to be filed, whose ratios count as filed."""
    if not enterprise_ids:
        return {}
    stmt = select(FlagChoice).where(FlagChoice.flag == RATIO_FLAG).order_by(FlagChoice.id)
    if len(enterprise_ids) <= 500:
        stmt = stmt.where(FlagChoice.enterprise_id.in_(enterprise_ids))
    wanted = set(enterprise_ids)  # a whole city: read the (few) ratio choices and keep its enterprises'
    choices = [c for c in db.session.scalars(stmt) if c.enterprise_id in wanted]
    if not choices:
        return {}
    latest: dict[tuple[int, int, str], FlagChoice] = {}
    for c in choices:
        latest[(c.schedule_id, c.enterprise_id, c.line_ref or "*")] = c
    filed: dict[int, ScheduleVersion | None] = {}
    for sid in {k[0] for k in latest}:
        filed[sid] = db.session.scalar(select(ScheduleVersion).where(
            ScheduleVersion.schedule_id == sid, ScheduleVersion.status == VersionStatus.PUBLISHED.value)
            .order_by(ScheduleVersion.number.desc()).limit(1))
    out: dict[int, list[dict[str, Any]]] = {}
    for (sid, eid, line), c in sorted(latest.items(), key=lambda kv: kv[1].id):
        version = filing if filing is not None and filing.schedule_id == sid else filed[sid]
        if version is None:
            continue
        ratios = (version.filed_ratios or {}).get(str(eid), {})
        was = ratios.get(line)
        now = None if c.value is None else float(c.value)
        if now == was:
            continue
        if version is not filing and version.published_at is not None and c.decided_at <= version.published_at:
            continue  # recorded before that filing: the filed list is what counts
        schedule = version.schedule
        out.setdefault(eid, []).append({
            "schedule_id": sid, "schedule_title": schedule.title or f"{schedule.pack_id} {schedule.season_year}",
            "filed_version": version.number, "line_ref": None if line == "*" else line, "filed": was, "current": now,
            "recorded_on": c.decided_at.date().isoformat(), "by": c.decided_by_name, "rule": "F-15", "source": "001:101"})
    return out


def unfiled_for_rows(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The unfiled ratio changes (001:101) of the enterprises in these entry rows, keyed by USCC (public rows have
    no ids)."""
    usccs = {r["uscc"] for r in rows}
    if not usccs:
        return {}
    # only enterprises with a recorded ratio can have changed one: a few, whatever the size of the list
    with_ratio = set(db.session.scalars(select(FlagChoice.enterprise_id).where(FlagChoice.flag == RATIO_FLAG).distinct()))
    if not with_ratio:
        return {}
    ids = {eid: uscc for eid, uscc in db.session.execute(select(Enterprise.id, Enterprise.uscc)
                                                         .where(Enterprise.id.in_(with_ratio))).all() if uscc in usccs}
    changes = unfiled_ratio_changes(list(ids))
    return {ids[eid]: c for eid, c in changes.items()}


def unfiled_note(changes: list[dict[str, Any]]) -> str:
    """One line for a cell, in words (issue 16): 'Ratio changed without filing: L1 30 % → 40 %; …' (F-15, 001:101)."""
    def pct(v):
        return "—" if v is None else f"{v:g} %"

    return _("Ratio changed without filing: %(changes)s",
             changes="; ".join(f"{c['line_ref'] or '*'} {pct(c['filed'])} → {pct(c['current'])}" for c in changes))


def filed_ratio_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines whose filed-plan ratio was entered (001:101), once each, with the ratio the version carries."""
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        if r["percentage_min"] is None or not any(a.get("flag") == RATIO_FLAG for a in r["applied_decisions"]):
            continue
        seen.setdefault((r["enterprise_id"], r["line_ref"]), {
            "enterprise_id": r["enterprise_id"], "enterprise_name": r["enterprise_name"], "line_ref": r["line_ref"],
            "percent": float(r["percentage_min"])})
    return list(seen.values())
