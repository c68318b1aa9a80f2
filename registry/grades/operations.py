"""Grade use cases: apply, attach evidence, submit, county review, city approval, publicity, findings.

Pages, API and CLI call these, so the permission predicate (auth.py), the state check, the
optimistic lock (version_id_col) and the audit entry cannot be skipped. Operations flush; the
caller commits. Decisions are only ever inserted (models.GradeDecision refuses updates).
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from datetime import timedelta
from typing import Any, Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from grading.notes import note_reason
from registry.core import audit, timeutil
from registry.core.errors import Conflict, Forbidden, NotFound, Unavailable, ValidationFailed
from registry.core.timeutil import utcnow
from registry.core.validation import load
from registry.core.versions import MISSING_VERSION, NO_VERSION
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades import auth, evidence
from registry.grades.current import decision_rows, downgrade
from registry.grades.models import SYSTEM_VALUES, DecisionKind, Evidence, GradeApplication, GradeDecision, GradeSystem, Objection
from registry.grades.models import ApplicationStatus as S
from registry.grades.schemas import (
    AnswerInput,
    AnswersInput,
    ApplicationInput,
    ApproveInput,
    BulkAnswerInput,
    EffectiveInput,
    FindingInput,
    GradeReviewInput,
    GradeVersionInput,
    ObjectionInput,
    RecordGradeInput,
)
from registry.grades.settings import setting
from registry.policy.grades import EXCLUSION_CONDITIONS, GRADED_INDUSTRIES, GradeProposal, get_criteria, propose_grade

GRADED = {s.value for s in GRADED_INDUSTRIES}
EMERGENCY = GradeSystem.EMERGENCY.value


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), {field: [message]})


def _check_version(obj, expected: int | None) -> None:
    if expected == MISSING_VERSION:  # a page form without its version: refused, never 'do not check' (issue 13 L11)
        raise ValidationFailed(str(NO_VERSION), {"version": [str(NO_VERSION)]})
    if expected is not None and int(expected) != obj.version:
        raise Conflict(_("The application was changed by someone else meanwhile. Reload and try again."))


def _four_eyes(actor, app: GradeApplication, step: str) -> None:
    reason = auth.four_eyes_reason(actor, app, step)  # the same words the page shows beside the disabled button
    if reason is not None:
        raise Forbidden(reason)


def _deny(visible: bool, state_allows_role: bool, status: str) -> None:
    if state_allows_role:
        raise Conflict(_("This is not possible while the application is %(status)s.", status=status_label(status)))
    raise Forbidden(_("You do not have permission to do this."))


def status_label(status: str) -> str:
    return {
        "draft": _("draft"), "submitted": _("submitted"), "returned": _("returned by the county"),
        "county_accepted": _("documents accepted"), "publicity": _("in publicity"),
        "effective": _("effective"), "rejected": _("rejected"),
    }.get(status, status)


def snapshot(app: GradeApplication) -> dict[str, Any]:
    return {"status": app.status, "industries": app.industries, "proposed_grade": app.proposed_grade,
            "county_review": app.county_review, "publicity_until": app.publicity_until}


# ---- reading ----

def get_application(actor, application_id: int) -> GradeApplication:
    app = db.session.get(GradeApplication, application_id)
    if app is None or not auth.can_view_application(actor, app):
        raise NotFound(_("Not found."))
    return app


def get_enterprise(actor, enterprise_id: int) -> Enterprise:
    ent = db.session.get(Enterprise, enterprise_id)
    if ent is None or not auth.can_view_enterprise_grades(actor, ent):
        raise NotFound(_("Not found."))
    return ent


def failed_conditions(ent: Enterprise) -> tuple[str, ...]:
    """R-E-01 (003:52): the conditions an enterprise fails, which keep it out of grading."""
    return tuple(c for c in EXCLUSION_CONDITIONS if not getattr(ent, c))


def proposal(app: GradeApplication, ent: Enterprise | None = None) -> GradeProposal:
    """The grade the rules would give now, with a reason per indicator (pure engine call)."""
    ent = ent or db.session.get(Enterprise, app.enterprise_id)
    packs = [(get_criteria(ind), (entry or {}).get("answers", {})) for ind, entry in sorted(app.industries.items())
             if get_criteria(ind)]
    return propose_grade(packs, failed=failed_conditions(ent))


def current_decisions(enterprise_id: int, system: str | None = None) -> list[GradeDecision]:
    """Decisions nobody has superseded: the grades the enterprise holds now, per industry and system."""
    superseded = select(GradeDecision.supersedes_id).where(GradeDecision.supersedes_id.is_not(None))
    stmt = select(GradeDecision).where(GradeDecision.enterprise_id == enterprise_id, GradeDecision.id.not_in(superseded))
    if system:
        stmt = stmt.where(GradeDecision.system == system)
    return list(db.session.scalars(stmt.order_by(GradeDecision.industry, GradeDecision.id)))


def history(enterprise_id: int) -> list[GradeDecision]:
    return list(db.session.scalars(select(GradeDecision).where(GradeDecision.enterprise_id == enterprise_id)
                                   .order_by(GradeDecision.decided_at.desc(), GradeDecision.id.desc())))


def application_decisions(app: GradeApplication) -> list[GradeDecision]:
    return list(db.session.scalars(select(GradeDecision).where(GradeDecision.application_id == app.id).order_by(GradeDecision.id)))


# ---- the enterprise's application ----

def _industries(ent: Enterprise, raw: dict[str, Any], *, keep: dict | None = None) -> dict[str, Any]:
    """Validate the industry of each line and the answers against that industry's criteria pack."""
    if not raw:
        raise _invalid("industries", _("Choose at least one of the 15 graded industries."))
    line_ids = {line.id for line in ent.lines}
    seen: dict[int, str] = {}
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for industry, entry in raw.items():
        criteria = get_criteria(industry)
        if industry not in GRADED or criteria is None:
            errors[f"industries.{industry}"] = [_("Not one of the 15 industries with grading indicators (R-G-01).")]
            continue
        given = entry.get("line_ids")
        lines = [int(x) for x in (given if given is not None else (keep or {}).get(industry, {}).get("line_ids", []))]
        for lid in lines:
            if lid not in line_ids:
                errors[f"industries.{industry}.line_ids"] = [_("Unknown production line %(id)s.", id=lid)]
            elif lid in seen and seen[lid] != industry:
                errors[f"industries.{industry}.line_ids"] = [_("A production line belongs to one industry only.")]
            seen[lid] = industry
        answers = dict((keep or {}).get(industry, {}).get("answers", {}))
        for key, value in (entry.get("answers") or {}).items():
            ind = criteria.indicator(key)
            if ind is None:
                errors[f"{industry}.{key}"] = [_("Unknown indicator.")]
                continue
            if value in (None, ""):
                answers.pop(key, None)
                continue
            try:
                answers[key] = _coerce(ind, value)
            except AnswerOutOfRange as exc:
                errors[f"{industry}.{key}"] = [str(exc)]
            except ValueError:
                errors[f"{industry}.{key}"] = [_("Invalid value.")]
        out[industry] = {"line_ids": sorted(set(lines)), "answers": answers}
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    return out


