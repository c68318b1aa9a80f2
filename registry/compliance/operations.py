"""Writes of the compliance domain (issue 19), each with its audit entry; views, API and CLI stay thin.

- `run_checks`: every alert-day order and published schedule window of a period in the actor's region, checked
  over the readings (checks.evaluate); idempotent: the OPEN anomaly of a run key is replaced, an acted-on one is
  kept, none is ever duplicated.
- `ask_explanation` / `explain`: the enterprise is asked in its inbox to explain by a due time; it answers.
- `assign_inspection` / `record_inspection`: the county's task and the visit (who, when, found, photos,
  signatures); the outcome cleared | violation | falsified goes into the grades' findings workflow
  (registry.grades.operations.record_finding: violation → one step down, falsified → C, R-G-09 003:17) with the
  anomaly linked in the finding's reason.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.models import Role
from registry.accounts.scopes import region_in_scope, scope_prefix
from registry.alerts.models import AlertEpisode, AlertOrder, InboxMessage
from registry.compliance import checks
from registry.compliance.models import (
    OPEN_STATUSES,
    OUTCOMES,
    Anomaly,
    Explanation,
    InspectionPhoto,
    InspectionRecord,
    InspectionTask,
)
from registry.core import audit, codes, timeutil
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.enterprises.models import ProductionLine
from registry.extensions import db
from registry.readings.models import Meter, Stack
from registry.schedules.models import ScheduleEntry, ScheduleVersion, VersionStatus

EXPLAIN_HOURS = 48  # local setting COMPLIANCE_EXPLAIN_HOURS: time the enterprise has to explain
INSPECT_DAYS = 7  # local setting COMPLIANCE_INSPECT_DAYS: time the county has to inspect
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _cfg(name: str, default):
    return current_app.config.get(name, default)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def is_official(actor) -> bool:
    return getattr(actor, "is_system", False) or (getattr(actor, "is_authenticated", False) and actor.is_official)


def can_view(actor, anomaly: Anomaly) -> bool:
    if getattr(actor, "is_system", False):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.role == Role.ENTERPRISE.value:
        return actor.enterprise_id == anomaly.enterprise_id
    return actor.is_official and region_in_scope(actor, anomaly.region_code)


def get_anomaly(actor, anomaly_id: int) -> Anomaly:
    a = db.session.get(Anomaly, anomaly_id)
    if a is None or not can_view(actor, a):
        raise NotFound(_("Not found."))
    return a


# ---------------------------------------------------------------- what to check

def _now_bj() -> datetime:
    return timeutil.beijing_now().replace(tzinfo=None, minute=0, second=0, microsecond=0)


def order_windows(prefix: Optional[str], start: datetime, end: datetime) -> list[checks.Window]:
    """Every alert order (issued, superseded or ended) overlapping [start, end) in the region prefix, clipped."""
    stmt = (select(AlertOrder, AlertEpisode.pack_id).join(AlertEpisode, AlertEpisode.id == AlertOrder.episode_id))
    if prefix:
        stmt = stmt.where(AlertOrder.region_code.startswith(prefix))
    out = []
    for order, pack_id in db.session.execute(stmt):
        ws = checks.to_beijing(order.window_start)
        we = checks.to_beijing(order.window_end) if order.window_end else end
        lo, hi = max(ws, start), min(we, end)
        if hi <= lo:
            continue
        content = order.content or {}
        lines = tuple(checks.LineOrder(ln.get("line_id"), str(ln.get("name") or ln.get("code") or ""),
                                       str(ln.get("measure") or "none"),
                                       float(ln["percent"]) if ln.get("percent") is not None else None)
                      for ln in content.get("lines", []))
        ban = any(str(t.get("restriction", "")).startswith("no_") for t in content.get("transport", []) or [])
        out.append(checks.Window("order", order.id, order.enterprise_id, order.region_code, pack_id, lo, hi, lines,
                                 order.level, ban, order.episode_id))
    return out


def schedule_windows(prefix: Optional[str], start: datetime, end: datetime) -> list[checks.Window]:
    """The stop/curtail windows of the newest published version of every schedule, clipped to [start, end)."""
    versions = select(ScheduleVersion).where(ScheduleVersion.status == VersionStatus.PUBLISHED.value)
    if prefix:
        versions = versions.where(ScheduleVersion.region_code.startswith(prefix[:4] if len(prefix) > 4 else prefix))
    newest: dict[int, ScheduleVersion] = {}
    for v in db.session.scalars(versions):
        if v.schedule_id not in newest or v.number > newest[v.schedule_id].number:
            newest[v.schedule_id] = v
    if not newest:
        return []
    entries = db.session.scalars(select(ScheduleEntry).where(
        ScheduleEntry.version_id.in_([v.id for v in newest.values()]),
        ScheduleEntry.measure.in_(("stop", "curtail"))))
    pack_of = {v.id: v.pack_id for v in newest.values()}
    wanted = [e for e in entries if not prefix or e.region_code.startswith(prefix)]
    line_ids = {(ln.enterprise_id, ln.code): ln.id for ln in db.session.scalars(select(ProductionLine).where(
        ProductionLine.enterprise_id.in_({e.enterprise_id for e in wanted})))} if wanted else {}
    out = []
    for e in wanted:
        spans = e.windows or [{"start": e.phase_start.isoformat(), "end": e.phase_end.isoformat()}]
        for span in spans:
            lo = max(datetime.fromisoformat(str(span["start"])), start)
            hi = min(datetime.fromisoformat(str(span["end"])), end)
            if hi <= lo:
                continue
            pct = e.percentage_max if e.percentage_max is not None else e.percentage_min
            line = checks.LineOrder(line_ids.get((e.enterprise_id, e.line_ref)), e.line_name or e.line_ref, e.measure,
                                    float(pct) if pct is not None else None)
            out.append(checks.Window("schedule", e.id, e.enterprise_id, e.region_code, pack_of[e.version_id], lo, hi,
                                     (line,)))
    return out


def monitoring_windows(prefix: Optional[str], start: datetime, end: datetime, ordered: set[int]) -> list[checks.Window]:
    """The whole period for every enterprise with meters or stacks and no order or schedule window in it: the duties
    that hold at all times are checked there — the control facility runs while production runs (004:335) and CEMS
    transmits ≥ 90 % in normal production too (001:107, 003:55, R-V-07; 002:424 over a month)."""
    from registry.enterprises.models import Enterprise
    from registry.policy.packs import pack_for_region

    ids = set(db.session.scalars(select(Meter.enterprise_id).where(Meter.active.is_(True))))
    ids |= set(db.session.scalars(select(Stack.enterprise_id).where(Stack.active.is_(True))))
    ids -= ordered
    if not ids or end <= start:
        return []
    stmt = select(Enterprise.id, Enterprise.region_code).where(Enterprise.id.in_(sorted(ids)))
    if prefix:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix))
    rows = db.session.execute(stmt).all()
    packs = {region: pack_for_region(region) for region in {r for _e, r in rows}}  # one lookup per county, not per enterprise
    return [checks.Window("monitoring", eid, eid, region, packs[region], start, end) for eid, region in rows]


def alert_days(prefix: Optional[str], before: datetime, days: int) -> set[date]:
    """Days of alert episodes in the region in the baseline's reach before `before` (not normal days: the baseline
    leaves them out, registry/readings/baseline.py)."""
    lo = (before - timedelta(days=days * 2 + 14)).replace(tzinfo=timeutil.BEIJING)
    stmt = select(AlertEpisode).where((AlertEpisode.lifted_at.is_(None)) | (AlertEpisode.lifted_at >= lo))
    if prefix:
        stmt = stmt.where(AlertEpisode.region_code.startswith(prefix[:4] if len(prefix) > 4 else prefix))
    out: set[date] = set()
    for ep in db.session.scalars(stmt):
        a = checks.to_beijing(ep.starts_at).date()
        b = checks.to_beijing(ep.lifted_at).date() if ep.lifted_at else before.date()
        while a <= b and a < before.date():
            out.add(a)
            a += timedelta(days=1)
    return out


def _subjects(enterprise_ids: Iterable[int]) -> tuple[list[checks.MeterInfo], list[checks.StackInfo]]:
    ids = sorted(set(enterprise_ids))
    if not ids:
        return [], []
    meters = [checks.MeterInfo(m.id, m.enterprise_id, m.line_id, m.role, m.facility or m.code)
              for m in db.session.scalars(select(Meter).where(Meter.enterprise_id.in_(ids), Meter.active.is_(True)))]
    stacks = [checks.StackInfo(s.id, s.enterprise_id, s.line_id, s.name)
              for s in db.session.scalars(select(Stack).where(Stack.enterprise_id.in_(ids), Stack.active.is_(True)))]
    return meters, stacks


# ---------------------------------------------------------------- the run

def run_checks(actor, first: date, last: date, store=None, region_code: Optional[str] = None) -> dict[str, int]:
    """Check every order and schedule window of the days [first, last] in the actor's region (or `region_code`
    within it). Returns counts: windows, checked, anomalies (open now), new, replaced, kept."""
    if not is_official(actor):
        raise Forbidden(_("You do not have permission to do this."))
    if last < first:
        raise _invalid("last", _("The last day is before the first."))
    prefix = scope_prefix(actor)
    if region_code:
        if not region_in_scope(actor, region_code):
            raise Forbidden(_("You do not have permission to do this."))
        from registry.core.regions import region_prefix

        prefix = region_prefix(region_code)
    start, end = checks.day_bounds(first, last)
    if _cfg("COMPLIANCE_CLIP_TO_NOW", True):  # the future has no readings yet: never flag it
        end = min(end, _now_bj())
    if store is None:
        from registry.readings.store import current_store

        store = current_store()
    windows = order_windows(prefix, start, end) + schedule_windows(prefix, start, end)
    windows += monitoring_windows(prefix, start, end, {w.enterprise_id for w in windows})
    meters, stacks = _subjects(w.enterprise_id for w in windows)
    days = int(_cfg("READINGS_BASELINE_DAYS", checks.BASELINE_DAYS))
    results = checks.evaluate(store, windows, meters, stacks, days, alert_days(prefix, start, days))
    counts = persist(results)
    counts["windows"] = len(windows)
    audit.record(actor, "compliance.check", None, summary=f"{first.isoformat()}..{last.isoformat()}",
                 after=counts, region_code=getattr(actor, "region_code", None) or region_code)
    return counts


def persist(results: list[checks.Result]) -> dict[str, int]:
    """Idempotent: per run key, an open anomaly is replaced by this run's, an acted-on one kept, none duplicated."""
    keys = [r.run_key for r in results]
    existing: dict[str, list[Anomaly]] = {}
    for i in range(0, len(keys), 500):
        for a in db.session.scalars(select(Anomaly).where(Anomaly.run_key.in_(keys[i:i + 500]))):
            existing.setdefault(a.run_key, []).append(a)
    counts = {"checked": len(results), "anomalies": 0, "new": 0, "replaced": 0, "kept": 0, "cleared_by_data": 0}
    for r in results:
        prior = existing.get(r.run_key, [])
        acted = [a for a in prior if a.status != "open"]
        opened = [a for a in prior if a.status == "open" and not a.explanations and not a.tasks]
        if acted or [a for a in prior if a.status == "open" and (a.explanations or a.tasks)]:
            counts["kept"] += 1
            continue
        for a in opened:
            db.session.delete(a)
        if not r.anomaly:
            counts["cleared_by_data"] += len(opened)
            continue
        counts["replaced" if opened else "new"] += 1
        counts["anomalies"] += 1
        db.session.add(_anomaly(r))
    db.session.flush()
    return counts


