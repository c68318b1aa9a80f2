"""Emergency-list use cases: write and file a 一厂一策 plan, compile and file a city list version,
run the optimizer, decide its proposals and turn the accepted ones into the list's next version.

Pages, API and CLI call these, so the permission check, the pack-minimum check, immutability and
the audit entry cannot be skipped by choosing another door. Operations flush; callers commit.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.core import audit
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.regions import get_region
from registry.core.timeutil import utcnow
from registry.core.validation import load
from registry.core.versions import MISSING_VERSION, NO_VERSION
from registry.emergency import auth, queries
from registry.emergency.explain import dump_explanation
from registry.emergency.minimum import floors
from registry.emergency.models import (
    AreaSource,
    EmergencyList,
    EmergencyPlan,
    ListEntry,
    PlanEntry,
    Proposal,
    ProposalStatus,
    Status,
)
from registry.emergency.optimizer import Candidate, Report, optimize, options_for
from registry.emergency.schemas import AreaSourceInput, EmergencyDecisionInput, EmergencyListInput, EmergencyPlanInput
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades.current import EmergencyStanding, emergency_standing
from registry.notices.schemas import LetterheadInput, letterhead_values
from registry.policy.emergency import Action, LineFacts, MeasureRules, baseline_days, emergency_levels, level_targets
from registry.policy.facts import measure_line_facts
from registry.policy.packs import ENGINE_VERSION, Pack, get_pack, pack_sha256


def _pack(pack_id: str) -> Pack:
    pack = get_pack(pack_id)
    if pack is None:
        raise ValidationFailed(_("Some fields are invalid."), {"pack_id": [_("Unknown policy pack %(id)s.", id=pack_id)]})
    return pack


# ---- enterprise plans (一厂一策) ----

def _enterprise(actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not auth.can_view_plan(actor, enterprise):
        raise NotFound(_("Not found."))
    return enterprise


def get_plan(actor, plan_id: int) -> EmergencyPlan:
    plan = db.session.get(EmergencyPlan, plan_id)
    if plan is None:
        raise NotFound(_("Not found."))
    _enterprise(actor, plan.enterprise_id)
    return plan


def prefill(actor, enterprise_id: int, pack_id: str) -> list[dict[str, Any]]:
    """The form's starting point: the latest plan's entries, else the pack's floor for the grade, with the
    enterprise's contact as the responsible person."""
    enterprise = _enterprise(actor, enterprise_id)
    pack = _pack(pack_id)
    latest = queries.latest_plan(enterprise.id, pack.id)
    if latest is not None:
        return [_entry_dict(e) for e in latest.entries]
    minimum = floors(enterprise, pack, emergency_levels(pack), emergency_standing([enterprise.id]).get(enterprise.id))
    rules = MeasureRules(pack)
    return [{"line_id": line.id, "level": level, "measure": f.measure,
             "percent": f.percent if f.measure != "curtail" or f.percent else _first_step(rules, enterprise, line),
             "key_indicators": "", "responsible_person": enterprise.contact_person, "contact": enterprise.contact_phone}
            for level in emergency_levels(pack) for line in enterprise.lines
            if (f := minimum.get((line.id, level))) is not None]


def _first_step(rules: MeasureRules, enterprise: Enterprise, line) -> float:
    """A floor of 'curtail' without a percentage (the pack names none, e.g. 001:101's ratio from the filed plan,
    or a coking extension) is pre-filled with the line's first allowed curtailment step (measures.py) — a
    starting point the enterprise changes, never below the floor."""
    facts = LineFacts(**measure_line_facts(line, enterprise))
    steps = [p for m, p in rules.allowed(facts).steps if m == "curtail"]
    steps = steps or [float(p) for p in rules.default.get("curtail", [])]
    return steps[0] if steps else 10.0


