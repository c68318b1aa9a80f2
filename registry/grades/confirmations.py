"""What the grade pages say before an irreversible action (registry/core/confirm.py): the county's document review,
the city's approval (审定并进入公示), making a grade effective (使绩效等级生效), a violation or fraud finding, a re-grade
or recorded grade, deleting a draft application. Read only: each runs the checks of its operation first (scope,
level, state, four eyes, version, required reasons), so a refused action is never confirmed, and states what follows
from the data (grades per industry, publicity dates, validity, the grade each industry falls to)."""
from __future__ import annotations

from datetime import timedelta

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.core import codes, timeutil
from registry.core.confirm import Confirmation
from registry.core.errors import Conflict, Forbidden, ValidationFailed
from registry.core.validation import load
from registry.core.versions import form_version
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades import auth, labels
from registry.grades import operations as ops
from registry.grades.current import decision_rows, downgrade
from registry.grades.models import SYSTEM_VALUES
from registry.grades.models import ApplicationStatus as S
from registry.grades.schemas import ApproveInput, EffectiveInput, FindingInput, GradeVersionInput, RecordGradeInput
from registry.grades.settings import setting
from registry.policy.grades import get_criteria


def _sector(code: str) -> str:
    return codes.label("Sector", code)


def _back(app) -> str:
    return url_for("grades.detail", application_id=app.id)


def _grades(pairs) -> str:
    return _("; ").join(f"{_sector(i)} {g}" for i, g in pairs)


def review(application_id: int) -> Confirmation:
    app = ops.get_application(current_user, application_id)
    if not auth.can_review_documents(current_user, app):
        ops._deny(True, auth.is_reviewer_level(current_user, app) and app.status != S.SUBMITTED.value, app.status)
    ops._check_version(app, form_version(request.form.get("version")))
    ent = db.session.get(Enterprise, app.enterprise_id)
    returned, missing = [], {}
    for industry in app.industries:
        for ind in get_criteria(industry).indicators:
            key = f"{industry}.{ind.key}"
            if request.form.get(f"v-{key}") == "returned":
                reason = (request.form.get(f"r-{key}") or "").strip()
                if not reason:
                    missing[key] = [_("Give the reason for returning this indicator.")]
                returned.append(f"{_sector(industry)} · {ind.label if codes.is_zh() else ind.label_en}: {reason}")
    if missing:
        raise ValidationFailed(_("Some fields are invalid."), missing)
    if returned:
        consequences = [_("The application of %(name)s goes back to the enterprise with %(n)s indicators returned:",
                          name=ent.name, n=len(returned)), *returned,
                        _("It comes back to the county only when the enterprise corrects and submits it again.")]
        action, danger = _("Return to the enterprise"), True
    else:
        levels = ", ".join(auth.level_label(lv) for lv in sorted(auth.approval_levels(app.region_code, [app.proposed_grade] if app.proposed_grade else [])))
        consequences = [_("The documents of %(name)s are accepted; the review cannot be changed afterwards.", name=ent.name),
                        _("The application goes to %(levels)s for approval, with the proposed grade %(grade)s.",
                          levels=levels or "—", grade=app.proposed_grade or "—")]
        action, danger = _("Accept the documents"), False
    note = (request.form.get("note") or "").strip()
    if note:
        consequences.append(_("Note to the enterprise: %(text)s", text=note))
    return Confirmation(title=_("County document review · %(name)s", name=ent.name), consequences=consequences,
                        action=action, danger=danger, back=_back(app) + "#review")


