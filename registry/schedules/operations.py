"""Schedule use cases: create and generate a draft, record flag choices, applications and their
decisions, publish (freeze + file), start a new version, compare and reproduce versions.

Pages, API and CLI call these; each checks its predicate first, flushes, writes the audit log.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Callable

from flask_babel import gettext as _
from sqlalchemy import delete, select

from registry.accounts.scopes import region_in_scope
from registry.core import audit
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.regions import get_region, region_prefix
from registry.core.timeutil import utcnow
from registry.core.validation import load
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades.current import grade_facts
from registry.notices.schemas import letterhead_values
from registry.policy.facts import evaluate_document, reviewed_enterprises
from registry.schedules import auth, generation, provenance, queries, storage
from registry.schedules.models import (
    ApplicationKind,
    ApplicationStatus,
    ExemptionApplication,
    FlagChoice,
    Schedule,
    ScheduleEntry,
    ScheduleInput,
    ScheduleVersion,
    VersionStatus,
)
from registry.schedules.schemas import CreateInput, DecideInput, FlagChoiceInput, PublishInput, ScheduleApplicationInput

Progress = Callable[[int, int], None]
Phases = Callable[[int, int, str], None]  # done, total, phase
CHUNK = 500


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), {field: [message]})


# ---- reading -------------------------------------------------------------------------------

def get_schedule(actor, schedule_id: int) -> Schedule:
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None or not auth.can_view_schedule(actor, schedule):
        raise NotFound(_("Not found."))
    return schedule


def get_version(actor, version_id: int) -> ScheduleVersion:
    version = db.session.get(ScheduleVersion, version_id)
    if version is None or not auth.can_view_version(actor, version):
        raise NotFound(_("Not found."))
    return version


def shown_version(actor, schedule: Schedule) -> ScheduleVersion | None:
    """The version a reader lands on: officials the latest; an enterprise the latest published one (issue 16:
    a draft only when it opens one sent to it, auth.draft_sent_to)."""
    if getattr(actor, "role", None) != "enterprise":
        return latest_version(schedule)
    return next((v for v in reversed(schedule.versions) if v.published), None)


def versions_for(actor, schedule: Schedule) -> list[ScheduleVersion]:
    return [v for v in schedule.versions if auth.can_view_version(actor, v)]


def _drafting(actor, schedule: Schedule) -> None:
    if not auth.can_draft_schedule(actor, schedule.region_code):
        raise Forbidden(_("You do not have permission to do this."))


def latest_version(schedule: Schedule) -> ScheduleVersion | None:
    return schedule.versions[-1] if schedule.versions else None


def _draft_of(actor, schedule_id: int) -> tuple[Schedule, ScheduleVersion]:
    schedule = get_schedule(actor, schedule_id)
    _drafting(actor, schedule)
    version = latest_version(schedule)
    if version is None or version.published:
        raise Conflict(_("This schedule has no draft version; start a new version first."))
    return schedule, version


# ---- creating and generating -----------------------------------------------------------------

def create_schedule(actor, data: dict[str, Any]) -> Schedule:
    values = load(CreateInput(), data)
    region = get_region(values["region_code"])
    if region is None:
        raise _invalid("region_code", _("Unknown region code."))
    if not auth.can_draft_schedule(actor, region.code):
        raise Forbidden(_("You do not have permission to do this."))
    covered = provenance.seasons(values["pack_id"])
    if values["season_year"] not in covered:
        raise _invalid("season_year", _("The pack %(pack)s covers the heating season starting in %(years)s only.",
                                        pack=values["pack_id"], years=", ".join(str(y) for y in covered) or "—")
                       if covered else _("Unknown policy pack."))
    exists = db.session.scalar(select(Schedule).where(Schedule.region_code == region.code, Schedule.pack_id == values["pack_id"],
                                                     Schedule.season_year == values["season_year"]))
    if exists is not None:
        raise Conflict(_("A schedule for this region, pack and season already exists."))
    schedule = Schedule(created_by_id=actor.id, **values)
    db.session.add(schedule)
    db.session.flush()
    audit.record(actor, "schedule.create", schedule, after=values, region_code=region.code)
    return schedule


def _enterprises(schedule: Schedule) -> list[Enterprise]:
    """The region's enterprises as last approved, with lines, in USCC order (issue 14 point 10: reviewed facts
    only — a reopened registration keeps its approved facts, a never-approved one is not scheduled)."""
    return sorted((e for e in reviewed_enterprises(region_prefix=region_prefix(schedule.region_code)) if e.lines), key=lambda e: e.uscc)


def _choices(schedule: Schedule) -> dict[int, list[dict]]:
    """The latest recorded choice per (enterprise, line, flag), as official_decisions entries."""
    latest: dict[tuple, FlagChoice] = {}
    for c in db.session.scalars(select(FlagChoice).where(FlagChoice.schedule_id == schedule.id).order_by(FlagChoice.id)):
        latest[(c.enterprise_id, c.line_ref, c.flag)] = c
    out: dict[int, list[dict]] = {}
    for (eid, line, flag), c in sorted(latest.items(), key=lambda kv: kv[1].id):
        entry = {"flag": flag, "choice": c.choice, "by": c.decided_by_name or str(c.decided_by_id), "reason": c.reason,
                 "date": c.decided_at.date().isoformat()}
        if line:
            entry["line"] = line
        out.setdefault(eid, []).append(entry)
    return out


def _approved(schedule: Schedule) -> list[dict]:
    apps = db.session.scalars(select(ExemptionApplication).where(
        ExemptionApplication.schedule_id == schedule.id, ExemptionApplication.status == ApplicationStatus.APPROVED.value)
        .order_by(ExemptionApplication.id))
    return [{"id": a.id, "enterprise_id": a.enterprise_id, "line_ref": a.line_ref, "kind": a.kind, "clause": a.clause,
             "start": a.requested_start.isoformat(), "end": a.requested_end.isoformat(),
             "max_load": float(a.max_load) if a.max_load is not None else None, "residual": a.residual} for a in apps]


def current_inputs(schedule: Schedule, on: date, progress: Progress | None = None) -> list[dict]:
    """Evaluate documents of the region's registrations today, with their effective grades and the
    recorded flag choices."""
    choices = _choices(schedule)
    out = []
    enterprises = _enterprises(schedule)
    grades = grade_facts([e.id for e in enterprises], on)
    unfiled = queries.unfiled_ratio_changes([e.id for e in enterprises])
    for enterprise in enterprises:
        doc = evaluate_document(enterprise, pack=schedule.pack_id, on=on, extra=grades.get(enterprise.id),
                                unfiled_ratio_changes=unfiled.get(enterprise.id))
        known = {line["line_id"] for line in doc["enterprise"]["lines"]}
        decisions = [d for d in choices.get(enterprise.id, []) if d.get("line") in (None, *known)]
        if decisions:
            doc["official_decisions"] = decisions
        text = provenance.canonical_json(doc)
        out.append({"enterprise_id": enterprise.id, "uscc": enterprise.uscc, "region_code": enterprise.region_code,
                    "document": doc, "document_json": text, "facts_sha256": provenance.text_sha256(text)})
        if progress and len(out) % 200 == 0:
            progress(len(out), len(enterprises))
    if progress:
        progress(len(out), len(enterprises))
    return out


def out_of_date(version: ScheduleVersion) -> dict[str, Any]:
    """F-15: which enterprises' registered facts changed since this version (added, changed, removed)."""
    stored = {i.enterprise_id: i.facts_sha256 for i in db.session.scalars(
        select(ScheduleInput).where(ScheduleInput.version_id == version.id))}
    now = {i["enterprise_id"]: i["facts_sha256"] for i in current_inputs(version.schedule, version.season_start)}
    changed = sorted(e for e in stored.keys() & now.keys() if stored[e] != now[e])
    return {"changed": changed, "added": sorted(now.keys() - stored.keys()), "removed": sorted(stored.keys() - now.keys())}