def _coerce(ind, value: Any) -> Any:
    if ind.kind == "choice":
        if value not in {o[0] for o in ind.options}:
            raise ValueError(value)
        return value
    if ind.kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("y", "yes", "true", "1", "on", "是"):
            return True
        if str(value).lower() in ("n", "no", "false", "0", "off", "否"):
            return False
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number):  # NaN, and 1e400 → inf, which PostgreSQL's JSON refuses (a 500)
        raise ValueError(value)
    check_answer_range(ind, number)
    return number


class AnswerOutOfRange(ValueError):
    """An impossible number for the indicator; its message (in the reader's language) goes next to the field."""


# A retention period ("kept ≥ 3 months", 001:103) longer than this is a typing error, not a record. LOCAL SETTING:
# the sources set only the minimum; ten years is far beyond any record-keeping duty they name.
MAX_RECORD_MONTHS = 120


def is_percentage(ind) -> bool:
    """A share or rate: the unit is % or the indicator is a share/rate/efficiency (china5_or_better_share has no unit)."""
    return ind.unit == "%" or ind.key.endswith(("_share", "_rate", "_efficiency"))


def check_answer_range(ind, number: float) -> None:
    """Refuse what cannot be (issue 16 item 10: a CEMS transmission rate of 150 % was scored A): percentages outside
    0–100, negative amounts, fractional or out-of-period month counts."""
    if number < 0:
        raise AnswerOutOfRange(_("Enter a number of zero or more."))
    if is_percentage(ind) and number > 100:
        raise AnswerOutOfRange(_("Enter a percentage between 0 and 100."))
    if ind.unit == "months":
        if number != int(number):
            raise AnswerOutOfRange(_("Enter whole months."))
        if number > MAX_RECORD_MONTHS:
            raise AnswerOutOfRange(_("Enter at most %(n)s months.", n=MAX_RECORD_MONTHS))


