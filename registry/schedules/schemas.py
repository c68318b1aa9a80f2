"""Input schemas of the schedule use cases (pages, API and CLI load through the same ones)."""
from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, validate, validates_schema

from registry.notices.schemas import LetterheadInput
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
    value = fields.Decimal(load_default=None, allow_none=True, places=2, validate=validate.Range(min=0, max=100),
                           metadata={"description": "the ratio (%) the choice enters: ratio_in_filed_plan (001:101)"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))

    @validates_schema
    def _value(self, data, **kwargs):
        if data.get("flag") == "ratio_in_filed_plan" and data.get("value") is None:
            raise ValidationError(_("Enter the ratio, in per cent, as the district filed it (001:101)."), "value")
        if data.get("flag") != "ratio_in_filed_plan" and data.get("value") is not None:
            raise ValidationError(_("Only the ratio of the filed plan takes a value."), "value")


class PublishInput(LetterheadInput):
    filed_on = fields.Date(required=True)
    recipients = fields.String(required=True, validate=validate.Length(min=2, max=1000))
    filing_reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ScheduleApplicationInput(_In):
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
            raise ValidationError(_("The window must end after it starts."), "requested_end")
        if data.get("kind") == ApplicationKind.LIVELIHOOD_MAX_LOAD.value and data.get("max_load") is None:
            raise ValidationError(_("A livelihood maximum load needs its percentage."), "max_load")


class DecideInput(_In):
    approve = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    residual = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(required=True)


# ---- API answers (the OpenAPI document is generated from these) ----

class VersionOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    status = fields.String(metadata={"description": "draft | published (published = frozen, filed)"})
    pack_id = fields.String()
    pack_sha256 = fields.String(metadata={"description": "SHA-256 of the pack file the version was generated with"})
    engine_version = fields.String()
    season_start = fields.String()
    season_end = fields.String(metadata={"description": "exclusive"})
    evaluation_dates = fields.List(fields.String())
    filed_on = fields.String(allow_none=True)
    recipients = fields.String()
    filing_reason = fields.String()
    supersedes_id = fields.Integer(allow_none=True)
    progress_done = fields.Integer()
    progress_total = fields.Integer()
    generation_state = fields.String(metadata={"description": "background generation from the pages: '' (none running) | "
                                                              "queued | reading | evaluating | storing | failed"})
    generation_error = fields.String(metadata={"description": "why the last generation failed (then nothing of it was kept)"})
    published_at = fields.String(allow_none=True)
    issuing_authority = fields.String(metadata={"description": "发文机关 printed on the notices"})
    document_number = fields.String(metadata={"description": "文号 ('' when none was given)"})
    issued_on = fields.String(allow_none=True, metadata={"description": "the notices' date"})
    status_label = fields.Method("_status_label", metadata={"description": "the status in the reader's language"})

    def _status_label(self, obj) -> str:
        from registry.schedules.labels import version_status

        return version_status(_get(obj, "status"))


def _get(obj, key):
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


LABEL_NOTE = ("`*_label` fields name the sibling code in the reader's language (Accept-Language; issue 16 item 1); "
              "the codes stay as they are.")


class ScheduleOut(Schema):
    id = fields.Integer()
    title = fields.String()
    region_code = fields.String()
    pack_id = fields.String()
    season_year = fields.Integer()
    versions = fields.Integer()
    latest = fields.Nested(VersionOut, allow_none=True)


class ScheduleListOut(Schema):
    items = fields.List(fields.Nested(ScheduleOut))