def _store(version: ScheduleVersion, inputs: list[dict], rows: list[dict], applications: list[dict]) -> None:
    """Replace the draft's inputs and entries (one executemany each) — in the caller's one transaction."""
    db.session.execute(delete(ScheduleEntry).where(ScheduleEntry.version_id == version.id))
    db.session.execute(delete(ScheduleInput).where(ScheduleInput.version_id == version.id))
    storage.insert_inputs(version.id, inputs)
    storage.insert_entries(version.id, rows)
    version.exemptions = applications
    version.progress_done = version.progress_total = 3 * len(inputs)
    db.session.flush()
    db.session.expire(version, ["entries", "inputs"])


def _fill(version: ScheduleVersion, inputs: list[dict], applications: list[dict], progress: Progress | None) -> None:
    """Generate and store a draft from prepared inputs (needs `document_json` and `facts_sha256`, as
    current_inputs makes them); bench/schedules.py times this."""
    dates = [date.fromisoformat(d) for d in version.evaluation_dates]
    version.filed_ratios = queries.ratio_values(version.schedule_id)
    rows = generation.generate_entries(inputs, version.pack_id, dates, version.season_end, applications, progress,
                                       ratios=version.filed_ratios)
    _store(version, inputs, rows, applications)


RUNNING = ("queued", "reading", "evaluating", "storing")
STALE_AFTER = timedelta(minutes=10)  # no heartbeat for this long: the worker (runner.py) died with its process