def _entry_dict(e: PlanEntry) -> dict[str, Any]:
    return {"line_id": e.line_id, "level": e.level, "measure": e.measure, "percent": float(e.percent),
            "key_indicators": e.key_indicators, "responsible_person": e.responsible_person, "contact": e.contact}


def _check_plan(enterprise: Enterprise, pack: Pack, grades: EmergencyStanding | None, entries: list[dict]) -> None:
    """Every line at every level of the pack (R-A-03), no entry weaker than the engine's floor (003:51)."""
    levels = emergency_levels(pack)
    lines = {line.id: line for line in enterprise.lines}
    errors: dict[str, list[str]] = {}
    seen = set()
    for i, e in enumerate(entries):
        key = f"entries.{i}"
        if e["line_id"] not in lines:
            errors.setdefault(key, []).append(_("This line does not belong to the enterprise."))
        elif e["level"] not in levels:
            errors.setdefault(key, []).append(_("The pack has no %(level)s alert level.", level=e["level"]))
        elif (e["line_id"], e["level"]) in seen:
            errors.setdefault(key, []).append(_("Each line has one measure per alert level."))
        elif e["measure"] == "curtail" and not e["percent"]:
            errors.setdefault(key, []).append(_("A curtailment needs its percentage."))
        seen.add((e["line_id"], e["level"]))
    for line in lines.values():
        for level in levels:
            if (line.id, level) not in seen:
                errors.setdefault(f"{line.code}.{level}", []).append(
                    _("Every line needs a measure at every alert level (R-A-03, 003:50)."))
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    minimum = floors(enterprise, pack, levels, grades)
    for i, e in enumerate(entries):
        floor = minimum.get((e["line_id"], e["level"]))
        line = lines[e["line_id"]]
        grade = grades.for_line(line.sector or enterprise.sector) if grades is not None else None
        if floor is not None and not floor.allows(e["measure"], e["percent"]):
            need = _("stop") if floor.measure == "stop" else (
                _("curtail at least %(p)s %%", p=f"{floor.percent:g}") if floor.measure == "curtail" else _("no measure"))
            errors.setdefault(f"entries.{i}", []).append(_(
                "Weaker than the pack requires for grade %(grade)s at %(level)s: %(need)s (%(clauses)s).",
                grade=grade or _("ungraded"), level=e["level"], need=need,
                clauses="; ".join(floor.clauses) or pack.id))
    if errors:
        raise ValidationFailed(_("The plan is weaker than the pack requires."), errors)


def save_plan(actor, enterprise_id: int, data: dict[str, Any]) -> EmergencyPlan:
    """Write the enterprise's draft plan (a new version after a filed one); refuse one below the pack's floor."""
    enterprise = _enterprise(actor, enterprise_id)
    if not auth.can_write_plan(actor, enterprise):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(EmergencyPlanInput(), data)
    pack = _pack(values["pack_id"])
    grades = emergency_standing([enterprise.id]).get(enterprise.id)
    grade = grades.worst() if grades is not None else None
    _check_plan(enterprise, pack, grades, values["entries"])
    latest = queries.latest_plan(enterprise.id, pack.id)
    if latest is not None and latest.status == Status.DRAFT.value:
        plan = latest
        plan.entries.clear()
        db.session.flush()
    else:
        plan = EmergencyPlan(enterprise_id=enterprise.id, region_code=enterprise.region_code, pack_id=pack.id,
                             number=(latest.number + 1) if latest else 1, supersedes_id=latest.id if latest else None,
                             created_by_id=actor.id)
        db.session.add(plan)
    plan.grade = grade
    plan.entries.extend(PlanEntry(**e) for e in values["entries"])
    db.session.flush()
    audit.record(actor, "emergency.plan.save", plan, root=enterprise, region_code=enterprise.region_code,
                 after={"pack_id": pack.id, "number": plan.number, "entries": values["entries"]})
    return plan


