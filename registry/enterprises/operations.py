"""Enterprise registration use cases: register, edit lines/permits, submit, return, approve.

Pages, API and import all call these (the Excel import through import_registrations), so the permission check, validation, optimistic lock
and audit entry cannot be skipped by choosing another door. Operations flush; callers commit.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.models import Role
from registry.core import audit, timeutil
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.regions import enterprise_region_problem
from registry.core.timeutil import utcnow
from registry.core.validation import load
from registry.core.versions import MISSING_VERSION, NO_VERSION
from registry.enterprises import approved, auth, bulk, plausibility
from registry.enterprises.conflicts import check_reservation
from registry.enterprises.models import (
    Enterprise,
    Equipment,
    LineEmission,
    Permit,
    ProductionLine,
    RegistrationStatus,
)
from registry.enterprises.schemas import EnterpriseInput, LineInput, PermitInput, ReviewInput, VersionInput
from registry.extensions import db

INVALID = "Some fields are invalid."


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_(INVALID), {field: [message]})


def snapshot(obj, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Column values as JSON-friendly data, for the audit log's before/after."""
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if col.key in exclude or col.key in ("created_at", "updated_at"):
            continue
        value = getattr(obj, col.key)
        if isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, date):
            value = value.isoformat()
        out[col.key] = value
    return out


def _check_version(obj, expected: int | None) -> None:
    if expected == MISSING_VERSION:  # a page form without its version: refused, never 'do not check' (issue 13 L11)
        raise ValidationFailed(str(NO_VERSION), {"version": [str(NO_VERSION)]})
    if expected is not None and int(expected) != obj.version:
        raise Conflict(_("The record was changed by someone else. Reload and try again."))


def _check_region(code: str) -> None:
    """A county-level region, or a city without counties (its enterprises sit in the city itself)."""
    problem = enterprise_region_problem(code)
    if problem:
        raise _invalid("region_code", problem)


def _check_uscc_unique(uscc: str, exclude_id: int | None = None) -> None:
    other = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if other is not None and other.id != exclude_id:
        raise _invalid("uscc", _("An enterprise with this unified social credit code is already registered."))


# ---- reading ----