def create_application(actor, data: dict[str, Any]) -> GradeApplication:
    values = load(ApplicationInput(), data)
    ent = db.session.get(Enterprise, values["enterprise_id"])
    if ent is None or not (auth.is_member(actor, ent.id) or auth.can_view_enterprise_grades(actor, ent)):
        raise NotFound(_("Not found."))
    if not auth.can_create_application(actor, ent):
        raise Forbidden(_("Only the enterprise itself applies for a grade."))
    blocker = auth.create_blocker(ent)  # the same words the grade pages show instead of the button
    if blocker is not None:
        raise Conflict(blocker)
    app = GradeApplication(enterprise_id=ent.id, region_code=ent.region_code, system=EMERGENCY,
                           status=S.DRAFT.value, industries=_industries(ent, values["industries"]),
                           created_by_id=actor.id, county_review={})
    db.session.add(app)
    db.session.flush()
    audit.record(actor, "grade.create", app, root=ent, after=snapshot(app))
    return app


def _editable(actor, application_id: int) -> GradeApplication:
    app = get_application(actor, application_id)
    if not auth.can_edit_application(actor, app):
        _deny(True, auth.is_member(actor, app.enterprise_id), app.status)
    return app


def save_answers(actor, application_id: int, data: dict[str, Any]) -> GradeApplication:
    app = _editable(actor, application_id)
    values = load(AnswersInput(), data)
    _check_version(app, values["version"])
    ent = db.session.get(Enterprise, app.enterprise_id)
    before = snapshot(app)
    app.industries = _industries(ent, values["industries"], keep=app.industries)
    db.session.flush()
    b, a = audit.changed_fields(before, snapshot(app))
    if a:
        audit.record(actor, "grade.answers", app, root=ent, before=b, after=a)
    return app


def add_evidence(actor, application_id: int, filename: str, data: bytes, *, industry: str = "", indicator: str = "") -> Evidence:
    app = _editable(actor, application_id)
    if industry and industry not in app.industries:
        raise _invalid("industry", _("This application does not cover that industry."))
    if indicator and (not industry or get_criteria(industry).indicator(indicator) is None):
        raise _invalid("indicator", _("Unknown indicator."))
    filename = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()  # some browsers send a client path
    try:
        stored = evidence.store(filename, data)
    except evidence.EvidenceRejected as exc:
        raise _invalid("file", _(str(exc))) from None
    except OSError:  # disk full or an I/O error: nothing stored, no row written
        current_app.logger.exception("evidence file could not be written")
        raise Unavailable(_("The file could not be stored (the server's disk is full or failing). Nothing was saved; "
                            "please try again later or tell the administrator."), {"file": [_("The file could not be stored.")]}) from None
    row = Evidence(enterprise_id=app.enterprise_id, application_id=app.id, industry=industry, indicator=indicator,
                   filename=filename[-200:], content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                   uploaded_by_id=actor.id)
    db.session.add(row)
    app.updated_at = utcnow()  # bumps the version: a reviewer sees the application changed
    db.session.flush()
    audit.record(actor, "grade.evidence", row, region_code=app.region_code, root=app,
                 after={"filename": row.filename, "sha256": row.sha256, "size": row.size, "indicator": indicator})
    return row


def get_evidence(actor, evidence_id: int) -> Evidence:
    """The evidence row if the actor may see the enterprise's grading; 404 otherwise (existence does not leak)."""
    row = db.session.get(Evidence, evidence_id)
    if row is None:
        raise NotFound(_("Not found."))
    if row.application_id is not None:
        get_application(actor, row.application_id)
    else:
        get_enterprise(actor, row.enterprise_id)
    return row