def _anomaly(r: checks.Result) -> Anomaly:
    w, o = r.window, r.outcome
    evidence = dict(o["params"])
    if r.series:
        evidence["series"] = r.series
    evidence["window"] = {"start": w.start.strftime("%Y-%m-%d %H:%M"), "end": w.end.strftime("%Y-%m-%d %H:%M")}
    return Anomaly(
        enterprise_id=w.enterprise_id, region_code=w.region_code, line_id=r.line_id, meter_id=r.meter_id,
        stack_id=r.stack_id, subject=(r.subject or "")[:120], check_code=r.check, rule=o["rule"], pack_id=w.pack_id,
        source_kind=w.source_kind, order_id=w.source_id if w.source_kind == "order" else None,
        episode_id=w.episode_id, schedule_entry_id=w.source_id if w.source_kind == "schedule" else None,
        measure=r.measure or "", percentage=r.percentage,
        window_start=w.start.replace(tzinfo=timeutil.BEIJING), window_end=w.end.replace(tzinfo=timeutil.BEIJING),
        severity=o["severity"] or "low", status="open", evidence=evidence, settings=o["settings"],
        reasons=o["reasons"], run_key=r.run_key)


# ---------------------------------------------------------------- explanation

def _official_for(actor, a: Anomaly) -> None:
    if not (is_official(actor) and can_view(actor, a)):
        raise Forbidden(_("You do not have permission to do this."))