def is_stale(heartbeat: datetime | None) -> bool:
    return heartbeat is None or heartbeat < utcnow() - STALE_AFTER


def generation_running(version: ScheduleVersion | None) -> bool:
    """A worker (runner.py) is generating this draft now — unless its heartbeat stopped (a crash)."""
    return (version is not None and version.generation_state in RUNNING
            and not is_stale(version.generation_heartbeat))


def generate(actor, schedule_id: int, progress: Phases | None = None, *, claimed: bool = False) -> ScheduleVersion:
    """(Re)generate the draft version — the first one, or refresh the current draft — from today's facts.

    Everything is read and computed first; the writes (version, inputs, entries) come last, in the caller's one
    transaction, so nothing partial is ever committed and progress can be recorded meanwhile (runner.py).
    `progress(done, total, phase)` counts 3 steps per enterprise: read, evaluated, stored."""
    schedule = get_schedule(actor, schedule_id)
    _drafting(actor, schedule)
    version = latest_version(schedule)
    if version is not None and version.published:
        raise Conflict(_("The latest version is published; start a new version with a filing reason."))
    if not claimed and generation_running(version):
        raise Conflict(_("A generation of this schedule is already running."))
    report = progress or (lambda done, total, phase: None)
    start, end = provenance.season_bounds(schedule.pack_id, schedule.season_year)
    dates = provenance.evaluation_dates(schedule.pack_id, start, end)
    inputs = current_inputs(schedule, start, lambda done, total: report(done, 3 * total, "reading"))
    n = len(inputs)
    applications = _approved(schedule)
    ratios = queries.ratio_values(schedule.id)
    report(n, 3 * n, "evaluating")
    rows = generation.generate_entries(inputs, schedule.pack_id, dates, end, applications, ratios=ratios)
    report(2 * n, 3 * n, "storing")
    # ---- writes from here on
    if version is None:
        version = ScheduleVersion(schedule=schedule, number=1, status=VersionStatus.DRAFT.value, region_code=schedule.region_code,
                                  pack_id=schedule.pack_id, season_start=start, season_end=end, created_by_id=actor.id)
        db.session.add(version)
    version.pack_sha256 = provenance.pack_sha256(schedule.pack_id)
    version.engine_version = provenance.ENGINE_VERSION
    version.evaluation_dates = [d.isoformat() for d in dates]
    version.filed_ratios = ratios
    db.session.flush()
    _store(version, inputs, rows, applications)
    audit.record(actor, "schedule.generate", version, root=schedule,
                 after={"number": version.number, "enterprises": len(inputs), "pack_sha256": version.pack_sha256})
    return version


