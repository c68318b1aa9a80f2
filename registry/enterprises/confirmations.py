"""What the enterprise pages say before an irreversible action (registry/core/confirm.py): approving or returning a
registration, deleting a production line or a permit. Read only; each checks what its operation checks first (scope,
permission, state, the optimistic-lock version, a return's reason), so a refused action is never confirmed."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.core.confirm import Confirmation
from registry.core.templating import local_datetime
from registry.core.validation import load
from registry.enterprises import approved
from registry.enterprises import operations as ops
from registry.enterprises.schemas import ReviewInput


def _who(enterprise) -> str:
    return f"{enterprise.name} ({enterprise.uscc})"


def approve(enterprise_id: int, data: dict[str, Any]) -> Confirmation:
    enterprise = ops._reviewable(current_user, enterprise_id)
    ops._check_version(enterprise, load(ReviewInput(), data)["version"])  # as the operation: the version is required
    standing = approved.standing(enterprise.id)
    consequences = [
        _("The registration of %(who)s is approved with %(lines)s production lines and %(permits)s permits.",
          who=_who(enterprise), lines=len(enterprise.lines), permits=len(enterprise.permits)),
        _("Schedules and emergency lists generated from now on use these facts; the enterprise can apply for a "
          "performance grade."),
    ]
    if standing is not None:
        consequences.append(_("They replace the facts approved on %(day)s.", day=local_datetime(standing.approved_at)))
    if data.get("reason"):
        consequences.append(_("Note: %(text)s", text=data["reason"]))
    return Confirmation(title=_("Approve the registration · %(name)s", name=enterprise.name), consequences=consequences,
                        action=_("Approve"), back=url_for("enterprises.detail", enterprise_id=enterprise.id))


def return_(enterprise_id: int, data: dict[str, Any]) -> Confirmation:
    enterprise = ops._reviewable(current_user, enterprise_id)
    ops._check_version(enterprise, load(ReviewInput(), data)["version"])
    if not (data.get("reason") or "").strip():
        raise ops._invalid("reason", _("Give the enterprise a reason for returning it."))
    standing = approved.standing(enterprise.id)
    consequences = [
        _("The registration of %(who)s goes back to the enterprise with this reason: %(reason)s",
          who=_who(enterprise), reason=data["reason"].strip()),
        _("It can be approved only after the enterprise corrects and submits it again."),
        _("Schedules and emergency lists keep using the facts approved on %(day)s.", day=local_datetime(standing.approved_at))
        if standing is not None else _("Until it is approved, schedules and emergency lists do not include it."),
    ]
    return Confirmation(title=_("Return the registration · %(name)s", name=enterprise.name), consequences=consequences,
                        action=_("Return to the enterprise"), danger=True,
                        back=url_for("enterprises.detail", enterprise_id=enterprise.id))


def delete_line(line_id: int, version: int | None) -> Confirmation:
    line = ops.get_line(current_user, line_id)
    enterprise = ops._editable_enterprise(current_user, line.enterprise_id)
    ops._check_version(line, version)
    consequences = [
        _("Production line %(name)s (%(code)s) is deleted with its %(equipment)s equipment rows and %(emissions)s emission "
          "rows; the registration's history keeps what it was.", name=line.name, code=line.code or line.id,
          equipment=len(line.equipment), emissions=len(line.emissions)),
        _("Schedules and emergency lists see the change once the registration is approved again."),
    ]
    return Confirmation(title=_("Delete a production line · %(name)s", name=enterprise.name), consequences=consequences,
                        action=_("Delete"), danger=True,
                        back=url_for("enterprises.detail", enterprise_id=enterprise.id, _anchor="lines"))


def delete_permit(permit_id: int, version: int | None) -> Confirmation:
    permit = ops.get_permit(current_user, permit_id)
    enterprise = ops._editable_enterprise(current_user, permit.enterprise_id)
    ops._check_version(permit, version)
    consequences = [
        _("Permit %(number)s is deleted; the registration's history keeps what it was.", number=permit.number),
        _("Schedules and emergency lists see the change once the registration is approved again."),
    ]
    return Confirmation(title=_("Delete a permit · %(name)s", name=enterprise.name), consequences=consequences,
                        action=_("Delete"), danger=True,
                        back=url_for("enterprises.detail", enterprise_id=enterprise.id, _anchor="permits"))
