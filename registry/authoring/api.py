"""Officials' packs API (issue 20): list, copy, read, documents, edit values (cited), problems, diff, impact, submit,
review, activate, new versions, YAML export and import.

Thin resources: parse → one operation (registry/authoring/operations.py) → the request's unit of work commits →
dump. Out of scope → 404, in scope without permission (the four eyes included) → 403, a state that forbids the
action (a frozen version, an unapproved activation) → 409.
"""
from __future__ import annotations

import base64
import binascii
from datetime import date

from flask import Response
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from registry.authoring import labels  # noqa: F401  (registers the vocabularies)
from registry.authoring import operations as ops
from registry.core import codes, unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import body, errors, json_body
from registry.core.errors import NotFound, ValidationFailed
from registry.core.validation import load

DESCRIPTION = """Policy packs written by officials (政策包, issue 20): a draft copied from a shipped or authored pack for
a region and heating season, policy documents (PDF, DOCX, text) stored as numbered lines, value edits each cited by a
document line ("D<id>:<line>") or a written reason (local setting), the loader's problems by field, the diff against
the parent, the impact preview on the region's registered enterprises (the engine's batch path), submission, review by
a second official (the province for a city's pack; never the author), activation, corrected versions and YAML files.
An active pack is used by schedules and emergency lists like a shipped one."""

blp = Blueprint("authoring_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
guard(blp)


class AuthoredPackSummaryOut(Schema):
    id = fields.Integer()
    pack_id = fields.String()
    version = fields.Integer()
    region_code = fields.String()
    season_year = fields.Integer()
    title = fields.String()
    parent_pack_id = fields.String()
    parent_sha256 = fields.String()
    status = fields.String()
    status_label = fields.String()
    example = fields.Boolean()
    sha256 = fields.String(allow_none=True)
    review_note = fields.String()


class AuthoredPackOut(AuthoredPackSummaryOut):
    """The summary with the pack's documents and its text."""
    documents = fields.List(fields.Dict())
    yaml = fields.String(metadata={"description": "the pack text, the shipped packs' YAML format"})


class AuthoredPackListOut(Schema):
    items = fields.List(fields.Nested(AuthoredPackSummaryOut))
    shipped = fields.List(fields.Dict())


class PackCopyInput(Schema):
    parent = fields.String(required=True, metadata={"description": "a shipped pack id, an active pack id, or authored:<id>"})
    region_code = fields.String(required=True)
    season_year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    pack_id = fields.String(load_default=None)
    title = fields.String(load_default=None)


class PackDocumentInput(Schema):
    filename = fields.String(required=True)
    content_base64 = fields.String(required=True)


class PackEditInput(Schema):
    changes = fields.Dict(keys=fields.String(), required=True, metadata={"description": "pack path → new value"})
    document_id = fields.Integer(load_default=None)
    line = fields.Integer(load_default=None)
    reason = fields.String(load_default="")


class PackDocumentOut(Schema):
    id = fields.Integer()
    filename = fields.String()
    lines = fields.List(fields.String())


class PackItemsOut(Schema):
    items = fields.List(fields.Dict())


class PackImpactOut(Schema):
    impact = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)