def get_enterprise(actor, enterprise_id: int) -> Enterprise:
    """The enterprise if the actor may see it; 404 otherwise, so existence does not leak."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not auth.can_view_enterprise(actor, enterprise):
        raise NotFound(_("Not found."))
    return enterprise


def _editable_enterprise(actor, enterprise_id: int) -> Enterprise:
    enterprise = get_enterprise(actor, enterprise_id)
    if not auth.can_edit_enterprise(actor, enterprise):
        if auth.is_member(actor, enterprise):
            raise Conflict(_("This registration cannot be edited while it is %(status)s.", status=_status_label(enterprise.status)))
        raise Forbidden(_("You do not have permission to do this."))
    return enterprise


def _status_label(status: str) -> str:
    return {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "returned": _("returned"),
        "approved": _("approved"),
    }.get(status, status)


# ---- enterprise ----

def register_enterprise(actor, data: dict[str, Any]) -> Enterprise:
    if not auth.can_create_enterprise(actor):
        raise Forbidden(_("Only an enterprise account without an enterprise can register one."))
    values = load(EnterpriseInput(), data)
    _check_region(values["region_code"])
    _check_uscc_unique(values["uscc"])
    check_reservation(actor, values["uscc"])  # a code granted to a claimant is theirs (issue 13 M7)
    enterprise = Enterprise(**values, created_by_id=actor.id, status=RegistrationStatus.DRAFT.value)
    db.session.add(enterprise)
    db.session.flush()
    actor.enterprise_id = enterprise.id
    audit.record(actor, "enterprise.register", enterprise, after=snapshot(enterprise))
    return enterprise


def update_enterprise(actor, enterprise_id: int, data: dict[str, Any], *, expected_version: int | None) -> Enterprise:
    enterprise = _editable_enterprise(actor, enterprise_id)
    _check_version(enterprise, expected_version)
    values = load(EnterpriseInput(), data)
    _check_region(values["region_code"])
    _check_uscc_unique(values["uscc"], exclude_id=enterprise.id)
    if values["uscc"] != enterprise.uscc:
        check_reservation(actor, values["uscc"])
    before = snapshot(enterprise)
    for key, value in values.items():
        setattr(enterprise, key, value)
    db.session.flush()
    b, a = audit.changed_fields(before, snapshot(enterprise))
    if a:
        audit.record(actor, "enterprise.update", enterprise, before=b, after=a)
    return enterprise


def submit_registration(actor, enterprise_id: int, data: dict[str, Any]) -> Enterprise:
    enterprise = get_enterprise(actor, enterprise_id)
    if not auth.can_submit_registration(actor, enterprise):
        if auth.is_member(actor, enterprise):
            raise Conflict(_("This registration cannot be submitted while it is %(status)s.", status=_status_label(enterprise.status)))
        raise Forbidden(_("You do not have permission to do this."))
    _check_version(enterprise, load(VersionInput(), data)["version"])
    problems: dict[str, list[str]] = {}
    if not enterprise.lines:
        problems["lines"] = [_("Register at least one production line before submitting.")]
    if not enterprise.contact_person or not enterprise.contact_phone:
        problems["contact_person"] = [_("A contact person and phone are required before submitting.")]
    # facts saved before the plausibility checks (or written around them) are refused here too (issue 14 point 9)
    for w in enterprise_warnings(enterprise):
        if w["blocking"]:
            problems.setdefault(w["field"], []).append(f"{w['where']}: {w['message']}")
    if problems:
        raise ValidationFailed(_("The registration is not complete."), problems)
    before = enterprise.status
    enterprise.status = RegistrationStatus.SUBMITTED.value
    enterprise.submitted_at = utcnow()
    db.session.flush()
    audit.record(actor, "enterprise.submit", enterprise, before={"status": before}, after={"status": enterprise.status})
    return enterprise


def return_registration(actor, enterprise_id: int, data: dict[str, Any]) -> Enterprise:
    """An official sends a registration back; the reason is required and shown to the enterprise."""
    enterprise = _reviewable(actor, enterprise_id)
    values = load(ReviewInput(), data)
    _check_version(enterprise, values["version"])
    if not values["reason"]:
        raise _invalid("reason", _("Give the enterprise a reason for returning it."))
    enterprise.status = RegistrationStatus.RETURNED.value
    enterprise.return_reason = values["reason"]
    db.session.flush()
    audit.record(
        actor, "enterprise.return", enterprise, summary=values["reason"],
        before={"status": "submitted"}, after={"status": "returned", "reason": values["reason"]},
    )
    return enterprise


def approve_registration(actor, enterprise_id: int, data: dict[str, Any]) -> Enterprise:
    enterprise = _reviewable(actor, enterprise_id)
    values = load(ReviewInput(), data)
    _check_version(enterprise, values["version"])
    enterprise.status = RegistrationStatus.APPROVED.value
    enterprise.approved_at = utcnow()
    enterprise.return_reason = ""
    db.session.flush()
    # Schedules and emergency lists read this copy, not the live rows (issue 14 point 10): a later
    # reopening changes nothing they use until the amendment is approved in turn.
    origin = "amendment" if approved.standing(enterprise.id) is not None else "registration"
    approved.capture([enterprise.id], origin=origin, actor_id=actor.id, at=enterprise.approved_at)
    audit.record(
        actor, "enterprise.approve", enterprise, summary=values["reason"],
        before={"status": "submitted"}, after={"status": "approved", "facts": origin},
    )
    return enterprise


def reopen_registration(actor, enterprise_id: int, data: dict[str, Any]) -> Enterprise:
    enterprise = get_enterprise(actor, enterprise_id)
    if not auth.can_reopen_registration(actor, enterprise):
        if auth.is_member(actor, enterprise):
            raise Conflict(_("Only an approved registration can be reopened for amendment."))
        raise Forbidden(_("You do not have permission to do this."))
    _check_version(enterprise, load(VersionInput(), data)["version"])
    enterprise.status = RegistrationStatus.DRAFT.value
    db.session.flush()
    audit.record(actor, "enterprise.reopen", enterprise, before={"status": "approved"}, after={"status": "draft"})
    return enterprise


def _reviewable(actor, enterprise_id: int) -> Enterprise:
    enterprise = get_enterprise(actor, enterprise_id)
    if not auth.can_review_registration(actor, enterprise):
        if auth.is_official_in_scope(actor, enterprise):
            raise Conflict(_("Only a submitted registration can be reviewed; it is %(status)s.", status=_status_label(enterprise.status)))
        raise Forbidden(_("You do not have permission to do this."))
    return enterprise


# ---- plausibility (issue 14 point 9): the checks the importer runs too ----

def _plausible(obj, findings: list[plausibility.Finding]) -> None:
    """Refuse the save on a blocking contradiction (every one named under its field); keep the warnings on the
    saved object (`obj.plausibility_warnings`) for the page to flash and the API to return."""
    blocking: dict[str, list[str]] = {}
    for f in findings:
        if f.blocking:
            blocking.setdefault(f.field, []).append(f.message)
    if blocking:
        raise ValidationFailed(_(INVALID), blocking)
    if obj is not None:
        obj.plausibility_warnings = [f.as_dict() for f in findings]


def line_warnings(line: ProductionLine) -> list[dict[str, Any]]:
    return [f.as_dict() for f in plausibility.line_findings(snapshot(line))]


def permit_warnings(permit: Permit, today: date | None = None) -> list[dict[str, Any]]:
    values = snapshot(permit)
    values["valid_until"] = permit.valid_until
    return [f.as_dict() for f in plausibility.permit_findings(values, permit.enterprise.uscc, today or timeutil.beijing_today())]


def enterprise_warnings(enterprise: Enterprise, today: date | None = None) -> list[dict[str, Any]]:
    """Every contradiction of the registration now, for its page: each with the line or permit it is on."""
    out = []
    for line in enterprise.lines:
        out += [dict(w, where=f"{line.code} {line.name}") for w in line_warnings(line)]
    for permit in enterprise.permits:
        out += [dict(w, where=permit.number) for w in permit_warnings(permit, today)]
    return out


# ---- production lines ----

def _apply_line(line: ProductionLine, values: dict[str, Any]) -> None:
    emissions = values.pop("emissions", [])
    equipment = values.pop("equipment", [])
    seen = [e["pollutant"] for e in emissions]
    duplicates = {p for p in seen if seen.count(p) > 1}
    if duplicates:
        raise _invalid("emissions", _("Each pollutant may appear once: %(p)s", p=", ".join(sorted(duplicates))))
    for key, value in values.items():
        setattr(line, key, value)
    if line.id is not None and (line.emissions or line.equipment):
        # The unit of work inserts before it deletes: drop the old rows first, or re-sending an
        # unchanged pollutant would break the (line_id, pollutant) unique constraint.
        line.emissions = []
        line.equipment = []
        db.session.flush()
    line.emissions = [LineEmission(**e) for e in emissions]
    line.equipment = [Equipment(**e) for e in equipment]


def _line_snapshot(line: ProductionLine) -> dict[str, Any]:
    data = snapshot(line)
    data["emissions"] = [snapshot(e, exclude=("id", "line_id")) for e in line.emissions]
    data["equipment"] = [snapshot(e, exclude=("id", "line_id")) for e in line.equipment]
    return data


def _check_line_code(enterprise: Enterprise, code: str, exclude_id: int | None = None) -> None:
    if any(l.code == code and l.id != exclude_id for l in enterprise.lines):
        raise _invalid("code", _("Another line of this enterprise already uses this number."))


def add_line(actor, enterprise_id: int, data: dict[str, Any]) -> ProductionLine:
    enterprise = _editable_enterprise(actor, enterprise_id)
    values = load(LineInput(), data)
    _check_line_code(enterprise, values["code"])
    findings = plausibility.line_findings(values)
    _plausible(None, findings)
    line = ProductionLine(enterprise=enterprise)
    _apply_line(line, values)
    db.session.add(line)
    db.session.flush()
    audit.record(actor, "line.add", line, region_code=enterprise.region_code, root=enterprise, after=_line_snapshot(line))
    _plausible(line, findings)
    return line


def get_line(actor, line_id: int) -> ProductionLine:
    line = db.session.get(ProductionLine, line_id)
    if line is None or not auth.can_view_enterprise(actor, line.enterprise):
        raise NotFound(_("Not found."))
    return line


def update_line(actor, line_id: int, data: dict[str, Any], *, expected_version: int | None) -> ProductionLine:
    line = get_line(actor, line_id)
    _editable_enterprise(actor, line.enterprise_id)
    _check_version(line, expected_version)
    values = load(LineInput(), data)
    _check_line_code(line.enterprise, values["code"], exclude_id=line.id)
    findings = plausibility.line_findings(values)
    _plausible(None, findings)
    before = _line_snapshot(line)
    _apply_line(line, values)
    db.session.flush()
    b, a = audit.changed_fields(before, _line_snapshot(line))
    if a:
        audit.record(actor, "line.update", line, region_code=line.enterprise.region_code, root=line.enterprise, before=b, after=a)
    _plausible(line, findings)
    return line


def delete_line(actor, line_id: int, *, expected_version: int | None = None) -> None:
    line = get_line(actor, line_id)
    enterprise = _editable_enterprise(actor, line.enterprise_id)
    _check_version(line, expected_version)
    audit.record(actor, "line.delete", line, region_code=enterprise.region_code, root=enterprise, before=_line_snapshot(line))
    enterprise.lines.remove(line)
    db.session.flush()


# ---- permits ----

def _check_permit_number(number: str, exclude_id: int | None = None) -> None:
    other = db.session.scalar(select(Permit).where(Permit.number == number))
    if other is not None and other.id != exclude_id:
        raise _invalid("number", _("A permit with this number is already registered."))


def add_permit(actor, enterprise_id: int, data: dict[str, Any]) -> Permit:
    enterprise = _editable_enterprise(actor, enterprise_id)
    values = load(PermitInput(), data)
    _check_permit_number(values["number"])
    findings = plausibility.permit_findings(values, enterprise.uscc, timeutil.beijing_today())
    _plausible(None, findings)
    permit = Permit(enterprise=enterprise, **values)
    db.session.add(permit)
    db.session.flush()
    audit.record(actor, "permit.add", permit, region_code=enterprise.region_code, root=enterprise, after=snapshot(permit))
    _plausible(permit, findings)
    return permit


def get_permit(actor, permit_id: int) -> Permit:
    permit = db.session.get(Permit, permit_id)
    if permit is None or not auth.can_view_enterprise(actor, permit.enterprise):
        raise NotFound(_("Not found."))
    return permit


def update_permit(actor, permit_id: int, data: dict[str, Any], *, expected_version: int | None) -> Permit:
    permit = get_permit(actor, permit_id)
    _editable_enterprise(actor, permit.enterprise_id)
    _check_version(permit, expected_version)
    values = load(PermitInput(), data)
    _check_permit_number(values["number"], exclude_id=permit.id)
    findings = plausibility.permit_findings(values, permit.enterprise.uscc, timeutil.beijing_today())
    _plausible(None, findings)
    before = snapshot(permit)
    for key, value in values.items():
        setattr(permit, key, value)
    db.session.flush()
    b, a = audit.changed_fields(before, snapshot(permit))
    if a:
        audit.record(actor, "permit.update", permit, region_code=permit.enterprise.region_code, root=permit.enterprise, before=b, after=a)
    _plausible(permit, findings)
    return permit


def delete_permit(actor, permit_id: int, *, expected_version: int | None = None) -> None:
    permit = get_permit(actor, permit_id)
    enterprise = _editable_enterprise(actor, permit.enterprise_id)
    _check_version(permit, expected_version)
    audit.record(actor, "permit.delete", permit, region_code=enterprise.region_code, root=enterprise, before=snapshot(permit))
    enterprise.permits.remove(permit)
    db.session.flush()


# ---- bulk import ----

def import_registrations(actor, rows: bulk.Registrations, *, filename: str, counts: dict[str, dict[str, int]]) -> None:
    """Write an Excel import's checked and planned rows: enterprises, lines (with emissions), equipment, permits.

    The exchange package reads, validates (with this domain's schemas' rules, see schemas.CROSS_FIELD_RULES)
    and plans the file — who may change which row, create/update/unchanged; this action owns the writes: the
    registration status of what it creates (an enterprise's own import stays a draft, an official's import is
    a review, so approved), the executemany fast path, one audit entry for the import and one per enterprise
    it touched, and the approved facts of the registrations it changed. Flushes; the caller commits.
    """
    status = RegistrationStatus.DRAFT.value if actor.role == Role.ENTERPRISE.value else RegistrationStatus.APPROVED.value
    bulk.write_registrations(rows, actor, filename, counts, _import_regions(rows), status)


def _import_regions(rows: bulk.Registrations) -> dict[str, str]:
    """uscc → region of every enterprise the import names, for its audit entries (the file's value wins)."""
    t = Enterprise.__table__
    usccs = list(rows.enterprise_ids)
    out: dict[str, str] = {}
    for i in range(0, len(usccs), 5000):
        out.update(dict(db.session.execute(select(t.c.uscc, t.c.region_code).where(t.c.uscc.in_(usccs[i:i + 5000]))).all()))
    sheet = rows.sheets.get("enterprises")
    if sheet is not None:
        out.update(zip(sheet.create["uscc"], sheet.create["region_code"]))
    return out
