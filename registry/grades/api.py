"""Grade API: criteria packs, applications and their workflow, decisions, findings, the public list.

Thin resources: parse → one operation (unit_of_work.run: a lost race is a 409; the request commits once) → dump. Workflow
actions need the `version` you read (body or If-Match). Out of scope → 404, in scope without
permission → 403, a state that forbids the action → 409. Evidence files are uploaded from the
application page (multipart) and downloaded there.
"""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.core import unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import body, errors, etag, json_body, public, with_version
from registry.core.errors import Forbidden
from registry.grades import auth, queries
from registry.grades import operations as ops
from registry.grades.schemas import (
    AnswerInput,
    AnswersInput,
    ApplicationInput,
    ApplicationOut,
    ApplicationSummaryOut,
    ApproveInput,
    DecisionOut,
    EffectiveInput,
    EvidenceOut,
    FindingInput,
    GradeReviewInput,
    GradeVersionInput,
    ObjectionOut,
    PublicGradeOut,
    RecordGradeInput,
)
from registry.grades.unit import word_conflicts
from registry.policy.grades import load_all_criteria

DESCRIPTION = """Performance grading (绩效分级, 003:51): the 15 industries' criteria packs, grade applications
(self-assessment → county document review → city approval or override → publicity → effective),
immutable grade decisions per enterprise, industry and system (emergency A/B/C, staggering tier,
benchmark, VOC class — kept apart, R-G-13), violation and fraud findings (fraud → C, R-G-09) and the
public list of graded enterprises (no login)."""

blp = Blueprint("grades_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
blp.before_request(word_conflicts)  # a lost race on a decision: "another official decided this at the same moment"
guard(blp)


class CriteriaOut(Schema):
    id = fields.String()
    industry = fields.String()
    title = fields.String()
    title_en = fields.String()
    version = fields.String()
    sha256 = fields.String()
    indicators = fields.List(fields.Dict())


class CriteriaListOut(Schema):
    items = fields.List(fields.Nested(CriteriaOut))


class ApplicationListOut(Schema):
    items = fields.List(fields.Nested(ApplicationSummaryOut))


class DecisionListOut(Schema):
    items = fields.List(fields.Nested(DecisionOut))


class PublicListOut(Schema):
    items = fields.List(fields.Nested(PublicGradeOut))


class PublicQuery(Schema):
    grade = fields.String(load_default="")
    region = fields.String(load_default="")
    industry = fields.String(load_default="")


class StatisticsOut(Schema):
    grades = fields.List(fields.String())
    regions = fields.List(fields.String())
    by_region = fields.Dict()
    industries = fields.List(fields.String())
    industry_codes = fields.List(fields.String())
    by_industry = fields.Dict()
    total = fields.Integer()


class UngradedOut(Schema):
    items = fields.List(fields.Dict())


def _criteria(c) -> dict:
    return {"id": c.id, "industry": c.industry.value, "title": c.title, "title_en": c.title_en, "version": c.version,
            "sha256": c.sha256, "indicators": [
                {"key": i.key, "dimension": i.dimension, "label": i.label, "label_en": i.label_en, "kind": i.kind,
                 "unit": i.unit, "options": [o[0] for o in i.options],
                 "a": {"value": i.a.value, "rule": i.a.rule, "source": i.a.source, "local_setting": i.a.local_setting, "why": i.a.why},
                 "b": {"value": i.b.value, "rule": i.b.rule, "source": i.b.source, "local_setting": i.b.local_setting, "why": i.b.why}}
                for i in c.indicators]}


def _application(app) -> dict:
    result = ops.proposal(app)
    current = {d.id for d in ops.current_decisions(app.enterprise_id)}
    return {
        "id": app.id, "version": app.version, "enterprise_id": app.enterprise_id, "region_code": app.region_code,
        "system": app.system, "status": app.status, "industries": app.industries, "county_review": app.county_review,
        "county_note": app.county_note, "proposed_grade": app.proposed_grade, "publicity_until": app.publicity_until,
        "submitted_at": app.submitted_at, "evidence": ops.evidence_rows(app.evidence),
        "proposal": {"grade": result.grade.value if result.grade else None,
                     "by_industry": {i: g.value for i, g in result.by_industry},
                     "indicators": [{**r.as_dict(), "grade": r.grade.value} for r in result.indicators],
                     "reasons": [r.as_dict() for r in result.reasons], "excluded": list(result.excluded)},
        "decisions": [_decision(d, current) for d in ops.application_decisions(app)],
        "objections": list(app.objections),
    }


def _decision(d, current: set[int]) -> dict:
    out = {c.key: getattr(d, c.key) for c in d.__table__.columns}
    out["current"] = d.id in current
    return out


@blp.route("/grade-criteria")
class CriteriaList(MethodView):
    @public(blp)
    @blp.response(200, CriteriaListOut)
    def get(self):
        """The 15 industries' criteria packs: indicators, thresholds with their clause or local setting."""
        return {"items": [_criteria(c) for c in load_all_criteria().values()]}


@blp.route("/grade-criteria/<industry>")
class CriteriaItem(MethodView):
    @public(blp)
    @blp.response(200, CriteriaOut)
    @errors(blp, 404)
    def get(self, industry: str):
        """One industry's criteria pack (id, version and file hash are what decisions store)."""
        from registry.core.errors import NotFound

        crit = load_all_criteria().get(industry)
        if crit is None:
            raise NotFound(_("Not found."))
        return _criteria(crit)


@blp.route("/grade-applications")
class Applications(MethodView):
    @login_required
    @blp.response(200, ApplicationListOut)
    @errors(blp, 401)
    def get(self):
        """The applications you may see (your enterprise's, or your region's submitted ones)."""
        return {"items": queries.list_applications(actor())}

    @login_required
    @body(ApplicationInput)
    @blp.response(201, ApplicationOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self):
        """Start an application (the enterprise; its registration approved): industries and their lines."""
        app = unit_of_work.run(ops.create_application, actor(), json_body())
        return _application(app), etag(app.version)


@blp.route("/grade-applications/<int:application_id>")
class ApplicationItem(MethodView):
    @login_required
    @blp.response(200, ApplicationOut)
    @errors(blp, 401, 404)
    def get(self, application_id: int):
        """One application with the grade the rules would give, per indicator with its clause."""
        app = ops.get_application(actor(), application_id)
        return _application(app), etag(app.version)

    @login_required
    @body(GradeVersionInput)
    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, application_id: int):
        """Delete a never-submitted draft (evidence ever submitted is kept)."""
        unit_of_work.run(ops.delete_application, actor(), application_id, with_version(json_body()))


