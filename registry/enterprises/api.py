"""Enterprise API: registrations, their review workflow and history, production lines and permits.

Thin resources: parse → one operation → commit → dump. Operations check permissions (out of
scope → 404, in scope without permission → 403, wrong state → 409), validate the body with
the schemas documented here, and audit. Edits need the version the client read (body
`version` or If-Match); a stale one is a 409.
"""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from grading.vocab import Sector
from registry.core import unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import PageMetaOut, body, errors, etag, expected_version, json_body, with_version
from registry.core.validation import InVocabulary
from registry.enterprises import operations as ops
from registry.enterprises import queries
from registry.enterprises.models import RegistrationStatus
from registry.enterprises.schemas import (
    AuditEntryOut,
    EnterpriseInput,
    EnterpriseOut,
    EnterpriseSummaryOut,
    LineInput,
    LineOut,
    PermitInput,
    PermitOut,
    ReviewInput,
    VersionInput,
)

DESCRIPTION = """Enterprises (企业), production lines (生产线) and pollutant-discharge permits (排污许可证).

Lists are scoped: an enterprise account sees its own registration, an official the submitted
registrations of their region, an administrator all. Every edit and workflow action needs the
`version` you read — in the body or as `If-Match: "<version>"` (GET answers it as ETag); if
someone changed the record meanwhile the answer is 409 and nothing is saved. Controlled
vocabularies (sector, line kind, fuel, …) are at GET /api/v1/vocabularies."""

blp = Blueprint("enterprises_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
guard(blp)

VERSION_HEADERS = {"ETag": {"description": "The record's version, for If-Match on the next edit.", "schema": {"type": "string"}}}


def _blank_or(validator):
    """An empty filter means "any"; anything else must pass `validator`."""

    def check(value):
        return value if value == "" else validator(value)

    return check


class EnterpriseQuery(Schema):
    q = fields.String(load_default="", metadata={"description": "Text in the name, USCC or address."})
    status = fields.String(
        load_default="",
        validate=_blank_or(InVocabulary([s.value for s in RegistrationStatus])),
        metadata={"description": "draft | submitted | returned | approved"},
    )
    sector = fields.String(load_default="", validate=_blank_or(InVocabulary(Sector)), metadata={"description": "A Sector code (GET /api/v1/vocabularies)."})
    region_code = fields.String(load_default="", metadata={"description": "A region code: its whole subtree."})
    page = fields.Integer(load_default=1, metadata={"description": "1-based; values below 1 mean 1."})
    per_page = fields.Integer(load_default=25, metadata={"description": "1–200 (clamped)."})


class EnterprisePageOut(Schema):
    items = fields.List(fields.Nested(EnterpriseSummaryOut))
    meta = fields.Nested(PageMetaOut)


class LineListOut(Schema):
    items = fields.List(fields.Nested(LineOut))


class PermitListOut(Schema):
    items = fields.List(fields.Nested(PermitOut))


class HistoryOut(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))


class EnterpriseUpdateInput(EnterpriseInput):
    version = fields.Integer(metadata={"description": "The version you read (or send If-Match)."})


class LineUpdateInput(LineInput):
    version = fields.Integer(metadata={"description": "The version you read (or send If-Match)."})


class PermitUpdateInput(PermitInput):
    version = fields.Integer(metadata={"description": "The version you read (or send If-Match)."})


# ---- enterprises ----

@blp.route("/enterprises")
class Enterprises(MethodView):
    @login_required
    @blp.arguments(EnterpriseQuery, location="query")
    @blp.response(200, EnterprisePageOut, headers={"X-Total-Count": {"description": "Matching enterprises.", "schema": {"type": "integer"}}})
    @errors(blp, 401)
    def get(self, args):
        """The enterprises you may see (yours, or your region's submitted ones), filtered and paged."""
        page = queries.list_enterprises(actor(), queries.EnterpriseFilters(**args))
        return {"items": page.items, "meta": page.meta()}, {"X-Total-Count": str(page.total)}

    @login_required
    @body(EnterpriseInput)
    @blp.response(201, EnterpriseOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 403, 400)
    def post(self):
        """Register your enterprise (an enterprise account without one); it starts as a draft."""
        enterprise = ops.register_enterprise(actor(), json_body())
        unit_of_work.flush()
        headers = {**etag(enterprise.version), "Location": url_for(".EnterpriseItem", enterprise_id=enterprise.id)}
        return enterprise, headers