def delete_application(actor, application_id: int, data: dict[str, Any]) -> None:
    """Delete a draft/returned application; evidence that was ever submitted is kept (history)."""
    app = _editable(actor, application_id)
    _check_version(app, load(GradeVersionInput(), data)["version"])
    if app.submitted_at is not None:
        raise Conflict(_("An application that was submitted stays on record; correct and resubmit it instead."))
    for row in list(app.evidence):
        if row.submitted_at is not None:
            row.application_id = None
            continue
        db.session.delete(row)
        db.session.flush()
        still_used = db.session.scalar(select(Evidence.id).where(Evidence.sha256 == row.sha256).limit(1))
        if still_used is None:
            evidence.path_for(row.sha256).unlink(missing_ok=True)
    audit.record(actor, "grade.delete", app, root=db.session.get(Enterprise, app.enterprise_id), before=snapshot(app))
    db.session.delete(app)
    db.session.flush()


def submit_application(actor, application_id: int, data: dict[str, Any]) -> GradeApplication:
    app = _editable(actor, application_id)
    _check_version(app, load(GradeVersionInput(), data)["version"])
    ent = db.session.get(Enterprise, app.enterprise_id)
    problems: dict[str, list[str]] = {}
    for industry, entry in app.industries.items():
        criteria = get_criteria(industry)
        if not entry.get("line_ids"):
            problems[f"industries.{industry}.line_ids"] = [_("Choose the production lines of this industry.")]
        for ind in criteria.indicators:
            if ind.key not in entry.get("answers", {}):
                problems[f"{industry}.{ind.key}"] = [_("Answer this indicator.")]
    if problems:
        raise ValidationFailed(_("The self-assessment is not complete."), problems)
    result = proposal(app, ent)
    if result.excluded:  # R-E-01: not within grading at all
        raise Conflict(_("The enterprise is not within performance grading (R-E-01, 003:52): %(why)s.",
                         why=", ".join(result.excluded)))
    before = app.status
    app.status = S.SUBMITTED.value
    app.submitted_at = utcnow()
    app.proposed_grade = result.grade.value if result.grade else None
    for row in app.evidence:
        row.submitted_at = row.submitted_at or app.submitted_at
    db.session.flush()
    audit.record(actor, "grade.submit", app, root=ent, before={"status": before},
                 after={"status": app.status, "proposed_grade": app.proposed_grade})
    return app


# ---- officials ----

def review_documents(actor, application_id: int, data: dict[str, Any]) -> GradeApplication:
    """The county accepts the documents or returns the application with a reason per indicator."""
    app = get_application(actor, application_id)
    if not auth.can_review_documents(actor, app):
        _deny(True, auth.is_reviewer_level(actor, app) and app.status != S.SUBMITTED.value, app.status)
    values = load(GradeReviewInput(), data)
    _check_version(app, values["version"])
    errors: dict[str, list[str]] = {}
    returned = {}
    for key, v in values["verdicts"].items():
        industry, _sep, indicator = key.partition(".")
        if industry not in app.industries or get_criteria(industry).indicator(indicator) is None:
            errors[key] = [_("Unknown indicator.")]
        elif v["verdict"] == "returned":
            if not v["reason"]:
                errors[key] = [_("Give the reason for returning this indicator.")]
            returned[key] = {"verdict": "returned", "reason": v["reason"]}
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    before = app.status
    app.county_review = returned
    app.county_note = values["note"]
    app.status = S.RETURNED.value if returned else S.COUNTY_ACCEPTED.value
    app.reviewed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "grade.return" if returned else "grade.accept", app,
                 root=db.session.get(Enterprise, app.enterprise_id), summary=values["note"],
                 before={"status": before}, after={"status": app.status, "returned": returned})
    return app


def _validity(start) -> tuple:
    return start, start + timedelta(days=int(setting("GRADE_VALIDITY_DAYS")) - 1)


def _supersede_target(enterprise_id: int, system: str, industry: str) -> GradeDecision | None:
    return next((d for d in current_decisions(enterprise_id, system) if d.industry == industry), None)


