"""Conflicts over a USCC (issue 13 M7): see them, release an abandoned draft, claim a code with proof.

The attack: a self-registered account registers a real company's 统一社会信用代码 as a draft and never submits
it. Officials cannot see the draft (it is the account's own until submitted), their import of the real company
fails on that code, the real company cannot register, and nothing could remove the draft.

- Officials whose scope covers the code's registering region (USCC characters 3–8, GB 32100) see, by the code
  only (held since, last changed — never the draft's content), the never-submitted drafts holding codes of their
  region and the open claims; they look any code up.
- An official releases a never-submitted draft with a reason: the code is freed (the draft is kept, detached
  from its account, its code replaced by a tombstone), the owner reads the release and the reason on its
  enterprise page, and the audit log records it under the code's region.
- A company claims its code from an enterprise account with a scan of its business licence (the evidence checks
  of registry/grades/evidence.py: type by content, size); an official of the code's region grants (releasing a
  never-submitted draft holding it, and reserving the code for the claimant until it registers) or rejects it.
- An official's import of a company whose code a never-submitted draft holds says so in the report
  (registry/exchange/plan.py) and names this page; after the release the import runs again.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, select

from registry.accounts.models import User
from registry.accounts.scopes import scope_prefix
from registry.core import audit
from registry.core.errors import Conflict, Forbidden, NotFound, Unavailable, ValidationFailed
from registry.core.timeutil import utcnow
from registry.core.validation import TrimmedString, USCCField, load
from registry.enterprises import auth
from registry.enterprises.models import Enterprise, UsccClaim, UsccRelease, code_region
from registry.extensions import db
from registry.grades import evidence

TOMBSTONE = "RELEASED"


class ReleaseInput(Schema):
    class Meta:
        unknown = EXCLUDE

    uscc = USCCField(required=True)
    reason = TrimmedString(required=True, validate=validate.Length(min=4, max=2000))


class ClaimInput(Schema):
    class Meta:
        unknown = EXCLUDE

    uscc = USCCField(required=True)
    company_name = TrimmedString(required=True, validate=validate.Length(min=2, max=200))
    contact = TrimmedString(load_default="", validate=validate.Length(max=120))


class ClaimDecisionInput(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(required=True, validate=validate.OneOf(("grant", "reject")))
    reason = TrimmedString(required=True, validate=validate.Length(min=4, max=2000))
    version = fields.Integer(required=True)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), {field: [message]})


def holder(uscc: str) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def _require_resolver(actor, uscc: str) -> str:
    region = code_region(uscc)
    if not auth.can_resolve_code(actor, region):
        if getattr(actor, "is_official", False):
            raise NotFound(_("Not found."))  # another region's code: existence does not leak
        raise Forbidden(_("Only officials of the code's region resolve conflicts over it."))
    return region


# ---- reading ----

def code_status(actor, uscc: str) -> dict[str, Any]:
    """What an official of the code's region may know about a code: held or not, by a never-submitted draft
    (since, last change — not its content) or by a registration they can open; its claims and releases."""
    uscc = load(ReleaseInput(only=("uscc",)), {"uscc": uscc})["uscc"]
    region = _require_resolver(actor, uscc)
    ent = holder(uscc)
    claims = db.session.scalars(select(UsccClaim).where(UsccClaim.uscc == uscc).order_by(UsccClaim.id.desc())).all()
    releases = db.session.scalars(select(UsccRelease).where(UsccRelease.uscc == uscc).order_by(UsccRelease.id.desc())).all()
    return {
        "uscc": uscc, "code_region": region, "held": ent is not None,
        "never_submitted": ent is not None and ent.submitted_at is None,
        "held_since": ent.created_at if ent is not None else None,
        "last_change": ent.updated_at if ent is not None else None,
        "enterprise_id": ent.id if ent is not None and auth.can_view_enterprise(actor, ent) else None,
        "claims": [claim_dict(c) for c in claims], "releases": [release_dict(r, owner_view=False) for r in releases],
    }


def conflicts(actor) -> dict[str, list[dict[str, Any]]]:
    """The official's page: open claims on codes of their region, and never-submitted drafts holding such codes."""
    if not getattr(actor, "is_official", False):
        raise Forbidden(_("Only officials of the code's region resolve conflicts over it."))
    prefix = scope_prefix(actor) or ""
    claims = db.session.scalars(select(UsccClaim).where(UsccClaim.status == "open", UsccClaim.code_region.startswith(prefix))
                                .order_by(UsccClaim.id)).all()
    drafts = db.session.execute(
        select(Enterprise.uscc, Enterprise.created_at, Enterprise.updated_at)
        .where(Enterprise.submitted_at.is_(None), ~Enterprise.uscc.startswith(TOMBSTONE),
               func.substr(Enterprise.uscc, 3, 6).startswith(prefix))
        .order_by(Enterprise.created_at).limit(500)).all()
    claimed = {c.uscc for c in claims}
    return {
        "claims": [claim_dict(c) | {"held_by_draft": _held_by_draft(c.uscc)} for c in claims],
        "drafts": [{"uscc": u, "held_since": created, "last_change": changed, "claimed": u in claimed}
                   for u, created, changed in drafts],
    }