def ask_explanation(actor, anomaly_id: int, hours: Optional[int] = None) -> Explanation:
    """The enterprise is asked in its inbox to explain within `hours` (default COMPLIANCE_EXPLAIN_HOURS)."""
    a = get_anomaly(actor, anomaly_id)
    _official_for(actor, a)
    if a.status not in ("open",):
        raise Conflict(_("This anomaly is no longer open."))
    if any(not e.answered_at for e in a.explanations):
        raise Conflict(_("The enterprise has already been asked and has not answered yet."))
    hours = int(hours or _cfg("COMPLIANCE_EXPLAIN_HOURS", EXPLAIN_HOURS))
    if not 1 <= hours <= 24 * 30:
        raise _invalid("hours", _("Between 1 hour and 30 days."))
    now = timeutil.utcnow()
    ex = Explanation(anomaly=a, enterprise_id=a.enterprise_id, requested_at=now, requested_by_id=_uid(actor),
                     due_at=now + timedelta(hours=hours))
    db.session.add(ex)
    db.session.flush()
    from flask import url_for

    check = codes.label("compliance.check", a.check_code)
    due = ex.due_at.astimezone(timeutil.BEIJING).strftime("%Y-%m-%d %H:%M")
    db.session.add(InboxMessage(
        enterprise_id=a.enterprise_id, kind="reminder",
        subject=_("Please explain: %(check)s", check=check)[:200],
        body=_("The readings of %(subject)s show: %(check)s. Please explain by %(due)s.", subject=a.subject or "—",
               check=check, due=due),
        link=url_for("compliance.anomaly", anomaly_id=a.id)))
    audit.record(actor, "compliance.ask", a, summary=check, after={"due_at": ex.due_at.isoformat()},
                 region_code=a.region_code)
    return ex