def approve(actor, application_id: int, data: dict[str, Any]) -> list[GradeDecision]:
    """The city approves the proposed grade, or overrides it with a recorded reason; publicity opens.

    One decision per industry (the grade is per industry; the enterprise's grade is the worst).
    A stale version — another official decided meanwhile — is a conflict: exactly one wins.
    """
    app = get_application(actor, application_id)
    if not (auth.is_approver_level(actor, app) and app.status == S.COUNTY_ACCEPTED.value):
        _deny(True, auth.is_approver_level(actor, app), app.status)
    values = load(ApproveInput(), data)
    _check_version(app, values["version"])
    _four_eyes(actor, app, "approve")
    ent = db.session.get(Enterprise, app.enterprise_id)
    result = proposal(app, ent)
    if result.excluded:
        raise Conflict(_("The enterprise is not within performance grading (R-E-01, 003:52): %(why)s.",
                         why=", ".join(result.excluded)))
    override = values["grade"] and values["grade"] != (result.grade.value if result.grade else "")
    if override and not values["reason"]:
        raise _invalid("reason", _("Give the reason for overriding the proposed grade."))
    decided = {values["grade"]} if override else {g.value for g in dict(result.by_industry).values()}
    if not auth.can_approve(actor, app, decided):  # the pack's grade_workflow may reserve a grade to a higher level
        raise Forbidden(_("In this jurisdiction a grade %(grade)s is approved by: %(levels)s.",
                          grade="/".join(sorted(decided)),
                          levels=", ".join(auth.level_label(lv) for lv in sorted(auth.approval_levels(app.region_code, decided)))
                          or _("no single level")))
    today = timeutil.beijing_today()
    app.publicity_until = today + timedelta(days=int(setting("GRADE_PUBLICITY_DAYS")) - 1)
    app.status = S.PUBLICITY.value
    app.approved_by_id = getattr(actor, "id", None)
    db.session.flush()  # the version check happens here: a concurrent approval loses
    start, until = _validity(app.publicity_until + timedelta(days=1))
    by_industry = dict(result.by_industry)
    packs = [get_criteria(i).identity() for i in sorted(app.industries)]
    out = []
    for industry in sorted(app.industries):
        grade = values["grade"] if override else by_industry[industry].value
        decision = GradeDecision(
            enterprise_id=ent.id, region_code=ent.region_code, application_id=app.id, system=EMERGENCY,
            industry=industry, grade=grade, proposed_grade=by_industry[industry].value,
            kind=(DecisionKind.OVERRIDE if override else DecisionKind.APPROVAL).value,
            reason=values["reason"], reasons=[r.as_dict() for r in result.reasons],
            indicators=[r.as_dict() for r in result.indicators if r.industry == industry],
            criteria=packs, effective_from=start, valid_until=until,
            supersedes_id=getattr(_supersede_target(ent.id, EMERGENCY, industry), "id", None),
            decided_by_id=actor.id)
        db.session.add(decision)
        out.append(decision)
    db.session.flush()
    audit.record(actor, "grade.override" if override else "grade.approve", app, root=ent, summary=values["reason"],
                 before={"status": S.COUNTY_ACCEPTED.value},
                 after={"status": app.status, "grades": {d.industry: d.grade for d in out},
                        "publicity_until": app.publicity_until})
    return out


def _key(kind: str, value: str) -> str:
    """A keyed digest (HMAC with the app's secret) so equal texts or senders compare equal, and an address or
    contact is not stored a second time in clear."""
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def objection_keys(text: str, contact: str = "", address: str = "") -> tuple[str, str]:
    """(text key, sender key): the text without case, spaces or punctuation; the sender by the contact given,
    else by the client address ('' when neither is known, e.g. the demo)."""
    normal = re.sub(r"[\W_]+", "", (text or "").casefold())
    who = (contact or "").strip().casefold()
    sender = _key("contact", who) if who else (_key("address", address) if address else "")
    return _key("text", normal), sender