def open_version(actor, schedule_id: int) -> ScheduleVersion:
    """The draft to (re)generate: the current draft, version 1, or — after a publication — a new version that
    supersedes it (001:101), still without entries. A concurrent creation of the same number is a 409."""
    from sqlalchemy.exc import IntegrityError

    schedule = get_schedule(actor, schedule_id)
    _drafting(actor, schedule)
    current = latest_version(schedule)
    if current is not None and not current.published:
        return current
    start, end = provenance.season_bounds(schedule.pack_id, schedule.season_year)
    version = ScheduleVersion(schedule=schedule, number=(current.number + 1) if current else 1, status=VersionStatus.DRAFT.value,
                              region_code=schedule.region_code, pack_id=schedule.pack_id,
                              season_start=current.season_start if current else start,
                              season_end=current.season_end if current else end,
                              supersedes_id=current.id if current else None, created_by_id=actor.id,
                              pack_sha256="", engine_version="", evaluation_dates=[])
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("A generation of this schedule is already running.")) from None
    return version


def new_version(actor, schedule_id: int, progress: Phases | None = None) -> ScheduleVersion:
    """A published list changes only through a new version (001:101); it is generated afresh."""
    schedule = get_schedule(actor, schedule_id)
    _drafting(actor, schedule)
    current = latest_version(schedule)
    if current is None or not current.published:
        raise Conflict(_("The latest version is still a draft: edit that one."))
    open_version(actor, schedule_id)
    return generate(actor, schedule_id, progress)


# ---- flags, applications ---------------------------------------------------------------------

def _regenerate_enterprise(schedule: Schedule, version: ScheduleVersion, enterprise_id: int, *,
                           filing: ScheduleVersion | None = None) -> None:
    """Re-run one enterprise of the draft with its stored facts and the choices now recorded; only its
    input and entries are rewritten (its entry positions are reserved, generation.SLOT). Its ratios changed
    since the last filing (001:101) are read again: `filing` is this version when it is being filed."""
    item = db.session.scalar(select(ScheduleInput).where(ScheduleInput.version_id == version.id,
                                                         ScheduleInput.enterprise_id == enterprise_id))
    if item is None:
        return
    doc = {k: v for k, v in item.document.items() if k != "official_decisions"}
    version.filed_ratios = queries.ratio_values(schedule.id)
    unfiled = queries.unfiled_ratio_changes([enterprise_id], filing=filing).get(enterprise_id)
    ent = {k: v for k, v in doc["enterprise"].items() if k != "staggering_list_changed_without_filing"}
    if unfiled:
        ent["staggering_list_changed_without_filing"] = True
    doc["enterprise"] = ent
    known = {line["line_id"] for line in doc["enterprise"]["lines"]}
    choices = [d for d in _choices(schedule).get(enterprise_id, []) if d.get("line") in (None, *known)]
    if choices:
        doc["official_decisions"] = choices
    item.document = doc
    item.facts_sha256 = provenance.facts_sha256(doc)
    applications = [a for a in version.exemptions if a["enterprise_id"] == enterprise_id]  # as generated
    dates = [date.fromisoformat(d) for d in version.evaluation_dates]
    rows = generation.generate_entries([{"enterprise_id": enterprise_id, "uscc": item.uscc, "region_code": item.region_code,
                                         "document": doc, "position": item.position}],
                                       version.pack_id, dates, version.season_end, applications, ratios=version.filed_ratios)
    db.session.execute(delete(ScheduleEntry).where(ScheduleEntry.version_id == version.id,
                                                   ScheduleEntry.enterprise_id == enterprise_id))
    storage.insert_entries(version.id, rows)
    db.session.flush()
    db.session.expire(version, ["entries", "inputs"])