def explain(actor, anomaly_id: int, text: str) -> Explanation:
    """The enterprise's answer (its own anomaly only)."""
    a = get_anomaly(actor, anomaly_id)
    if getattr(actor, "role", None) != Role.ENTERPRISE.value or actor.enterprise_id != a.enterprise_id:
        raise Forbidden(_("You do not have permission to do this."))
    text = (text or "").strip()
    if len(text) < 2 or len(text) > 4000:
        raise _invalid("text", _("Between 2 and 4,000 characters."))
    pending = [e for e in a.explanations if not e.answered_at]
    if not pending:
        raise Conflict(_("No explanation has been asked for."))
    ex = pending[-1]
    ex.text, ex.answered_at, ex.answered_by_id = text, timeutil.utcnow(), actor.id
    if a.status == "open":
        a.status = "explained"
    db.session.flush()
    audit.record(actor, "compliance.explain", a, summary=text[:200], region_code=a.region_code)
    return ex


# ---------------------------------------------------------------- inspection

def _uid(actor) -> Optional[int]:
    return None if getattr(actor, "is_system", False) else actor.id


def assign_inspection(actor, anomaly_id: int, assignee_id: Optional[int] = None, days: Optional[int] = None) -> InspectionTask:
    """The county's task to inspect (assigned by the county, or by the city / province for the county)."""
    a = get_anomaly(actor, anomaly_id)
    _official_for(actor, a)
    if a.status not in OPEN_STATUSES:
        raise Conflict(_("This anomaly is no longer open."))
    if any(t.status == "open" for t in a.tasks):
        raise Conflict(_("An inspection task is already open."))
    days = int(days or _cfg("COMPLIANCE_INSPECT_DAYS", INSPECT_DAYS))
    if not 1 <= days <= 90:
        raise _invalid("days", _("Between 1 and 90 days."))
    if assignee_id is not None:
        from registry.accounts.models import User

        user = db.session.get(User, assignee_id)
        if user is None or not user.is_official or not region_in_scope(user, a.region_code):
            raise _invalid("assignee_id", _("Not an official of the enterprise's county."))
    task = InspectionTask(anomaly=a, region_code=a.region_code, assignee_id=assignee_id,
                          due_at=timeutil.utcnow() + timedelta(days=days), created_by_id=_uid(actor))
    db.session.add(task)
    a.status = "inspecting"
    db.session.flush()
    audit.record(actor, "compliance.task", a, after={"due_at": task.due_at.isoformat()}, region_code=a.region_code)
    return task