@blp.route("/enterprises/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @login_required
    @blp.response(200, EnterpriseOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 404)
    def get(self, enterprise_id: int):
        """One registration with its lines and permits."""
        enterprise = ops.get_enterprise(actor(), enterprise_id)
        return enterprise, etag(enterprise.version)

    @login_required
    @body(EnterpriseUpdateInput)
    @blp.response(200, EnterpriseOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 403, 404, 409, 400)
    def put(self, enterprise_id: int):
        """Replace the registration's fields (draft or returned only; send the version you read)."""
        data = json_body()
        enterprise = ops.update_enterprise(actor(), enterprise_id, data, expected_version=expected_version(data))
        unit_of_work.flush()
        return enterprise, etag(enterprise.version)


def _workflow_view(name: str, operation, schema, doc: str):
    """One POST resource per registration transition; they differ only in the operation."""

    def post(self, enterprise_id: int):
        enterprise = operation(actor(), enterprise_id, with_version(json_body()))
        unit_of_work.flush()
        return enterprise, etag(enterprise.version)

    post.__doc__ = doc
    post = login_required(body(schema)(blp.response(200, EnterpriseOut, headers=VERSION_HEADERS)(errors(blp, 401, 403, 404, 409, 400)(post))))
    view = type(name, (MethodView,), {"post": post, "__doc__": doc})
    return blp.route(f"/enterprises/<int:enterprise_id>/{name.lower().removeprefix('registration')}")(view)


RegistrationSubmit = _workflow_view(
    "RegistrationSubmit", ops.submit_registration, VersionInput,
    "Submit the registration for review (the enterprise; draft or returned, at least one line).",
)
RegistrationReturn = _workflow_view(
    "RegistrationReturn", ops.return_registration, ReviewInput,
    "Return a submitted registration to the enterprise with a reason (officials in scope).",
)
RegistrationApprove = _workflow_view(
    "RegistrationApprove", ops.approve_registration, ReviewInput,
    "Approve a submitted registration (officials in scope).",
)
RegistrationReopen = _workflow_view(
    "RegistrationReopen", ops.reopen_registration, VersionInput,
    "Reopen an approved registration as a draft to amend it (the enterprise).",
)


@blp.route("/enterprises/<int:enterprise_id>/history")
class EnterpriseHistory(MethodView):
    @login_required
    @blp.response(200, HistoryOut)
    @errors(blp, 401, 404)
    def get(self, enterprise_id: int):
        """Every recorded change of the registration, its lines and permits, newest first."""
        enterprise = ops.get_enterprise(actor(), enterprise_id)
        return {"items": queries.enterprise_history(enterprise, actor())}


# ---- production lines ----

@blp.route("/enterprises/<int:enterprise_id>/lines")
class EnterpriseLines(MethodView):
    @login_required
    @blp.response(200, LineListOut)
    @errors(blp, 401, 404)
    def get(self, enterprise_id: int):
        """The enterprise's production lines with emissions and equipment."""
        return {"items": ops.get_enterprise(actor(), enterprise_id).lines}

    @login_required
    @body(LineInput)
    @blp.response(201, LineOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 403, 404, 409, 400)
    def post(self, enterprise_id: int):
        """Add a production line (the enterprise; draft or returned registrations)."""
        line = ops.add_line(actor(), enterprise_id, json_body())
        unit_of_work.flush()
        return line, {**etag(line.version), "Location": url_for(".LineItem", line_id=line.id)}


@blp.route("/lines/<int:line_id>")
class LineItem(MethodView):
    @login_required
    @blp.response(200, LineOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 404)
    def get(self, line_id: int):
        """One production line."""
        line = ops.get_line(actor(), line_id)
        return line, etag(line.version)

    @login_required
    @body(LineUpdateInput)
    @blp.response(200, LineOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 403, 404, 409, 400)
    def put(self, line_id: int):
        """Replace a line, its emissions and equipment (send the version you read)."""
        data = json_body()
        line = ops.update_line(actor(), line_id, data, expected_version=expected_version(data))
        unit_of_work.flush()
        return line, etag(line.version)

    @login_required
    @blp.response(204)
    @errors(blp, 401, 403, 404, 409, 400)
    def delete(self, line_id: int):
        """Delete a line (the enterprise; draft or returned registrations)."""
        ops.delete_line(actor(), line_id)
        unit_of_work.flush()


# ---- permits ----

@blp.route("/enterprises/<int:enterprise_id>/permits")
class EnterprisePermits(MethodView):
    @login_required
    @blp.response(200, PermitListOut)
    @errors(blp, 401, 404)
    def get(self, enterprise_id: int):
        """The enterprise's pollutant-discharge permits (排污许可证)."""
        return {"items": ops.get_enterprise(actor(), enterprise_id).permits}

    @login_required
    @body(PermitInput)
    @blp.response(201, PermitOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 403, 404, 409, 400)
    def post(self, enterprise_id: int):
        """Add a permit (the enterprise; draft or returned registrations)."""
        permit = ops.add_permit(actor(), enterprise_id, json_body())
        unit_of_work.flush()
        return permit, {**etag(permit.version), "Location": url_for(".PermitItem", permit_id=permit.id)}


@blp.route("/permits/<int:permit_id>")
class PermitItem(MethodView):
    @login_required
    @blp.response(200, PermitOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 404)
    def get(self, permit_id: int):
        """One permit."""
        permit = ops.get_permit(actor(), permit_id)
        return permit, etag(permit.version)

    @login_required
    @body(PermitUpdateInput)
    @blp.response(200, PermitOut, headers=VERSION_HEADERS)
    @errors(blp, 401, 403, 404, 409, 400)
    def put(self, permit_id: int):
        """Replace a permit's fields (send the version you read)."""
        data = json_body()
        permit = ops.update_permit(actor(), permit_id, data, expected_version=expected_version(data))
        unit_of_work.flush()
        return permit, etag(permit.version)

    @login_required
    @blp.response(204)
    @errors(blp, 401, 403, 404, 409, 400)
    def delete(self, permit_id: int):
        """Delete a permit (the enterprise; draft or returned registrations)."""
        ops.delete_permit(actor(), permit_id)
        unit_of_work.flush()