class PackReviewInput(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    note = fields.String(load_default="")


class PackImportInput(Schema):
    region_code = fields.String(required=True)
    season_year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    yaml = fields.String(required=True)


class PackImpactQuery(Schema):
    dates = fields.List(fields.Date(), required=True)
    levels = fields.List(fields.String(), load_default=lambda: ["none"])
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


def _pack(p, with_text: bool = True) -> dict:
    out = {k: getattr(p, k) for k in ("id", "pack_id", "version", "region_code", "season_year", "title",
                                      "parent_pack_id", "parent_sha256", "status", "example", "sha256", "review_note")}
    out["status_label"] = codes.label("authoring.status", p.status)
    if with_text:
        out["yaml"] = p.yaml_text
        out["documents"] = [{"id": d.id, "citation_prefix": d.code, "filename": d.filename, "sha256": d.sha256,
                             "size": d.size, "lines": len(d.lines)} for d in p.documents]
    return out


@blp.route("/authored-packs")
class Packs(MethodView):
    @login_required
    @blp.response(200, AuthoredPackListOut)
    @errors(blp, 401)
    def get(self):
        """The authored pack versions you may see (officials: their region's and those below; everyone: active ones),
        and the shipped packs."""
        return {"items": [_pack(p, False) for p in ops.list_visible(actor())], "shipped": ops.shipped_packs()}

    @login_required
    @body(PackCopyInput)
    @blp.response(201, AuthoredPackOut)
    @errors(blp, 401, 403, 409)
    def post(self):
        """Copy a pack into a draft for a region and season (the region's own officials)."""
        data = load(PackCopyInput(), json_body())
        return _pack(unit_of_work.run(ops.copy_pack, actor(), **data))


@blp.route("/authored-packs/import")
class Import(MethodView):
    @login_required
    @body(PackImportInput)
    @blp.response(201, AuthoredPackOut)
    @errors(blp, 401, 403, 409)
    def post(self):
        """A pack YAML file becomes a draft; it must pass the loader."""
        data = load(PackImportInput(), json_body())
        return _pack(unit_of_work.run(ops.import_text, actor(), region_code=data["region_code"],
                                      season_year=data["season_year"], text=data["yaml"]))


@blp.route("/authored-packs/<int:authored_id>")
class OnePack(MethodView):
    @login_required
    @blp.response(200, AuthoredPackOut)
    @errors(blp, 401, 404)
    def get(self, authored_id: int):
        """One version with its text and documents."""
        return _pack(ops.get_pack(actor(), authored_id))


@blp.route("/authored-packs/<int:authored_id>/documents")
class Documents(MethodView):
    @login_required
    @body(PackDocumentInput)
    @blp.response(201, AuthoredPackOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, authored_id: int):
        """Upload a policy document (PDF, DOCX or text, base64, at most 10 MB); its text is stored as numbered lines."""
        data = load(PackDocumentInput(), json_body())
        try:
            raw = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(_("Some fields are invalid."), {"content_base64": [_("Not base64 text.")]}) from None
        unit_of_work.run(ops.upload_document, actor(), authored_id, data["filename"], raw)
        return _pack(ops.get_pack(actor(), authored_id))


@blp.route("/authored-packs/<int:authored_id>/documents/<int:document_id>")
class OneDocument(MethodView):
    @login_required
    @blp.response(200, PackDocumentOut)
    @errors(blp, 401, 404)
    def get(self, authored_id: int, document_id: int):
        """A document's extracted lines (line n is lines[n-1], cited as D<id>:n)."""
        doc = ops.document(actor(), document_id)
        if doc.authored_pack_id != authored_id:
            raise NotFound(_("Not found."))
        return {"id": doc.id, "filename": doc.filename, "lines": doc.lines}


@blp.route("/authored-packs/<int:authored_id>/edits")
class Edits(MethodView):
    @login_required
    @body(PackEditInput)
    @blp.response(200, AuthoredPackOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, authored_id: int):
        """Change values of a draft, cited by a document line or a written reason (every change audited)."""
        data = load(PackEditInput(), json_body())
        unit_of_work.run(ops.edit_values, actor(), authored_id, data["changes"], document_id=data["document_id"],
                         line=data["line"], reason=data["reason"])
        return _pack(ops.get_pack(actor(), authored_id))


@blp.route("/authored-packs/<int:authored_id>/problems")
class Problems(MethodView):
    @login_required
    @blp.response(200, PackItemsOut)
    @errors(blp, 401, 404)
    def get(self, authored_id: int):
        """Every problem the pack loader finds, by field (label and message in the reader's language)."""
        return {"items": [p.as_dict() for p in ops.problems(ops.get_pack(actor(), authored_id))]}


@blp.route("/authored-packs/<int:authored_id>/diff")
class Diff(MethodView):
    @login_required
    @blp.response(200, PackItemsOut)
    @errors(blp, 401, 404)
    def get(self, authored_id: int):
        """Every value that differs from the parent, with the old and new citation."""
        from registry.policy.drafts import diff

        pack = ops.get_pack(actor(), authored_id)
        return {"items": [c.as_dict() for c in diff(ops.parent_text(pack), pack.yaml_text)]}


@blp.route("/authored-packs/<int:authored_id>/impact")
class ImpactPreview(MethodView):
    @login_required
    @blp.arguments(PackImpactQuery, location="query")
    @blp.response(200, PackImpactOut)
    @errors(blp, 401, 403, 404)
    def get(self, args, authored_id: int):
        """The draft against its parent on the region's registered enterprises (counts of everything, one page of
        changed lines), and the emergency list's totals against the draft's targets."""
        from dataclasses import asdict

        from registry.policy.drafts import load_draft

        pack = ops.get_pack(actor(), authored_id)
        try:
            draft = load_draft(pack.yaml_text, f"{pack.pack_id}.yaml")
        except ValueError as err:
            return {"impact": None, "error": str(err)}
        result, error = ops.impact_preview(actor(), pack, draft, list(args["dates"])[:5], args["levels"],
                                           offset=args["offset"], limit=args["limit"])
        if result is None:
            return {"impact": None, "error": error}
        out = asdict(result)
        out["by_measure"] = [{"parent": k[0], "draft": k[1], "changes": v} for k, v in result.by_measure.items()]
        return {"impact": _jsonable(out), "error": None}


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _step(name: str, operation):
    @login_required
    @blp.response(200, AuthoredPackOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, authored_id: int):
        return _pack(unit_of_work.run(operation, actor(), authored_id))

    post.__doc__ = name
    return post


@blp.route("/authored-packs/<int:authored_id>/submit")
class Submit(MethodView):
    post = _step("Submit a draft for review (it must pass the loader); its text is frozen.", ops.submit)


@blp.route("/authored-packs/<int:authored_id>/activate")
class Activate(MethodView):
    post = _step("Put an approved version in force for its region and season (supersedes the version in force).",
                 ops.activate)


@blp.route("/authored-packs/<int:authored_id>/versions")
class NewVersion(MethodView):
    post = _step("Start a corrected version (a copy) of a frozen version.", ops.new_version)


@blp.route("/authored-packs/<int:authored_id>/review")
class Review(MethodView):
    @login_required
    @body(PackReviewInput)
    @blp.response(200, AuthoredPackOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, authored_id: int):
        """Approve or return (with reasons) a submitted version: a second official — the province for a city's pack,
        never the author or an editor of it."""
        data = load(PackReviewInput(), json_body())
        return _pack(unit_of_work.run(ops.review, actor(), authored_id, data["decision"], data["note"]))


@blp.route("/authored-packs/<int:authored_id>/export.yaml")
class Export(MethodView):
    @login_required
    @errors(blp, 401, 404)
    def get(self, authored_id: int):
        """The version's YAML file (the shipped packs' format)."""
        name, text = ops.export_text(actor(), authored_id)
        return Response(text, mimetype="application/x-yaml", headers={"Content-Disposition": f"attachment; filename={name}"})