def file_objection(application_id: int, data: dict[str, Any], *, address: str = "") -> Objection:
    """Anyone may object while the publicity period runs (no login; CSRF and a rate limit guard the page).

    Issue 13 M10: one objection per text and one per sender (contact, else address) and publicity — a repeat
    is refused (409) and not stored, so flooding adds nothing for officials to answer."""
    app = db.session.get(GradeApplication, application_id)
    if app is None or app.status not in (S.PUBLICITY.value, S.EFFECTIVE.value):
        raise NotFound(_("Not found."))
    if app.status != S.PUBLICITY.value or timeutil.beijing_today() > app.publicity_until:
        raise Conflict(_("The publicity period is over; objections are no longer accepted."))
    values = load(ObjectionInput(), data)
    text_key, sender_key = objection_keys(values["text"], values.get("contact", ""), address)
    same = select(Objection.id).where(Objection.application_id == app.id)
    if db.session.scalar(same.where(Objection.text_key == text_key).limit(1)) is not None:
        raise Conflict(_("This objection has already been filed for this grade; it will be answered."))
    if sender_key and db.session.scalar(same.where(Objection.sender_key == sender_key).limit(1)) is not None:
        raise Conflict(_("You have already filed an objection about this grade during its publicity; it will be answered."))
    row = Objection(application_id=app.id, region_code=app.region_code, text_key=text_key, sender_key=sender_key, **values)
    db.session.add(row)
    db.session.flush()
    audit.record(None, "grade.objection", row, root=app, after={"text": row.text[:200]})
    return row


def answer_objection(actor, objection_id: int, data: dict[str, Any]) -> Objection:
    row = db.session.get(Objection, objection_id)
    if row is None:
        raise NotFound(_("Not found."))
    app = get_application(actor, row.application_id)
    if not auth.can_answer_objection(actor, app):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(AnswerInput(), data)
    _check_version(row, values["version"])
    row.answer, row.status, row.answered_by_id, row.answered_at = values["answer"], "answered", actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "grade.objection_answer", row, root=app, after={"answer": row.answer})
    return row


def answer_objections(actor, application_id: int, data: dict[str, Any]) -> list[Objection]:
    """One answer for many objections of an application (issue 13 M10): the listed ones (id → version read),
    or every open one. Answered ones are left as they are."""
    app = get_application(actor, application_id)
    if not auth.can_answer_objection(actor, app):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(BulkAnswerInput(), data)
    chosen = {int(k): v for k, v in values["objections"].items() if str(k).isdigit()}
    rows = [o for o in app.objections if o.status == "open" and (not chosen or o.id in chosen)]
    if chosen and len([o for o in app.objections if o.id in chosen]) != len(chosen):
        raise _invalid("objections", _("Some of the chosen objections do not belong to this application."))
    if not rows:
        raise Conflict(_("No open objection to answer."))
    for row in rows:
        if row.id in chosen:
            _check_version(row, chosen[row.id])
        row.answer, row.status, row.answered_by_id, row.answered_at = values["answer"], "answered", actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "grade.objection_answer_bulk", app, root=db.session.get(Enterprise, app.enterprise_id),
                 after={"answer": values["answer"], "objections": [r.id for r in rows]})
    return rows


objection_answer_deadline = auth.objection_answer_deadline  # its home is auth (effective_blocker)


def make_effective(actor, application_id: int, data: dict[str, Any]) -> GradeApplication:
    """After publicity, with every objection answered, the grade takes effect on its effective date.

    Objections cannot hold it hostage (issue 13 M10): after the answer period the publisher may decide with
    objections still open, giving a reason that is recorded on each of them (lapsed) and in the audit log."""
    app = get_application(actor, application_id)
    if not auth.can_make_effective(actor, app):
        _deny(True, auth.is_publisher_level(actor, app), app.status)
    values = load(EffectiveInput(), data)
    _check_version(app, values["version"])
    _four_eyes(actor, app, "publish")
    blocker = auth.effective_blocker(app, timeutil.beijing_today())  # the same words the page shows
    if blocker is not None:
        raise Conflict(blocker[0])
    still_open = [o for o in app.objections if o.status == "open"]
    if still_open:
        deadline = objection_answer_deadline(app)
        if not values["note"]:
            raise _invalid("note", _("%(n)s objection(s) were not answered within the answer period (until %(day)s): "
                                     "give the reason for deciding without answering them; it is recorded on each.",
                                     n=len(still_open), day=deadline.isoformat()))
        for o in still_open:
            o.status, o.lapsed, o.answer = "answered", True, values["note"]
            o.answered_by_id, o.answered_at = actor.id, utcnow()
    app.status = S.EFFECTIVE.value
    db.session.flush()
    after: dict[str, Any] = {"status": app.status}
    if still_open:
        after.update(lapsed_objections=[o.id for o in still_open], note=values["note"])
    audit.record(actor, "grade.effective", app, root=db.session.get(Enterprise, app.enterprise_id),
                 before={"status": S.PUBLICITY.value}, after=after)
    return app


