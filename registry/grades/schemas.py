"""Grade schemas: the one validation of pages, API and CLI input, and the API's output shapes."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from registry.core.validation import TrimmedString
from registry.grades.models import SYSTEM_VALUES, ApplicationStatus, GradeSystem


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class IndustryEntry(_In):
    line_ids = fields.List(fields.Integer(), load_default=None, allow_none=True,
                           metadata={"description": "the lines of this industry; omitted: unchanged"})
    answers = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "indicator key → answer"})


class ApplicationInput(_In):
    enterprise_id = fields.Integer(required=True)
    industries = fields.Dict(keys=fields.String(), values=fields.Nested(IndustryEntry), required=True,
                             metadata={"description": "industry code (one of the 15, R-G-01) → lines and answers"})


class AnswersInput(_In):
    version = fields.Integer(load_default=None, allow_none=True)
    industries = fields.Dict(keys=fields.String(), values=fields.Nested(IndustryEntry), required=True)


class GradeVersionInput(_In):
    version = fields.Integer(load_default=None, allow_none=True)


class Verdict(_In):
    verdict = fields.String(required=True, validate=validate.OneOf(["accepted", "returned"]))
    reason = TrimmedString(load_default="", validate=validate.Length(max=1000))


class GradeReviewInput(_In):
    version = fields.Integer(load_default=None, allow_none=True)
    verdicts = fields.Dict(keys=fields.String(), values=fields.Nested(Verdict), load_default=dict,
                           metadata={"description": "'industry.indicator' → verdict; unlisted indicators are accepted"})
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))


class ApproveInput(_In):
    version = fields.Integer(load_default=None, allow_none=True)
    grade = fields.String(load_default="", validate=validate.OneOf(["", "A", "B", "C"]),
                          metadata={"description": "empty: approve the proposed grade; else an override (reason required)"})
    reason = TrimmedString(load_default="", validate=validate.Length(max=2000))


class ObjectionInput(_In):
    name = TrimmedString(load_default="", validate=validate.Length(max=60))
    contact = TrimmedString(load_default="", validate=validate.Length(max=120))
    text = TrimmedString(required=True, validate=validate.Length(min=5, max=4000))


class EffectiveInput(_In):
    version = fields.Integer(load_default=None, allow_none=True)
    note = TrimmedString(load_default="", validate=validate.Length(max=2000), metadata={
        "description": "required only when objections are still open after the answer period "
                       "(GRADE_OBJECTION_ANSWER_WORKING_DAYS): recorded on each of them"})


class BulkAnswerInput(_In):
    answer = TrimmedString(required=True, validate=validate.Length(min=2, max=4000))
    objections = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict, metadata={
        "description": "objection id → the version read; empty: every open objection of the application"})


class AnswerInput(_In):
    version = fields.Integer(load_default=None, allow_none=True)
    answer = TrimmedString(required=True, validate=validate.Length(min=2, max=4000))


class FindingInput(_In):
    kind = fields.String(required=True, validate=validate.OneOf(["fraud", "violation"]))
    reason = TrimmedString(required=True, validate=validate.Length(min=2, max=2000))


class RecordGradeInput(_In):
    system = fields.String(required=True, validate=validate.OneOf([s.value for s in GradeSystem]))
    industry = fields.String(required=True, validate=validate.Length(min=1, max=40))
    grade = fields.String(required=True, validate=validate.OneOf(sorted({v for vs in SYSTEM_VALUES.values() for v in vs})))
    reason = TrimmedString(required=True, validate=validate.Length(min=2, max=2000))


# ---- output ----

class EvidenceOut(Schema):
    id = fields.Integer()
    industry = fields.String()
    indicator = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)


class IndicatorResultOut(Schema):
    industry = fields.String()
    key = fields.String()
    answer = fields.Raw(allow_none=True)
    grade = fields.String()
    rule = fields.String()
    source = fields.String()
    local_setting = fields.Boolean()
    note = fields.String()


class ReasonOut(Schema):
    rule = fields.String()
    source = fields.String()
    note = fields.String()


class ProposalOut(Schema):
    grade = fields.String(allow_none=True)
    by_industry = fields.Dict(keys=fields.String(), values=fields.String())
    indicators = fields.List(fields.Nested(IndicatorResultOut))
    reasons = fields.List(fields.Nested(ReasonOut))
    excluded = fields.List(fields.String())


class ObjectionOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    application_id = fields.Integer()
    name = fields.String()
    text = fields.String()
    status = fields.String()
    answer = fields.String()
    created_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    lapsed = fields.Boolean(metadata={"description": "closed unanswered when the grade was decided after the answer period"})


class DecisionOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    application_id = fields.Integer(allow_none=True)
    system = fields.String()
    industry = fields.String()
    grade = fields.String()
    proposed_grade = fields.String(allow_none=True)
    kind = fields.String()
    reason = fields.String()
    reasons = fields.List(fields.Dict())
    criteria = fields.List(fields.Dict())
    effective_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    supersedes_id = fields.Integer(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime()
    current = fields.Boolean()


class ApplicationOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    enterprise_id = fields.Integer()
    region_code = fields.String()
    system = fields.String()
    status = fields.String(metadata={"description": " | ".join(s.value for s in ApplicationStatus)})
    industries = fields.Dict()
    county_review = fields.Dict()
    county_note = fields.String()
    proposed_grade = fields.String(allow_none=True)
    publicity_until = fields.Date(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceOut))
    proposal = fields.Nested(ProposalOut)
    decisions = fields.List(fields.Nested(DecisionOut))
    objections = fields.List(fields.Nested(ObjectionOut))


class ApplicationSummaryOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    region_code = fields.String()
    status = fields.String()
    industries = fields.List(fields.String())
    proposed_grade = fields.String(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)


class PublicGradeOut(Schema):
    enterprise_name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    region = fields.String()
    industry = fields.String()
    grade = fields.String()
    status = fields.String(metadata={"description": "publicity | effective"})
    publicity_until = fields.Date(allow_none=True)
    effective_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    application_id = fields.Integer(allow_none=True)
