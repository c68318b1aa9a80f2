"""The letterhead fields of publishing a schedule version and filing an emergency list (pages, API, CLI)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate


class LetterheadInput(Schema):
    """发文机关, 文号, 成文日期: all optional; operations fill the region's bureau and today's date (Beijing)."""

    class Meta:
        unknown = EXCLUDE

    issuing_authority = fields.String(load_default="", validate=validate.Length(max=120), metadata={
        "description": "发文机关 printed on the notices; empty: the region's name + 生态环境局"})
    document_number = fields.String(load_default="", validate=validate.Length(max=60), metadata={
        "description": "文号, e.g. 廊环字〔2017〕12号; empty: printed as not filled in"})
    issued_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "the notices' date; empty: the day of publication / filing in Beijing time"})

    @pre_load
    def _blank_is_missing(self, data, **kwargs):
        """A form's empty date field means 'not given'."""
        if isinstance(data, dict) and data.get("issued_on") in ("", None):
            data = {k: v for k, v in data.items() if k != "issued_on"}
        return data


def letterhead_values(values: dict, region_code: str) -> dict:
    """The columns to store: the authority and number stripped, the defaults filled."""
    from registry.core import timeutil
    from registry.notices.letterhead import default_authority

    return {"issuing_authority": (values.get("issuing_authority") or "").strip() or default_authority(region_code),
            "document_number": (values.get("document_number") or "").strip(),
            "issued_on": values.get("issued_on") or timeutil.beijing_today()}