def record_finding(actor, enterprise_id: int, data: dict[str, Any]) -> list[GradeDecision]:
    """A violation or a fraud finding: a new decision in every emergency chain it changes, superseding the chain's
    newest decision and keeping the grade that stood before (registry/grades/current.py, rule 5b).

    Fraud in the ultra-low evaluation → C in every industry at once and the differentiated treatment of
    ultra-low enterprises withdrawn (R-G-09, R-G-10, 003:17); other violations lower each industry's standing
    grade by GRADE_VIOLATION_DOWNGRADE (local setting). Other systems (VOC class, tiers) are untouched.
    """
    ent = get_enterprise(actor, enterprise_id)
    if not auth.can_record_finding(actor, ent.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(FindingInput(), data)
    fraud = values["kind"] == "fraud"
    today = timeutil.beijing_today()
    rule_setting = setting("GRADE_VIOLATION_DOWNGRADE")
    changes = downgrade(decision_rows([ent.id]), today, values["kind"], rule_setting, ent.sector)
    if not changes:
        raise Conflict(_("The enterprise holds no emergency grade to lower."))
    if fraud:
        reasons = [note_reason("R-G-09", "003:17", "grade.fraud_to_c").as_dict(),
                   note_reason("R-G-10", "003:17", "grade.preferences_cancelled").as_dict()]
    else:
        reasons = [note_reason("R-G-02", "local setting", "grade.violation_downgrade", rule=rule_setting).as_dict()]
    heads = {d.id: d for d in current_decisions(ent.id, EMERGENCY)}
    out = []
    start, until = _validity(today)
    for change in changes:
        prev = heads.get(change.head.id) if change.head else None
        decision = GradeDecision(
            enterprise_id=ent.id, region_code=ent.region_code, application_id=getattr(prev, "application_id", None),
            system=EMERGENCY, industry=change.industry, grade=change.grade,
            proposed_grade=change.before, kind=values["kind"], reason=values["reason"],
            reasons=reasons,
            criteria=prev.criteria if prev else [], effective_from=start, valid_until=until,
            supersedes_id=prev.id if prev else None, decided_by_id=actor.id)
        db.session.add(decision)
        out.append(decision)
    db.session.flush()
    audit.record(actor, f"grade.{values['kind']}", ent, summary=values["reason"],
                 before={c.industry: c.before for c in changes}, after={d.industry: d.grade for d in out})
    return out


def record_grade(actor, enterprise_id: int, data: dict[str, Any]) -> GradeDecision:
    """A re-grade or a grade of another system (tier, benchmark, VOC class), superseding its own chain only."""
    ent = get_enterprise(actor, enterprise_id)
    if not auth.can_regrade(actor, ent.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(RecordGradeInput(), data)
    if values["grade"] not in SYSTEM_VALUES[values["system"]]:
        raise _invalid("grade", _("Not a value of this grade system."))
    if values["system"] == EMERGENCY and values["industry"] not in GRADED:
        raise _invalid("industry", _("Not one of the 15 industries with grading indicators (R-G-01)."))
    prev = _supersede_target(ent.id, values["system"], values["industry"])
    start, until = _validity(timeutil.beijing_today())
    decision = GradeDecision(
        enterprise_id=ent.id, region_code=ent.region_code, system=values["system"], industry=values["industry"],
        grade=values["grade"], proposed_grade=prev.grade if prev else None,
        kind=(DecisionKind.REGRADE if values["system"] == EMERGENCY else DecisionKind.RECORD).value,
        reason=values["reason"], reasons=[], criteria=prev.criteria if prev else [],
        effective_from=start, valid_until=until, supersedes_id=prev.id if prev else None, decided_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    audit.record(actor, "grade.record", ent, summary=values["reason"],
                 before={"grade": prev.grade if prev else None},
                 after={"system": decision.system, "industry": decision.industry, "grade": decision.grade})
    return decision


def evidence_rows(rows: Iterable[Evidence]) -> list[dict[str, Any]]:
    return [{"id": r.id, "industry": r.industry, "indicator": r.indicator, "filename": r.filename,
             "content_type": r.content_type, "size": r.size, "sha256": r.sha256, "uploaded_at": r.uploaded_at,
             "submitted_at": r.submitted_at} for r in rows]