@blp.route("/grade-applications/<int:application_id>/answers")
class ApplicationAnswers(MethodView):
    @login_required
    @body(AnswersInput)
    @blp.response(200, ApplicationOut)
    @errors(blp, 401, 403, 404, 409)
    def put(self, application_id: int):
        """Save the self-assessment (lines per industry and indicator answers; draft or returned)."""
        app = unit_of_work.run(ops.save_answers, actor(), application_id, with_version(json_body()))
        return _application(app), etag(app.version)


def _action(name: str, path: str, operation, schema, doc: str):
    def post(self, application_id: int):
        unit_of_work.run(operation, actor(), application_id, with_version(json_body()))
        app = ops.get_application(actor(), application_id)
        return _application(app), etag(app.version)

    post.__doc__ = doc
    post = login_required(body(schema)(blp.response(200, ApplicationOut)(errors(blp, 401, 403, 404, 409)(post))))
    view = type(name, (MethodView,), {"post": post, "__doc__": doc})
    return blp.route(f"/grade-applications/<int:application_id>/{path}")(view)


ApplicationSubmit = _action("ApplicationSubmit", "submit", ops.submit_application, GradeVersionInput,
                            "Submit the self-assessment to the county (the enterprise; every indicator answered).")
ApplicationReview = _action("ApplicationReview", "review", ops.review_documents, GradeReviewInput,
                            "County document review: accept, or return with a reason per indicator.")
ApplicationApprove = _action("ApplicationApprove", "approve", ops.approve, ApproveInput,
                             "City approval of the proposed grade, or an override with a reason; opens publicity. "
                             "A concurrent decision by another official answers 409.")