def _held_by_draft(uscc: str) -> bool:
    ent = holder(uscc)
    return ent is not None and ent.submitted_at is None


def claim_dict(c: UsccClaim) -> dict[str, Any]:
    return {"id": c.id, "version": c.version, "uscc": c.uscc, "company_name": c.company_name, "contact": c.contact,
            "status": c.status, "decision_reason": c.decision_reason, "created_at": c.created_at,
            "decided_at": c.decided_at, "evidence_filename": c.evidence_filename, "evidence_size": c.evidence_size}


def release_dict(r: UsccRelease, *, owner_view: bool) -> dict[str, Any]:
    out = {"id": r.id, "uscc": r.uscc, "reason": r.reason, "released_at": r.released_at, "claim_id": r.claim_id}
    if owner_view:
        out["draft_name"] = r.draft_name  # the owner's own draft: its name is theirs to read
    return out


def notices(user) -> dict[str, list[dict[str, Any]]]:
    """What an enterprise account is told: its drafts that were released, and its claims."""
    if user is None or getattr(user, "id", None) is None:
        return {"releases": [], "claims": []}
    releases = db.session.scalars(select(UsccRelease).where(UsccRelease.owner_id == user.id)
                                  .order_by(UsccRelease.id.desc())).all()
    claims = db.session.scalars(select(UsccClaim).where(UsccClaim.claimant_id == user.id).order_by(UsccClaim.id.desc())).all()
    return {"releases": [release_dict(r, owner_view=True) for r in releases], "claims": [claim_dict(c) for c in claims]}


def get_claim(actor, claim_id: int) -> UsccClaim:
    claim = db.session.get(UsccClaim, claim_id)
    if claim is None:
        raise NotFound(_("Not found."))
    if claim.claimant_id is not None and claim.claimant_id == getattr(actor, "id", None):
        return claim
    if not auth.can_resolve_code(actor, claim.code_region):
        raise NotFound(_("Not found."))
    return claim


# ---- the code's reservation for a granted claim ----

def check_reservation(actor, uscc: str) -> None:
    """A code granted to a claimant is theirs to register: anyone else is refused until they have."""
    granted = db.session.scalar(select(UsccClaim).where(UsccClaim.uscc == uscc, UsccClaim.status == "granted")
                                .order_by(UsccClaim.id.desc()).limit(1))
    if granted is None or granted.claimant_id in (None, getattr(actor, "id", None)):
        return
    raise _invalid("uscc", _("This code was granted to the company that proved it is theirs; only that account can register it."))


# ---- writing ----

def _release(actor, ent: Enterprise, reason: str, claim: UsccClaim | None = None) -> UsccRelease:
    uscc = ent.uscc
    owners = db.session.scalars(select(User).where(User.enterprise_id == ent.id)).all()
    row = UsccRelease(uscc=uscc, code_region=code_region(uscc), enterprise_id=ent.id,
                      owner_id=owners[0].id if owners else ent.created_by_id, draft_name=ent.name[:200],
                      reason=reason, claim_id=claim.id if claim else None, released_by_id=actor.id)
    db.session.add(row)
    for owner in owners:
        owner.enterprise_id = None  # the account may register again, with its own code
    ent.uscc = f"{TOMBSTONE}{ent.id:010d}"[:18]  # the draft is kept (evidence of the dispute), its code freed
    db.session.flush()
    # the log names the code and its region only: the draft's content stays out of officials' sight (M8)
    audit.record(actor, "enterprise.uscc_release", ent, summary=reason, region_code=code_region(uscc),
                 before={"uscc": uscc}, after={"uscc": ent.uscc, "released": True, "claim_id": row.claim_id})
    return row


