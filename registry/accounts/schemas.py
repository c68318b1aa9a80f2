"""Account input and output schemas, shared by the pages, the API and the CLI."""
from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates, validates_schema

from registry.accounts.models import Role
from registry.accounts.password_policy import shape_problems
from registry.core.validation import InVocabulary, OptionalEmail, Required, TrimmedString

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.@-]{3,64}$")


class _Username(TrimmedString):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            USERNAME(text)
        except ValidationError as err:
            raise ValidationError(_("3–64 letters, digits or . _ @ -")) from err
        return text


class _Password(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problems = shape_problems(text)
        if problems:
            raise ValidationError(problems)
        return text


class SignUpInput(Schema):
    class Meta:
        unknown = EXCLUDE  # forms post csrf_token and buttons; extra keys are ignored

    username = _Username(required=True)
    password = _Password(required=True, load_only=True)
    email = OptionalEmail(load_default=None, allow_none=True)
    full_name = TrimmedString(load_default="", validate=validate.Length(max=80))


class UserInput(Schema):
    """What an administrator sets when creating or changing an account."""

    class Meta:
        unknown = EXCLUDE

    username = _Username(required=True)
    password = _Password(load_only=True)
    email = OptionalEmail(load_default=None, allow_none=True)
    full_name = TrimmedString(load_default="", validate=validate.Length(max=80))
    role = fields.String(required=True, validate=InVocabulary([r.value for r in Role]))
    region_code = fields.String(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)

    @validates_schema
    def _official_needs_region(self, data, **kwargs):
        if data.get("role") in ("county", "city", "province") and not data.get("region_code"):
            raise ValidationError({"region_code": [_("Officials need a region scope.")]})


class PasswordChangeInput(Schema):
    class Meta:
        unknown = EXCLUDE  # forms post csrf_token and buttons; extra keys are ignored

    current_password = fields.String(required=True, validate=Required(), load_only=True)
    new_password = _Password(required=True, load_only=True)


class TokenInput(Schema):
    class Meta:
        unknown = EXCLUDE  # forms post csrf_token and buttons; extra keys are ignored

    name = TrimmedString(required=True, validate=[Required(), validate.Length(max=80)])
    expires_in_days = fields.Integer(load_default=90)

    @validates("expires_in_days")
    def _lifetime(self, value, **kwargs):
        """Issue 13 M3: 1 to API_TOKEN_MAX_DAYS days (365 unless the server's config says otherwise)."""
        limit = token_max_days()
        if not 1 <= value <= limit:
            raise ValidationError(_("A token is valid for 1 to %(max)d days.", max=limit))


def token_max_days() -> int:
    from flask import current_app, has_app_context

    return int(current_app.config.get("API_TOKEN_MAX_DAYS", 365)) if has_app_context() else 365


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    email = fields.String(allow_none=True)
    full_name = fields.String()
    role = fields.String()
    region_code = fields.String(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    last_login_at = fields.DateTime(allow_none=True)


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreatedOut(TokenOut):
    token = fields.String(metadata={"description": "The secret; shown only once."})
