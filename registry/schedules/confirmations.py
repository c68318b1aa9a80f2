"""What the schedule pages say before an irreversible action (registry/core/confirm.py): publishing a version and
deciding an exemption or livelihood-load application. Each reads the data, checks what the operation would check
first (scope, permission, input), and states the consequences in the reader's language; nothing is written."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import distinct, func, select

from registry.core import codes
from registry.core.confirm import Confirmation
from registry.core.errors import Conflict
from registry.core.regions import region_label
from registry.core.validation import load
from registry.extensions import db
from registry.schedules import labels
from registry.schedules import operations as ops
from registry.schedules.models import ApplicationStatus, ExemptionApplication, ScheduleEntry
from registry.schedules.schemas import DecideInput, PublishInput

MEASURE_ORDER = ("stop", "curtail", "extend_coking", "max_load", "none")


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "confirmed")}


def _title(schedule) -> str:
    return schedule.title or f"{region_label(schedule.region_code)} {schedule.season_year}"


def publish(schedule_id: int) -> Confirmation:
    """'将向 N 家企业发布，发布后不可修改（更正需发布新版本）' with the lines per measure and what is still open."""
    schedule, version = ops._draft_of(current_user, schedule_id)
    values = load(PublishInput(), _form())  # a refused input comes back on the form (keeps_input), not confirmed first
    if version.number > 1 and not values["filing_reason"].strip():
        raise ops._invalid("filing_reason", _("A re-filed version needs a filing reason."))
    if version.generation_state == "failed" or not version.pack_sha256 or ops.generation_running(version):
        raise Conflict(_("The draft has not been generated successfully: generate it again."))
    enterprises = db.session.scalar(select(func.count(distinct(ScheduleEntry.enterprise_id)))
                                     .where(ScheduleEntry.version_id == version.id)) or 0
    per_line = (select(ScheduleEntry.enterprise_id, ScheduleEntry.line_ref, ScheduleEntry.measure)
                .where(ScheduleEntry.version_id == version.id, ScheduleEntry.measure != "none")
                .distinct().subquery())
    by_measure = dict(db.session.execute(select(per_line.c.measure, func.count()).group_by(per_line.c.measure)).all())
    consequences = [
        _("It will be published to %(n)s enterprises; a published version cannot be changed (a correction needs a new "
          "version with a filing reason).", n=enterprises),
        _("Filed on %(date)s with %(recipients)s; the public list and every enterprise's notice show this version.",
          date=values["filed_on"].isoformat(), recipients=values["recipients"].strip()),
    ]
    if by_measure:
        consequences.append(_("Lines with a measure: %(list)s.", list=_("; ").join(
            f"{codes.label('Measure', m)} {by_measure[m]}" for m in MEASURE_ORDER if by_measure.get(m))))
    warnings = []
    open_apps = db.session.scalar(select(func.count()).select_from(ExemptionApplication).where(
        ExemptionApplication.schedule_id == schedule.id,
        ExemptionApplication.status == ApplicationStatus.SUBMITTED.value)) or 0
    if open_apps:
        warnings.append(_("%(n)s exemption or livelihood-load applications are still undecided; this version does not "
                          "include them.", n=open_apps))
    return Confirmation(
        title=_("Publish the staggered production schedule · %(title)s version %(n)s", title=_title(schedule), n=version.number),
        consequences=consequences, warnings=warnings, action=_("Publish"),
        back=url_for("schedules.detail", schedule_id=schedule.id) + "#publish")


def decide(application_id: int) -> Confirmation:
    """Approving or rejecting an application is final; an approval changes the line's entry in the next version."""
    app = ops.get_application(current_user, application_id)
    schedule = ops.get_schedule(current_user, app.schedule_id)
    ops._drafting(current_user, schedule)
    data = _form()
    data["approve"] = data.get("approve") == "1"
    values = load(DecideInput(), data)
    if values["version"] != app.row_version:
        raise Conflict(_("The record was changed by someone else. Reload and try again."))
    if app.status != ApplicationStatus.SUBMITTED.value:
        raise Conflict(_("This application has already been decided."))
    kind = labels.APPLICATION_KINDS.get(app.kind, app.kind)
    window = f"{app.requested_start.isoformat()} – {app.requested_end.isoformat()}"
    if values["approve"]:
        consequences = [
            _("Application %(id)s (%(kind)s, line %(line)s, %(window)s) will be approved; the decision cannot be changed.",
              id=app.id, kind=kind, line=app.line_ref, window=window),
            _("The next generated version of the schedule applies it to the line; the enterprise sees the decision "
              "and its reason."),
        ]
        if values["residual"]:
            consequences.append(_("Residual obligations: %(text)s", text=values["residual"]))
        action = _("Approve")
    else:
        consequences = [
            _("Application %(id)s (%(kind)s, line %(line)s, %(window)s) will be rejected; the decision cannot be changed.",
              id=app.id, kind=kind, line=app.line_ref, window=window),
            _("The line keeps the schedule's measure; the enterprise sees the rejection and its reason."),
        ]
        action = _("Reject")
    consequences.append(_("Reason: %(text)s", text=values["reason"]))
    return Confirmation(title=_("Decide the application · %(title)s", title=_title(schedule)), consequences=consequences,
                        action=action, back=url_for("schedules.detail", schedule_id=schedule.id) + "#applications",
                        danger=not values["approve"])