def record_flag_choice(actor, schedule_id: int, data: dict[str, Any]) -> FlagChoice:
    """An official resolves a flag with a recorded choice and reason; the draft is re-evaluated."""
    schedule, version = _draft_of(actor, schedule_id)
    if generation_running(version):
        raise Conflict(_("A generation of this schedule is already running."))
    values = load(FlagChoiceInput(), data)
    mine = [e for e in version.entries if e.enterprise_id == values["enterprise_id"]
            and (values["line_ref"] is None or e.line_ref == values["line_ref"])]
    flagged = [e for e in mine if any(f["code"] == values["flag"] for f in e.flags)]
    # a choice already applied may be recorded again (a filed ratio changes only this way, 001:101)
    applied = {a["choice"] for e in mine for a in e.applied_decisions if a.get("flag") == values["flag"]}
    if not flagged and not applied:
        raise _invalid("flag", _("No entry of this draft carries this flag."))
    options = {o for e in flagged for f in e.flags if f["code"] == values["flag"] for o in f.get("options", [])} | applied
    if options and values["choice"] not in options:
        raise _invalid("choice", _("Choose one of: %(options)s", options=", ".join(sorted(options))))
    choice = FlagChoice(schedule_id=schedule.id, decided_by_id=actor.id,
                        decided_by_name=getattr(actor, "full_name", "") or actor.username, **values)
    db.session.add(choice)
    db.session.flush()
    _regenerate_enterprise(schedule, version, values["enterprise_id"])
    after = dict(values, value=None if values.get("value") is None else float(values["value"]))
    audit.record(actor, "schedule.flag_choice", choice, root=schedule, after=after, region_code=schedule.region_code)
    return choice


def apply(actor, schedule_id: int, enterprise_id: int, data: dict[str, Any]) -> ExemptionApplication:
    """An enterprise applies for an exemption or a livelihood maximum load for one of its lines."""
    schedule = get_schedule(actor, schedule_id)
    if not auth.can_apply(actor, enterprise_id):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(ScheduleApplicationInput(), data)
    enterprise = db.session.get(Enterprise, enterprise_id)
    if values["line_ref"] not in {line.code or str(line.id) for line in enterprise.lines}:
        raise _invalid("line_ref", _("Not a line of this enterprise."))
    start, end = provenance.season_bounds(schedule.pack_id, schedule.season_year)
    if values["requested_start"] < start or values["requested_end"] > end:
        raise _invalid("requested_start", _("The window must lie inside the heating season."))
    if values["kind"] == ApplicationKind.EXEMPTION.value:
        values["max_load"] = None
    app = ExemptionApplication(schedule_id=schedule.id, enterprise_id=enterprise_id, region_code=enterprise.region_code,
                               created_by_id=actor.id, **values)
    db.session.add(app)
    db.session.flush()
    audit.record(actor, "schedule.apply", app, root=schedule, after={k: str(v) for k, v in values.items()})
    return app


def get_application(actor, application_id: int) -> ExemptionApplication:
    app = db.session.get(ExemptionApplication, application_id)
    if app is None:
        raise NotFound(_("Not found."))
    schedule = get_schedule(actor, app.schedule_id)
    if actor.role == "enterprise" and not auth.can_apply(actor, app.enterprise_id):
        raise NotFound(_("Not found."))
    if actor.role != "enterprise" and not region_in_scope(actor, app.region_code):
        raise NotFound(_("Not found."))  # another county's application under the city's schedule (issue 13 L6)
    del schedule
    return app


