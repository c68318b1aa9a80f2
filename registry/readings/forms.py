"""WTForms for the readings pages; the operations validate again (one validation for pages, API and CLI)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from registry.readings.labels import INTERVAL, KIND, ROLE


class UploadForm(FlaskForm):
    kind = SelectField(_l("Kind of readings"), choices=[(k, v) for k, v in KIND.items()], default="electricity")
    file = FileField(_l("File"))
    dry_run = BooleanField(_l("Check only, store nothing"))


class MeterForm(FlaskForm):
    code = StringField(_l("Meter code"), validators=[DataRequired(), Length(max=40)])
    facility = StringField(_l("Facility"), validators=[Length(max=120)])
    role = SelectField(_l("Facility type"), choices=[(k, v) for k, v in ROLE.items()], default="production")
    interval_minutes = SelectField(_l("Reading interval"), choices=[(k, v) for k, v in INTERVAL.items()], default="15")
    line_id = SelectField(_l("Production line"), choices=[], validate_choice=False, validators=[Optional()])


class StackForm(FlaskForm):
    name = StringField(_l("Stack name"), validators=[DataRequired(), Length(max=120)])
    mn = StringField(_l("MN code (HJ 212)"), validators=[DataRequired(), Length(max=24)])
    line_id = SelectField(_l("Production line"), choices=[], validate_choice=False, validators=[Optional()])