def check_photo(filename: str, data: bytes) -> str:
    """The photo's type from its first bytes (JPEG or PNG), and its size (≤ 5 MiB); refused otherwise."""
    if not data:
        raise _invalid("photos", _("The photo is empty."))
    if len(data) > int(_cfg("COMPLIANCE_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES)):
        raise _invalid("photos", _("A photo may be at most %(mb)s MB.", mb=PHOTO_MAX_BYTES // (1024 * 1024)))
    for magic, ctype in PHOTO_TYPES.items():
        if data.startswith(magic):
            return ctype
    raise _invalid("photos", _("Only JPEG or PNG photos are accepted."))


def record_inspection(actor, task_id: int, data: dict[str, Any],
                      photos: Iterable[tuple[str, bytes]] = ()) -> InspectionRecord:
    """The visit: inspectors (names), visited_at (Beijing time), found, outcome, signatures (names); photos.
    The outcome updates the anomaly; violation / falsified go into the findings workflow (the grade follows)."""
    task = db.session.get(InspectionTask, task_id)
    if task is None or not can_view(actor, task.anomaly) or not is_official(actor):
        raise NotFound(_("Not found."))
    if task.status != "open":
        raise Conflict(_("This inspection has already been recorded."))
    errors: dict[str, list[str]] = {}
    inspectors = str(data.get("inspectors") or "").strip()
    found = str(data.get("found") or "").strip()
    outcome = str(data.get("outcome") or "")
    sig_names = [s.strip() for s in str(data.get("signatures") or "").replace("，", ",").replace("、", ",").split(",")
                 if s.strip()]
    if not 2 <= len(inspectors) <= 200:
        errors["inspectors"] = [_("Name who visited (2 to 200 characters).")]
    if not 2 <= len(found) <= 8000:
        errors["found"] = [_("Say what was found (2 to 8,000 characters).")]
    if outcome not in OUTCOMES:
        errors["outcome"] = [_("Choose the outcome.")]
    if not sig_names:
        errors["signatures"] = [_("At least one signature (the inspector's or the enterprise's representative's name).")]
    visited = data.get("visited_at")
    try:
        visited_at = (visited if isinstance(visited, datetime) else datetime.fromisoformat(str(visited)))
        if visited_at.tzinfo is None:
            visited_at = visited_at.replace(tzinfo=timeutil.BEIJING)
        if visited_at > timeutil.utcnow() + timedelta(minutes=5):
            errors["visited_at"] = [_("The visit cannot be in the future.")]
    except (TypeError, ValueError):
        errors["visited_at"] = [_("A date and time, e.g. 2026-12-05 10:30.")]
    checked = []
    for name, blob in photos:
        try:
            checked.append((name, blob, check_photo(name, blob)))
        except ValidationFailed as err:
            errors.setdefault("photos", []).extend(err.errors.get("photos", []))
    if errors:
        raise ValidationFailed(_("The record is incomplete."), errors)
    a = task.anomaly
    now = timeutil.utcnow()
    rec = InspectionRecord(task=task, anomaly_id=a.id, inspector_id=actor.id, inspectors=inspectors,
                           visited_at=visited_at, found=found, outcome=outcome,
                           signatures=[{"name": n, "at": now.isoformat()} for n in sig_names])
    for name, blob, ctype in checked:
        rec.photos.append(InspectionPhoto(filename=(name or "photo")[:200], content_type=ctype, size=len(blob),
                                          sha256=hashlib.sha256(blob).hexdigest(), data=blob))
    db.session.add(rec)
    task.status = "done"
    a.status = outcome
    db.session.flush()
    if outcome in ("violation", "falsified"):
        from registry.grades.operations import record_finding

        reason = _("Inspection of anomaly No. %(id)s (%(check)s): %(found)s", id=a.id,
                   check=codes.label("compliance.check", a.check_code), found=found)[:2000]
        try:
            decisions = record_finding(actor, a.enterprise_id, {"kind": "fraud" if outcome == "falsified" else "violation",
                                                                "reason": reason})
            a.finding_decision_ids = [d.id for d in decisions]
        except Conflict:
            a.finding_decision_ids = []  # no emergency grade to lower: the record stands, the page says so
    audit.record(actor, "compliance.record", a, summary=codes.label("compliance.outcome", outcome),
                 after={"outcome": outcome, "photos": len(checked)}, region_code=a.region_code)
    return rec
