"""Account page forms: they render inputs and carry the CSRF token; the operations validate."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField

from registry.accounts.schemas import token_max_days
from registry.core.forms import RegionFields

ROLES = ("enterprise", "county", "city", "province", "admin")


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password", "autofocus": True})
    next = HiddenField()


class SignUpForm(FlaskForm):
    username = StringField(
        _l("Username"),
        description=_l("3–64 letters, digits or . _ @ -"),
        render_kw={"autocomplete": "username"},
    )
    full_name = StringField(_l("Your name"), render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), render_kw={"autocomplete": "email"})
    password = PasswordField(
        _l("Password"), description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"}
    )

    def payload(self) -> dict:
        return {
            "username": self.username.data or "",
            "full_name": self.full_name.data or "",
            "email": (self.email.data or "").strip() or None,
            "password": self.password.data or "",
        }


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"), description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"}
    )

    def payload(self) -> dict:
        return {"current_password": self.current_password.data or "", "new_password": self.new_password.data or ""}


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), description=_l("What the token is for, e.g. “county spreadsheet sync”."))
    expires_in_days = IntegerField(_l("Valid for (days)"), default=90, render_kw={"min": 1})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expires_in_days.render_kw = {"min": 1, "max": token_max_days()}

    def payload(self) -> dict:
        data = {"name": self.name.data or ""}
        raw = self.expires_in_days.raw_data[0] if self.expires_in_days.raw_data else ""
        if str(raw).strip():
            data["expires_in_days"] = str(raw).strip()
        return data


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"}
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class UserForm(RegionFields, FlaskForm):
    username = StringField(_l("Username"))
    full_name = StringField(_l("Full name"))
    email = EmailField(_l("Email"))
    role = SelectField(_l("Role"), choices=[])
    region_code = StringField(
        _l("Region"),
        description=_l("The official's province, city or county (GB/T 2260); empty for enterprise users and administrators."),
    )
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters. When editing, leave empty to keep the current password."),
        render_kw={"autocomplete": "new-password"},
    )

    def payload(self) -> dict:
        data = {
            "username": self.username.data or "",
            "full_name": self.full_name.data or "",
            "email": (self.email.data or "").strip() or None,
            "role": self.role.data or "",
            "region_code": self.region_value("region_code") or None,
            "active": bool(self.active.data),
        }
        if self.password.data:
            data["password"] = self.password.data
        return data