def approve(application_id: int) -> Confirmation:
    """审定并进入公示: the grade per industry, the publicity period, when it can take effect and until when it is valid."""
    app = ops.get_application(current_user, application_id)
    if not (auth.is_approver_level(current_user, app) and app.status == S.COUNTY_ACCEPTED.value):
        ops._deny(True, auth.is_approver_level(current_user, app), app.status)
    values = load(ApproveInput(), {"version": form_version(request.form.get("version")),
                                   "grade": request.form.get("grade", ""), "reason": request.form.get("reason", "")})
    ops._check_version(app, values["version"])
    ops._four_eyes(current_user, app, "approve")
    ent = db.session.get(Enterprise, app.enterprise_id)
    result = ops.proposal(app, ent)
    if result.excluded:
        raise Conflict(_("The enterprise is not within performance grading (R-E-01, 003:52): %(why)s.",
                         why=", ".join(result.excluded)))
    proposed = result.grade.value if result.grade else ""
    override = values["grade"] and values["grade"] != proposed
    if override and not values["reason"]:
        raise ops._invalid("reason", _("Give the reason for overriding the proposed grade."))
    by_industry = [(i, g.value) for i, g in result.by_industry]
    decided = {values["grade"]} if override else {g for _i, g in by_industry}
    if not auth.can_approve(current_user, app, decided):
        raise Forbidden(_("In this jurisdiction a grade %(grade)s is approved by: %(levels)s.", grade="/".join(sorted(decided)),
                          levels=", ".join(auth.level_label(lv) for lv in sorted(auth.approval_levels(app.region_code, decided)))
                          or _("no single level")))
    today = timeutil.beijing_today()
    until = today + timedelta(days=int(setting("GRADE_PUBLICITY_DAYS")) - 1)
    start = until + timedelta(days=1)
    valid = start + timedelta(days=int(setting("GRADE_VALIDITY_DAYS")) - 1)
    grades = [(i, values["grade"]) for i, _g in by_industry] if override else by_industry
    consequences = [
        _("%(name)s is graded %(grades)s; the decision is recorded and cannot be changed (a correction is a new decision).",
          name=ent.name, grades=_grades(grades)),
        _("The publicity period opens today and runs until %(until)s; anyone may object on the public page.", until=until.isoformat()),
        _("After the publicity period the grade can be made effective, from %(start)s, valid until %(valid)s.",
          start=start.isoformat(), valid=valid.isoformat()),
    ]
    if override:
        consequences.insert(1, _("This overrides the proposed grade %(proposed)s; reason: %(reason)s",
                                 proposed=proposed or "—", reason=values["reason"]))
    return Confirmation(title=_("Approve the grade and open publicity · %(name)s", name=ent.name),
                        consequences=consequences, action=_("Approve and open publicity"), back=_back(app) + "#approve")


def effective(application_id: int) -> Confirmation:
    """使绩效等级生效: from when, until when, what uses it; unanswered objections recorded as lapsed."""
    app = ops.get_application(current_user, application_id)
    if not auth.can_make_effective(current_user, app):
        ops._deny(True, auth.is_publisher_level(current_user, app), app.status)
    values = load(EffectiveInput(), {"version": form_version(request.form.get("version")), "note": request.form.get("note", "")})
    ops._check_version(app, values["version"])
    ops._four_eyes(current_user, app, "publish")
    blocker = auth.effective_blocker(app, timeutil.beijing_today())
    if blocker is not None:
        raise Conflict(blocker[0])
    still_open = [o for o in app.objections if o.status == "open"]
    if still_open and not values["note"]:
        raise ops._invalid("note", _("%(n)s objection(s) were not answered within the answer period (until %(day)s): "
                                     "give the reason for deciding without answering them; it is recorded on each.",
                                     n=len(still_open), day=ops.objection_answer_deadline(app).isoformat()))
    ent = db.session.get(Enterprise, app.enterprise_id)
    decisions = ops.application_decisions(app)
    consequences = [
        _("The grade of %(name)s takes effect: %(grades)s.", name=ent.name,
          grades=_grades((d.industry, d.grade) for d in decisions)),
    ]
    if decisions:
        consequences.append(_("Effective from %(start)s, valid until %(valid)s; schedules, emergency lists and the public "
                              "list use it from then on.", start=decisions[0].effective_from.isoformat(),
                              valid=decisions[0].valid_until.isoformat()))
    if still_open:
        consequences.append(_("%(n)s unanswered objections are closed as lapsed with your reason: %(note)s",
                              n=len(still_open), note=values["note"]))
    return Confirmation(title=_("Make the grade effective · %(name)s", name=ent.name), consequences=consequences,
                        action=_("Make the grade effective"), back=_back(app))