def release_draft(actor, data: dict[str, Any]) -> UsccRelease:
    """Release a never-submitted draft holding a code of the official's region (reason required, audited)."""
    values = load(ReleaseInput(), data)
    _require_resolver(actor, values["uscc"])
    ent = holder(values["uscc"])
    if ent is None:
        raise Conflict(_("No registration holds this code: there is nothing to release."))
    if ent.submitted_at is not None:
        raise Conflict(_("This code belongs to a registration that was submitted; correct it through that registration "
                         "(return it with a reason), not by releasing it."))
    db.session.refresh(ent, with_for_update=True)
    if ent.submitted_at is not None:  # submitted meanwhile
        raise Conflict(_("The record was changed by someone else. Reload and try again."))
    return _release(actor, ent, values["reason"])


def file_claim(actor, data: dict[str, Any], filename: str, content: bytes) -> UsccClaim:
    """A company claims its code with a scan of its business licence (checked like grade evidence)."""
    if not auth.can_claim_code(actor):
        raise Forbidden(_("Claims are filed from an enterprise account that has not registered an enterprise."))
    values = load(ClaimInput(), data)
    if db.session.scalar(select(UsccClaim.id).where(UsccClaim.uscc == values["uscc"], UsccClaim.claimant_id == actor.id,
                                                     UsccClaim.status == "open").limit(1)) is not None:
        raise Conflict(_("You already have an open claim on this code."))
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    try:
        stored = evidence.store(filename, content)
    except evidence.EvidenceRejected as exc:
        raise _invalid("file", _(str(exc))) from None
    except OSError:
        current_app.logger.exception("claim evidence could not be written")
        raise Unavailable(_("The file could not be stored (the server's disk is full or failing). Nothing was saved; "
                            "please try again later or tell the administrator."),
                          {"file": [_("The file could not be stored.")]}) from None
    claim = UsccClaim(uscc=values["uscc"], code_region=code_region(values["uscc"]), company_name=values["company_name"],
                      contact=values["contact"], claimant_id=actor.id, evidence_filename=filename[-200:],
                      evidence_content_type=stored.content_type, evidence_size=stored.size, evidence_sha256=stored.sha256)
    db.session.add(claim)
    db.session.flush()
    audit.record(actor, "enterprise.uscc_claim", claim, region_code=claim.code_region,
                 after={"uscc": claim.uscc, "company_name": claim.company_name, "sha256": claim.evidence_sha256})
    return claim


def decide_claim(actor, claim_id: int, data: dict[str, Any]) -> UsccClaim:
    """Grant (releasing a never-submitted draft holding the code; the code is then reserved for the claimant)
    or reject, with a reason."""
    claim = get_claim(actor, claim_id)
    if not auth.can_resolve_code(actor, claim.code_region):
        raise Forbidden(_("Only officials of the code's region resolve conflicts over it."))
    values = load(ClaimDecisionInput(), data)
    if values["version"] != claim.version:
        raise Conflict(_("The record was changed by someone else. Reload and try again."))
    if claim.status != "open":
        raise Conflict(_("This claim has already been decided."))
    if values["decision"] == "grant":
        ent = holder(claim.uscc)
        if ent is not None and ent.submitted_at is not None:
            raise Conflict(_("This code belongs to a registration that was submitted; correct it through that registration "
                             "(return it with a reason), not by releasing it."))
        claim.status = "granted"
        if ent is not None:
            _release(actor, ent, values["reason"], claim)
    else:
        claim.status = "rejected"
    claim.decision_reason, claim.decided_by_id, claim.decided_at = values["reason"], actor.id, utcnow()
    db.session.flush()
    audit.record(actor, f"enterprise.uscc_claim_{claim.status}", claim, summary=values["reason"],
                 region_code=claim.code_region, before={"status": "open"}, after={"status": claim.status})
    return claim