class EntryOut(Schema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    sector = fields.String()
    line_ref = fields.String()
    line_name = fields.String()
    phase_start = fields.Date()
    phase_end = fields.Date(metadata={"description": "exclusive"})
    measure = fields.String(metadata={"description": "stop | curtail | extend_coking | max_load | none"})
    percentage_min = fields.Decimal(allow_none=True, as_string=False)
    percentage_max = fields.Decimal(allow_none=True, as_string=False)
    basis = fields.String(allow_none=True)
    coking_time_hours = fields.Decimal(allow_none=True, as_string=False)
    windows = fields.List(fields.Dict())
    reasons = fields.List(fields.Dict())
    flags = fields.List(fields.Dict())
    applied_decisions = fields.List(fields.Dict())
    residual_obligations = fields.List(fields.Dict())
    exemption = fields.Dict(allow_none=True)
    measure_label = fields.String(dump_only=True, metadata={"description": LABEL_NOTE})
    basis_label = fields.String(dump_only=True)
    sector_label = fields.String(dump_only=True)
    region_label = fields.String(dump_only=True)

    @post_dump
    def _labels(self, data, **kwargs):
        """Sibling labels: measure, basis, sector, region; in each reason its source in words (`source_label`) and
        its coded note (`note_label`); in each flag its title, explanation and choices (`*_label`)."""
        from registry.core import codes
        from registry.core.citations import basis_items, cite
        from registry.core.regions import region_label
        from registry.schedules.labels import choice, choice_effect, flag_detail, flag_title

        data["measure_label"] = codes.label("Measure", data.get("measure"))
        data["basis_label"] = codes.label("Basis", data.get("basis"))
        data["sector_label"] = codes.label("Sector", data.get("sector"))
        data["region_label"] = region_label(data["region_code"]) if data.get("region_code") else ""
        for key in ("reasons", "residual_obligations"):
            if data.get(key):
                data[key] = [dict(r, source_label=cite(r.get("source")),
                                  note_label=(basis_items([r]) or [{}])[0].get("note", "")) for r in data[key]]
        if data.get("flags"):
            data["flags"] = [dict(f, title_label=flag_title(f), detail_label=flag_detail(f),
                                  source_label=cite(f.get("source")), default_label=choice(f.get("default")),
                                  options_labels=[{"code": o, "label": choice(o), "effect": choice_effect(o)}
                                                  for o in f.get("options") or ()]) for f in data["flags"]]
        return data


class PublicEntryOut(EntryOut):
    class Meta:
        exclude = ("enterprise_id", "flags", "applied_decisions")


class EntryListOut(Schema):
    version = fields.Nested(VersionOut)
    items = fields.List(fields.Nested(EntryOut))


class PublicEntryListOut(Schema):
    version = fields.Nested(VersionOut)
    items = fields.List(fields.Nested(PublicEntryOut))


class PublicVersionListOut(Schema):
    items = fields.List(fields.Nested(VersionOut))


class ChangeOut(Schema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    uscc = fields.String()
    line_ref = fields.String()
    line_name = fields.String()
    change = fields.String(metadata={"description": "added | removed | measure | window"})
    before = fields.List(fields.Dict())
    after = fields.List(fields.Dict())


class DiffOut(Schema):
    old = fields.Integer()
    new = fields.Integer()
    changes = fields.List(fields.Nested(ChangeOut))


class ScheduleApplicationOut(Schema):
    id = fields.Integer()
    row_version = fields.Integer(metadata={"description": "send it back as `version` when deciding"})
    schedule_id = fields.Integer()
    enterprise_id = fields.Integer()
    line_ref = fields.String()
    kind = fields.String()
    clause = fields.String()
    evidence = fields.String()
    requested_start = fields.Date()
    requested_end = fields.Date()
    max_load = fields.Decimal(allow_none=True, as_string=False)
    status = fields.String()
    residual = fields.String()
    decision_reason = fields.String()
    kind_label = fields.Method("_kind_label", metadata={"description": "the kind in the reader's language"})
    status_label = fields.Method("_status_label", metadata={"description": "the status in the reader's language"})

    def _kind_label(self, obj) -> str:
        from registry.schedules.labels import application_kind

        return application_kind(_get(obj, "kind"))

    def _status_label(self, obj) -> str:
        from registry.schedules.labels import application_status

        return application_status(_get(obj, "status"))


class FlagChoiceOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    line_ref = fields.String(allow_none=True)
    flag = fields.String()
    choice = fields.String()
    reason = fields.String()
    flag_label = fields.Method("_flag_label", metadata={"description": "the flag's title in the reader's language"})
    choice_label = fields.Method("_choice_label", metadata={"description": "the choice in the reader's language"})

    def _flag_label(self, obj) -> str:
        from registry.schedules.labels import flag_title

        return flag_title({"code": _get(obj, "flag")})

    def _choice_label(self, obj) -> str:
        from registry.schedules.labels import choice

        return choice(_get(obj, "choice"))