def decide_application(actor, application_id: int, data: dict[str, Any]) -> ExemptionApplication:
    """Approve or reject with reasons; an approval changes the entry in the next generated version."""
    app = get_application(actor, application_id)
    schedule = db.session.get(Schedule, app.schedule_id)
    _drafting(actor, schedule)
    values = load(DecideInput(), data)
    if values["version"] != app.row_version:
        raise Conflict(_("The record was changed by someone else. Reload and try again."))
    if app.status != ApplicationStatus.SUBMITTED.value:
        raise Conflict(_("This application has already been decided."))
    app.status = (ApplicationStatus.APPROVED if values["approve"] else ApplicationStatus.REJECTED).value
    app.decision_reason = values["reason"]
    app.residual = values["residual"] if values["approve"] else ""
    app.decided_by_id = actor.id
    app.decided_at = utcnow()
    db.session.flush()
    audit.record(actor, "schedule.decide_application", app, root=schedule,
                 after={"status": app.status, "reason": app.decision_reason, "residual": app.residual})
    return app


# ---- publishing --------------------------------------------------------------------------------

def publish(actor, schedule_id: int, data: dict[str, Any]) -> ScheduleVersion:
    """Freeze and file the draft (date, recipients); a later version must say why it was re-filed."""
    schedule, version = _draft_of(actor, schedule_id)
    values = load(PublishInput(), data)
    if generation_running(version):
        raise Conflict(_("A generation of this schedule is already running."))
    if version.generation_state == "failed" or not version.pack_sha256:
        raise Conflict(_("The draft has not been generated successfully: generate it again."))
    if version.number > 1 and not values["filing_reason"].strip():
        raise _invalid("filing_reason", _("A re-filed version needs a filing reason."))
    if version.pack_sha256 != provenance.pack_sha256(version.pack_id):
        raise Conflict(_("The policy pack changed since this draft was generated: generate it again."))
    # 001:101: filing this version files the ratios it carries; enterprises marked for an unfiled change are
    # evaluated again without the mark, unless a change this version does not carry remains.
    ratio_ids = set(db.session.scalars(select(FlagChoice.enterprise_id).where(
        FlagChoice.schedule_id == schedule.id, FlagChoice.flag == queries.RATIO_FLAG).distinct()))
    for item in db.session.scalars(select(ScheduleInput).where(ScheduleInput.version_id == version.id,
                                                               ScheduleInput.enterprise_id.in_(ratio_ids))).all():
        if item.document["enterprise"].get("staggering_list_changed_without_filing"):
            _regenerate_enterprise(schedule, version, item.enterprise_id, filing=version)
    letterhead = letterhead_values(values, schedule.region_code)  # the notices' letterhead (reads: before the freeze)
    version.status = VersionStatus.PUBLISHED.value
    version.filed_on = values["filed_on"]
    version.recipients = values["recipients"].strip()
    version.filing_reason = values["filing_reason"].strip()
    for key, value in letterhead.items():
        setattr(version, key, value)
    version.published_by_id = actor.id
    version.published_at = utcnow()
    db.session.flush()
    audit.record(actor, "schedule.publish", version, root=schedule,
                 after={"number": version.number, "filed_on": version.filed_on.isoformat(), "recipients": version.recipients,
                        "issuing_authority": version.issuing_authority, "document_number": version.document_number,
                        "issued_on": version.issued_on.isoformat()})
    return version


def reproduce(version: ScheduleVersion) -> list[dict]:
    """Regenerate a version's entries from what it recorded (inputs, dates, applications)."""
    if version.pack_sha256 != provenance.pack_sha256(version.pack_id):
        raise Conflict(_("The policy pack file differs from the one this version was generated with."))
    inputs = [{"enterprise_id": i.enterprise_id, "uscc": i.uscc, "region_code": i.region_code, "document": i.document}
              for i in version.inputs]
    dates = [date.fromisoformat(d) for d in version.evaluation_dates]
    return generation.generate_entries(inputs, version.pack_id, dates, version.season_end, version.exemptions,
                                       ratios=version.filed_ratios)