ApplicationEffective = _action("ApplicationEffective", "effective", ops.make_effective, EffectiveInput,
                               "After publicity, with every objection answered, the grade takes effect (city). After the "
                               "answer period (GRADE_OBJECTION_ANSWER_WORKING_DAYS working days) objections still open "
                               "no longer block it: send a `note`, recorded on each of them.")


EVIDENCE_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "PDF, PNG, JPEG, doc/docx, xls/xlsx; type checked by content; ≤ 5 MiB"},
                   "indicator": {"type": "string", "description": "'industry.indicator', e.g. steel.clean_transport_share"}}}}}}


@blp.route("/grade-applications/<int:application_id>/evidence")
class ApplicationEvidence(MethodView):
    @login_required
    @blp.doc(requestBody=EVIDENCE_BODY)
    @blp.response(201, EvidenceOut)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, application_id: int):
        """Attach an evidence file (multipart; the enterprise, draft or returned); stored by its SHA-256."""
        f = request.files.get("file")
        industry, _sep, indicator = request.form.get("indicator", "").partition(".")
        filename, data = (f.filename or "", f.read()) if f is not None else ("", b"")
        row = unit_of_work.run(ops.add_evidence, actor(), application_id, filename, data, industry=industry, indicator=indicator)
        return ops.evidence_rows([row])[0]


@blp.route("/grade-objections/<int:objection_id>/answer")
class ObjectionAnswer(MethodView):
    @login_required
    @body(AnswerInput)
    @blp.response(200, ObjectionOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, objection_id: int):
        """Answer a publicity objection (city or province in scope)."""
        return unit_of_work.run(ops.answer_objection, actor(), objection_id, with_version(json_body()))


@blp.route("/enterprises/<int:enterprise_id>/grades")
class EnterpriseGrades(MethodView):
    @login_required
    @blp.response(200, DecisionListOut)
    @errors(blp, 401, 404)
    def get(self, enterprise_id: int):
        """Every grade decision of the enterprise, all systems, newest first; `current` marks the held ones."""
        ent = ops.get_enterprise(actor(), enterprise_id)
        current = {d.id for d in ops.current_decisions(ent.id)}
        return {"items": [_decision(d, current) for d in ops.history(ent.id)]}

    @login_required
    @body(RecordGradeInput)
    @blp.response(201, DecisionOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, enterprise_id: int):
        """Record a re-grade or a grade of another system (city or province); it supersedes its own chain only."""
        d = unit_of_work.run(ops.record_grade, actor(), enterprise_id, json_body())
        return _decision(d, {d.id})


@blp.route("/enterprises/<int:enterprise_id>/grade-findings")
class EnterpriseFindings(MethodView):
    @login_required
    @body(FindingInput)
    @blp.response(201, DecisionListOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, enterprise_id: int):
        """A violation or fraud finding (officials in scope): fraud → C at once (R-G-09); violations per local rule."""
        out = unit_of_work.run(ops.record_finding, actor(), enterprise_id, json_body())
        return {"items": [_decision(d, {x.id for x in out}) for d in out]}


@blp.route("/grade-statistics")
class Statistics(MethodView):
    @login_required
    @blp.response(200, StatisticsOut)
    @errors(blp, 401, 403)
    def get(self):
        """Counts of current emergency grades by region and industry in your scope (officials)."""
        if not auth.can_see_statistics(actor()):
            raise Forbidden(_("You do not have permission to do this."))
        return queries.distribution(actor())


@blp.route("/ungraded-enterprises")
class Ungraded(MethodView):
    @login_required
    @blp.response(200, UngradedOut)
    @errors(blp, 401, 403)
    def get(self):
        """Enterprises of the 15 industries without an effective grade, or excluded by R-E-01, with the reason."""
        if not auth.can_see_statistics(actor()):
            raise Forbidden(_("You do not have permission to do this."))
        return {"items": queries.ungraded(actor())}


@blp.route("/public/grades")
class PublicGrades(MethodView):
    @public(blp)
    @blp.arguments(PublicQuery, location="query")
    @blp.response(200, PublicListOut)
    def get(self, args):
        """The public list: current emergency grades in publicity or in effect, by grade, region and industry."""
        return {"items": queries.public_grades(**args)}

