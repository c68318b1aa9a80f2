"""WTForms for the alert pages; the operations validate again (one validation for pages, API and CLI)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from registry.alerts.labels import SCOPE


class IssueForm(FlaskForm):
    scope = SelectField(_l("Area"), choices=[(k, v) for k, v in SCOPE.items()], default="city")
    region_code = HiddenField()
    area_codes = SelectMultipleField(_l("Counties or cities covered"), choices=[], validate_choice=False)
    level = SelectField(_l("Alert level"), choices=[], validators=[DataRequired()])
    starts_at = DateTimeLocalField(_l("Start (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    expected_end_at = DateTimeLocalField(_l("Expected end (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    doc_number = StringField(_l("Document number"), validators=[DataRequired(), Length(max=80)])
    issuing_body = StringField(_l("Issuing body"), validators=[DataRequired(), Length(max=120)])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class LevelForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    level = SelectField(_l("New level"), choices=[], validators=[DataRequired()])
    at = DateTimeLocalField(_l("From (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    doc_number = StringField(_l("Document number"), validators=[Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class LiftForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    at = DateTimeLocalField(_l("Lifted at (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    clear_hours = DecimalField(_l("Forecast: light pollution or better for (hours)"), validators=[Optional(), NumberRange(min=0, max=1000)])
    doc_number = StringField(_l("Document number"), validators=[Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class AckForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)])
