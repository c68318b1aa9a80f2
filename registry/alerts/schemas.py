"""Input and output schemas of the alerts API (documented in the OpenAPI); the CLI builds the same dicts."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from registry.alerts.models import LEVELS, SCOPES

_LEVEL = validate.OneOf(LEVELS)


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class AlertIssueInput(_In):
    scope = fields.String(load_default="city", validate=validate.OneOf(SCOPES),
                          metadata={"description": "city (the whole city), counties (area_codes: counties of the city), "
                                                   "regional (a province over area_codes: its cities, 003:48)"})
    region_code = fields.String(required=True, validate=validate.Length(equal=6),
                                metadata={"description": "the issuing city (or the province for a regional alert)"})
    area_codes = fields.List(fields.String(validate=validate.Length(equal=6)), load_default=list)
    level = fields.String(required=True, validate=_LEVEL)
    pack_id = fields.String(load_default=None, allow_none=True,
                            metadata={"description": "default: the region's pack (GRADE_WORKFLOW_PACKS)"})
    starts_at = fields.DateTime(load_default=None, allow_none=True,
                                metadata={"description": "ISO 8601; without an offset it is Beijing time; default now"})
    expected_end_at = fields.DateTime(load_default=None, allow_none=True)
    doc_number = fields.String(load_default="", validate=validate.Length(max=80))
    issuing_body = fields.String(load_default="", validate=validate.Length(max=120))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    strict = fields.Boolean(load_default=True, metadata={
        "description": "R-W-03: when the alert continues a lifted episode, start it at the stricter level"})


class AlertLevelInput(_In):
    level = fields.String(required=True, validate=_LEVEL)
    at = fields.DateTime(load_default=None, allow_none=True)
    doc_number = fields.String(load_default="", validate=validate.Length(max=80))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(load_default=None, allow_none=True)


class AlertLiftInput(_In):
    at = fields.DateTime(load_default=None, allow_none=True)
    clear_hours = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10000), metadata={
        "description": "hours of light pollution or better forecast (R-W-02: at least the pack's lifting condition)"})
    doc_number = fields.String(load_default="", validate=validate.Length(max=80))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(load_default=None, allow_none=True)


class AlertResendInput(_In):
    enterprise_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    unacknowledged_only = fields.Boolean(load_default=True)


class AlertAckInput(_In):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class LevelChangeOut(Schema):
    seq = fields.Integer()
    kind = fields.String()
    level = fields.String(allow_none=True)
    at = fields.DateTime()
    doc_number = fields.String()
    note = fields.String()
    grounds = fields.List(fields.Dict())


class AlertEpisodeOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    region_code = fields.String()
    scope = fields.String()
    area_codes = fields.List(fields.String())
    pack_id = fields.String()
    level = fields.String()
    level_label = fields.String()
    status = fields.String()
    doc_number = fields.String()
    issuing_body = fields.String()
    reason = fields.String()
    starts_at = fields.DateTime()
    expected_end_at = fields.DateTime(allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)
    changes = fields.List(fields.Nested(LevelChangeOut))
    counts = fields.Dict(metadata={"description": "enterprises, delivered, read, acknowledged"})


class AlertOrderOut(Schema):
    id = fields.Integer()
    episode_id = fields.Integer()
    enterprise_id = fields.Integer()
    region_code = fields.String()
    level = fields.String()
    window_start = fields.DateTime()
    window_end = fields.DateTime(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)
    content = fields.Dict(metadata={"description": "the order as issued: lines (measure, percent, source plan|pack, "
                                                   "reasons), transport restrictions, grade"})
    acknowledged_at = fields.Function(lambda o: o.receipt.at.isoformat() if o.receipt else None)


class AlertStatusOut(Schema):
    order_id = fields.Integer()
    enterprise_id = fields.Integer()
    name = fields.String()
    region_code = fields.String()
    level = fields.String()
    in_force = fields.Boolean()
    delivered = fields.List(fields.String())
    read_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    receipt_note = fields.String()


class ReceiptOut(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    user_id = fields.Integer()
    at = fields.DateTime()
    note = fields.String()


class InboxMessageOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    link = fields.String()
    order_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)

