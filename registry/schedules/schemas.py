"""Input schemas of the schedule use cases (pages, API and CLI load through the same ones)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from registry.schedules.models import ApplicationKind


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class CreateInput(_In):
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    pack_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    season_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(load_default="", validate=validate.Length(max=200))


class FlagChoiceInput(_In):
    enterprise_id = fields.Integer(required=True)
    line_ref = fields.String(load_default=None, allow_none=True)
    flag = fields.String(required=True, validate=validate.Length(min=1, max=60))
    choice = fields.String(required=True, validate=validate.Length(min=1, max=60))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class PublishInput(_In):
    filed_on = fields.Date(required=True)
    recipients = fields.String(required=True, validate=validate.Length(min=2, max=1000))
    filing_reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ApplicationInput(_In):
    line_ref = fields.String(required=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ApplicationKind]))
    clause = fields.String(required=True, validate=validate.Length(min=2, max=60))
    evidence = fields.String(required=True, validate=validate.Length(min=2, max=4000))
    requested_start = fields.Date(required=True)
    requested_end = fields.Date(required=True)
    max_load = fields.Decimal(load_default=None, allow_none=True, places=2, validate=validate.Range(min=0, max=100))

    @validates_schema
    def _window(self, data, **kwargs):
        if data.get("requested_start") and data.get("requested_end") and data["requested_end"] <= data["requested_start"]:
            raise ValidationError("The window must end after it starts.", "requested_end")
        if data.get("kind") == ApplicationKind.LIVELIHOOD_MAX_LOAD.value and data.get("max_load") is None:
            raise ValidationError("A livelihood maximum load needs its percentage.", "max_load")


class DecideInput(_In):
    approve = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    residual = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(required=True)