def delete(application_id: int) -> Confirmation:
    app = ops._editable(current_user, application_id)
    ops._check_version(app, load(GradeVersionInput(), {"version": form_version(request.form.get("version"))})["version"])
    if app.submitted_at is not None:
        raise Conflict(_("An application that was submitted stays on record; correct and resubmit it instead."))
    return Confirmation(title=_("Delete the draft application no. %(id)s", id=app.id),
                        consequences=[_("The draft, its answers and its %(n)s evidence files are deleted.", n=len(app.evidence))],
                        action=_("Delete draft"), danger=True, back=_back(app))


def finding(enterprise_id: int) -> Confirmation:
    """A violation or fraud finding: the grade each industry falls to, from today."""
    ent = ops.get_enterprise(current_user, enterprise_id)
    if not auth.can_record_finding(current_user, ent.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(FindingInput(), {"kind": request.form.get("kind", ""), "reason": request.form.get("reason", "")})
    today = timeutil.beijing_today()
    changes = downgrade(decision_rows([ent.id]), today, values["kind"], setting("GRADE_VIOLATION_DOWNGRADE"), ent.sector)
    if not changes:
        raise Conflict(_("The enterprise holds no emergency grade to lower."))
    consequences = [_("From today (%(day)s) the emergency grade of %(name)s becomes: %(list)s.", day=today.isoformat(),
                      name=ent.name, list=_("; ").join(f"{_sector(c.industry)} {c.before or '—'} → {c.grade}" for c in changes)),
                    _("The finding is recorded in the grade history and cannot be withdrawn; a later re-grade is a new decision.")]
    if values["kind"] == "fraud":
        consequences.append(_("Fraud: the differentiated treatment of ultra-low-emission enterprises is withdrawn (R-G-10, 003:17)."))
    consequences.append(_("Reason: %(text)s", text=values["reason"]))
    return Confirmation(title=_("Record a finding · %(name)s", name=ent.name), consequences=consequences,
                        action=_("Record the finding"), danger=True, back=url_for("grades.enterprise", enterprise_id=ent.id))


def record(enterprise_id: int) -> Confirmation:
    ent = ops.get_enterprise(current_user, enterprise_id)
    if not auth.can_regrade(current_user, ent.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    values = load(RecordGradeInput(), {k: request.form.get(k, "") for k in ("system", "industry", "grade", "reason")})
    if values["grade"] not in SYSTEM_VALUES[values["system"]]:
        raise ops._invalid("grade", _("Not a value of this grade system."))
    prev = ops._supersede_target(ent.id, values["system"], values["industry"])
    today = timeutil.beijing_today()
    valid = today + timedelta(days=int(setting("GRADE_VALIDITY_DAYS")) - 1)
    consequences = [
        _("%(system)s · %(industry)s of %(name)s: %(before)s → %(grade)s, from %(day)s until %(valid)s.",
          system=labels.grade_label(values["system"], "system"), industry=_sector(values["industry"]),
          name=ent.name, before=labels.grade_value(prev.grade, values["system"]) if prev else "—",
          grade=labels.grade_value(values["grade"], values["system"]), day=today.isoformat(), valid=valid.isoformat()),
        _("The decision is recorded in the grade history and cannot be changed (a correction is a new decision)."),
        _("Reason: %(text)s", text=values["reason"]),
    ]
    return Confirmation(title=_("Record a grade · %(name)s", name=ent.name), consequences=consequences,
                        action=_("Record"), back=url_for("grades.enterprise", enterprise_id=ent.id))