def file_plan(actor, plan_id: int) -> EmergencyPlan:
    plan = get_plan(actor, plan_id)
    enterprise = db.session.get(Enterprise, plan.enterprise_id)
    if not auth.can_write_plan(actor, enterprise):
        raise Forbidden(_("You do not have permission to do this."))
    if plan.status != Status.DRAFT.value:
        raise Conflict(_("This plan is already filed; write a new version."))
    plan.status = Status.FILED.value
    plan.filed_at = utcnow()
    db.session.flush()
    audit.record(actor, "emergency.plan.file", plan, root=enterprise, region_code=enterprise.region_code,
                 before={"status": "draft"}, after={"status": "filed", "number": plan.number})
    return plan


# ---- city lists ----

def get_list(actor, list_id: int) -> EmergencyList:
    lst = db.session.get(EmergencyList, list_id)
    if lst is None or not auth.can_view_list(actor, lst.region_code):
        raise NotFound(_("Not found."))
    return lst


def _managed(actor, list_id: int) -> EmergencyList:
    lst = get_list(actor, list_id)
    if not auth.can_manage_list(actor, lst.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    return lst


def _next_number(region_code: str, pack_id: str) -> int:
    n = db.session.scalar(select(func.max(EmergencyList.number)).where(
        EmergencyList.region_code == region_code, EmergencyList.pack_id == pack_id))
    return (n or 0) + 1


def _check_resplit(pack: Pack, resplit: dict[str, dict[str, float]]) -> None:
    errors = {}
    for level, split in resplit.items():
        t = level_targets(pack, level, split)
        if not t.resplit_applied:
            errors[f"resplit.{level}"] = [t.resplit_rejected or _("The pack allows no SO₂/NOx re-split (R-A-01).")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)


def compile_list(actor, data: dict[str, Any]) -> EmergencyList:
    """A new draft version of the city's list from every covered enterprise's latest filed plan; lines
    without one count in the base and reduce nothing (R-A-03: the list must cover all emitters)."""
    values = load(EmergencyListInput(), data)
    region = get_region(values["region_code"])
    if region is None:
        raise ValidationFailed(_("Some fields are invalid."), {"region_code": [_("Unknown region code %(code)s.", code=values["region_code"])]})
    if not auth.can_manage_list(actor, region.code):
        raise Forbidden(_("You do not have permission to do this."))
    pack = _pack(values["pack_id"])
    _check_resplit(pack, values["resplit"])
    previous = db.session.scalar(select(EmergencyList).where(
        EmergencyList.region_code == region.code, EmergencyList.pack_id == pack.id)
        .order_by(EmergencyList.number.desc()).limit(1))
    lst = EmergencyList(region_code=region.code, pack_id=pack.id, pack_sha256=pack_sha256(pack.id),
                        engine_version=ENGINE_VERSION, number=_next_number(region.code, pack.id),
                        supersedes_id=previous.id if previous else None, resplit=values["resplit"],
                        note=values["note"], created_by_id=actor.id, area_sources=queries.area_snapshot(region.code))
    db.session.add(lst)
    enterprises = queries.covered_enterprises(region.code)
    plans = queries.latest_filed_plans([e.id for e in enterprises], pack.id)
    grades = emergency_standing([e.id for e in enterprises])  # each line by its own industry (issue 14 point 4)
    weights = queries.capacity_weights([line for e in enterprises for line in e.lines])
    levels = emergency_levels(pack)
    for ent in enterprises:
        plan = plans.get(ent.id)
        planned = {(p.line_id, p.level): p for p in plan.entries} if plan else {}
        for line in ent.lines:
            for level in levels:
                p = planned.get((line.id, level))
                lst.entries.append(ListEntry(
                    enterprise_id=ent.id, line_id=line.id, plan_id=plan.id if p else None, level=level,
                    measure=p.measure if p else "none", percent=p.percent if p else 0, origin="plan" if p else "none",
                    grade=grades[ent.id].for_line(line.sector or ent.sector) if ent.id in grades else None, key_indicators=p.key_indicators if p else "",
                    responsible_person=p.responsible_person if p else "", contact=p.contact if p else "",
                    baseline_class=queries.baseline_class(line, ent),
                    daily_so2_kg=line.daily_emission_so2_kg or 0, daily_nox_kg=line.daily_emission_nox_kg or 0,
                    daily_pm_kg=line.daily_emission_pm_kg or 0, daily_vocs_kg=line.daily_emission_vocs_kg or 0,
                    capacity_weight=round(weights.get(line.id, 1.0), 4)))
    db.session.flush()
    audit.record(actor, "emergency.list.compile", lst, after={"pack_id": pack.id, "number": lst.number,
                                                              "enterprises": len(enterprises), "plans": len(plans)})
    return lst


# ---- the city's non-industrial inventory (全社会, 000:143, 000:149) ----

def _area_dict(a: AreaSource) -> dict[str, Any]:
    return {"category": a.category, "pollutant": a.pollutant, "daily_kg": float(a.daily_kg), "note": a.note,
            **{f"reduction_{lv}": float(getattr(a, f"reduction_{lv}")) for lv in ("blue", "yellow", "orange", "red")}}


def list_area_sources(actor, region_code: str) -> list[AreaSource]:
    if not auth.can_view_list(actor, region_code):
        raise NotFound(_("Not found."))
    return queries.area_sources(region_code)


def save_area_source(actor, data: dict[str, Any]) -> AreaSource:
    """Enter or correct one source category's daily emission of one pollutant and its reduction per level; the
    city's list officials (who compile the list) do it. Lists compiled afterwards freeze the inventory."""
    values = load(AreaSourceInput(), data)
    region = get_region(values["region_code"])
    if region is None:
        raise ValidationFailed(_("Some fields are invalid."), {"region_code": [_("Unknown region code %(code)s.", code=values["region_code"])]})
    if not auth.can_manage_list(actor, region.code):
        raise Forbidden(_("You do not have permission to do this."))
    expected = values.pop("version")
    row = db.session.scalar(select(AreaSource).where(AreaSource.region_code == region.code, AreaSource.category == values["category"],
                                                     AreaSource.pollutant == values["pollutant"]))
    before = _area_dict(row) if row is not None else None
    if row is None:
        row = AreaSource(**values, updated_by_id=actor.id)
        db.session.add(row)
    else:
        if expected is not None and expected != row.version:
            raise Conflict(_("The record was changed by someone else. Reload and try again."))
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_by_id = actor.id
    db.session.flush()
    after = _area_dict(row)
    if before is None:
        audit.record(actor, "emergency.area_source.add", row, after=after, region_code=region.code)
    elif before != after:
        audit.record(actor, "emergency.area_source.update", row, before=before, after=after, region_code=region.code)
    return row


def delete_area_source(actor, source_id: int) -> None:
    row = db.session.get(AreaSource, source_id)
    if row is None or not auth.can_view_list(actor, row.region_code):
        raise NotFound(_("Not found."))
    if not auth.can_manage_list(actor, row.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    audit.record(actor, "emergency.area_source.delete", row, before=_area_dict(row), region_code=row.region_code)
    db.session.delete(row)
    db.session.flush()


def file_list(actor, list_id: int, data: dict[str, Any] | None = None) -> EmergencyList:
    """File the version; `data` may give the notices' letterhead (issuing authority, document number, date;
    registry/notices/schemas.py), else the region's bureau and today (Beijing)."""
    lst = _managed(actor, list_id)
    letterhead = letterhead_values(load(LetterheadInput(), data or {}), lst.region_code)
    # Lock the row and re-read its status: of two officials filing at once, the second waits for the
    # first's commit and then sees "filed" (without the lock both would file it and audit it twice).
    db.session.refresh(lst, with_for_update=True)
    if lst.status != Status.DRAFT.value:
        raise Conflict(_("This list is already filed; compile a new version."))
    lst.status = Status.FILED.value
    lst.filed_at = utcnow()
    for key, value in letterhead.items():
        setattr(lst, key, value)
    db.session.flush()
    audit.record(actor, "emergency.list.file", lst, before={"status": "draft"},
                 after={"status": "filed", "number": lst.number, "issuing_authority": lst.issuing_authority,
                        "document_number": lst.document_number, "issued_on": lst.issued_on.isoformat()})
    return lst


# ---- optimizer proposals ----

def candidates(lst: EmergencyList, pack: Pack, level: str, facts: dict[int, LineFacts]) -> list[Candidate]:
    """Each line's stronger allowed measures at `level` (measures.py: from the pack and the line's facts),
    priced in capacity and valued on the annual base."""
    days = baseline_days(pack)
    rules = MeasureRules(pack)
    lines, actions = queries.list_baselines(lst)
    now = actions.get(level, {})
    out = []
    for line in lines:
        allowed = rules.allowed(facts.get(int(line.line_id), LineFacts()))
        n = days.of(line.baseline_class)
        base = {p: v * n for p, v in line.daily.items()}
        current = now.get((line.enterprise_id, line.line_id), Action("none")).fraction
        opts = options_for(base, current, line.capacity_weight, allowed.steps, allowed.label)
        if opts and any(v > 0 for v in base.values()):
            out.append(Candidate(line.enterprise_id, line.line_id, line.grade, opts,
                                 tuple(g.as_dict() for g in allowed.grounds)))
    return out


def protects_a(pack: Pack) -> bool:
    """A-grade lines are untouched where the pack says grade A takes no measure (R-G-03, 003:51)."""
    return ((pack.section("emergency_grading") or {}).get("grade_a") or {}).get("measure") == "none"


def propose(actor, list_id: int, level: str, *, time_limit: float = 10.0) -> Report:
    """Run the optimizer on the level's shortfall; replaces the level's undecided proposals."""
    lst = _managed(actor, list_id)
    if lst.status != Status.DRAFT.value:
        raise Conflict(_("This list is already filed; compile a new version."))
    pack = _pack(lst.pack_id)
    if level not in emergency_levels(pack):
        raise ValidationFailed(_("Some fields are invalid."), {"level": [_("The pack has no %(level)s alert level.", level=level)]})
    totals = queries.totals(lst, pack, level)
    report = optimize(candidates(lst, pack, level, queries.line_facts(lst)), totals.shortfall(),
                      protect_a=protects_a(pack), time_limit=time_limit)
    for old in db.session.scalars(select(Proposal).where(Proposal.list_id == lst.id, Proposal.level == level,
                                                         Proposal.status == ProposalStatus.PROPOSED.value)):
        db.session.delete(old)
    solver = {"status": report.status, "gap": report.gap, "seconds": round(report.seconds, 3),
              "capacity_lost": report.capacity_lost, "variables": report.variables}
    for p in report.proposals:
        db.session.add(Proposal(list_id=lst.id, region_code=lst.region_code, enterprise_id=int(p.enterprise_id),
                                line_id=int(p.line_id), level=level, measure=p.measure, percent=p.percent,
                                grade=p.grade, reduction={k: round(v, 3) for k, v in p.reduction.items()},
                                capacity_lost=round(p.capacity_lost, 4), explanation=dump_explanation(p.explanation),
                                solver=solver))
    db.session.flush()
    audit.record(actor, "emergency.list.optimize", lst, after={"level": level, **solver, "proposals": len(report.proposals)})
    return report


def _check_open_for_proposals(lst: EmergencyList) -> None:
    """Proposals belong to the newest draft version: a filed list is immutable, and working on an older
    version would fork the list (two versions both superseding it) — issue 13 L7."""
    blocker = queries.proposals_blocker(lst)  # the same words the list page shows beside the disabled buttons
    if blocker is not None:
        raise Conflict(blocker)


def decide_proposal(actor, proposal_id: int, data: dict[str, Any]) -> Proposal:
    """Accept (as proposed or edited) or reject one proposal; nothing changes the list until it is applied."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("Not found."))
    lst = _managed(actor, proposal.list_id)
    db.session.refresh(lst, with_for_update=True)  # a concurrent filing or apply is seen, not raced
    _check_open_for_proposals(lst)
    values = load(EmergencyDecisionInput(), data)
    if values["version"] == MISSING_VERSION:  # a page form without its version (issue 13 L11)
        raise ValidationFailed(str(NO_VERSION), {"version": [str(NO_VERSION)]})
    if values["version"] is not None and values["version"] != proposal.version:
        raise Conflict(_("The record was changed by someone else. Reload and try again."))
    if proposal.status not in (ProposalStatus.PROPOSED.value, ProposalStatus.ACCEPTED.value, ProposalStatus.REJECTED.value):
        raise Conflict(_("This proposal is already part of a list version."))
    before = {"status": proposal.status, "measure": proposal.measure, "percent": float(proposal.percent)}
    if values["decision"] == "accept":
        if values["measure"] or values["percent"] is not None:
            proposal.solver = {**(proposal.solver or {}), "edited": True}
        if values["measure"]:
            proposal.measure = values["measure"]
            proposal.percent = 100.0 if values["measure"] == "stop" else (values["percent"] or float(proposal.percent))
        elif values["percent"] is not None and proposal.measure == "curtail":
            proposal.percent = values["percent"]
        proposal.status = ProposalStatus.ACCEPTED.value
    else:
        proposal.status = ProposalStatus.REJECTED.value
    proposal.decided_by_id = actor.id
    proposal.decided_at = utcnow()
    db.session.flush()
    audit.record(actor, "emergency.proposal.decide", proposal, before=before,
                 after={"status": proposal.status, "measure": proposal.measure, "percent": float(proposal.percent)})
    return proposal


def apply_proposals(actor, list_id: int) -> EmergencyList:
    """The list's next version: a copy with every accepted proposal in place; the old version is untouched."""
    old = _managed(actor, list_id)
    db.session.refresh(old, with_for_update=True)
    _check_open_for_proposals(old)
    accepted = {(p.line_id, p.level): p for p in db.session.scalars(select(Proposal).where(
        Proposal.list_id == old.id, Proposal.status == ProposalStatus.ACCEPTED.value))}
    if not accepted:
        raise Conflict(_("No accepted proposals to apply."))
    new = EmergencyList(region_code=old.region_code, pack_id=old.pack_id, pack_sha256=pack_sha256(old.pack_id),
                        engine_version=ENGINE_VERSION, number=_next_number(old.region_code, old.pack_id),
                        supersedes_id=old.id, resplit=dict(old.resplit or {}), note=old.note, created_by_id=actor.id,
                        area_sources=list(old.area_sources or []))  # the same inventory: the proposals closed its gap
    db.session.add(new)
    copy = ("enterprise_id", "line_id", "plan_id", "level", "measure", "percent", "origin", "grade", "key_indicators",
            "responsible_person", "contact", "explanation", "baseline_class", "daily_so2_kg", "daily_nox_kg",
            "daily_pm_kg", "daily_vocs_kg", "capacity_weight")
    for e in old.entries:
        row = ListEntry(**{k: getattr(e, k) for k in copy})
        p = accepted.get((e.line_id, e.level))
        if p is not None:
            row.measure, row.percent, row.explanation = p.measure, p.percent, p.explanation
            row.origin = "official" if (p.solver or {}).get("edited") else "optimizer"
        new.entries.append(row)
    for p in accepted.values():
        p.status = ProposalStatus.APPLIED.value
    db.session.flush()
    audit.record(actor, "emergency.list.apply_proposals", new, after={"supersedes": old.id, "applied": len(accepted)})
    return new
