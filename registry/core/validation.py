"""Input validation shared by pages, API and import: one schema layer, messages in the user's language.

Operations load their input through marshmallow schemas; a failure becomes ValidationFailed
with `{field: [message]}`. marshmallow's own English messages are looked up in our catalog
(their text is the msgid), our own are gettext'd at call time, so the locale is the caller's.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from stdnum.cn import uscc as stdnum_uscc

from registry.core.errors import ValidationFailed

# marshmallow's built-in messages without parameters: their English text is the msgid, so listing them here
# puts them in the catalog and translate() finds them.
BUILTIN_MESSAGES = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("Invalid type."),
    _l("Invalid value."),
    _l("Invalid input."),
    _l("Not a valid number."),
    _l("Not a valid integer."),
    _l("Number too large."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid time."),
    _l("Not a valid aware datetime."),
    _l("Not a valid naive datetime."),
    _l("Not a valid aware time."),
    _l("Not a valid naive time."),
    _l("Not a valid period of time."),
    _l("Not a valid boolean."),
    _l("Not a valid string."),
    _l("Not a valid utf-8 string."),
    _l("Not a valid list."),
    _l("Not a valid tuple."),
    _l("Not a valid mapping type."),
    _l("Not a valid email address."),
    _l("Not a valid URL."),
    _l("Not a valid UUID."),
    _l("Not a valid IP address."),
    _l("Not a valid IPv4 address."),
    _l("Not a valid IPv6 address."),
    _l("Not a valid IP interface."),
    _l("Not a valid IPv4 interface."),
    _l("Not a valid IPv6 interface."),
    _l("String does not match expected pattern."),
)

# marshmallow's messages with parameters arrive already formatted ("Longer than maximum length 80."), which
# is no msgid. Each (marshmallow template, msgid) pair below turns the text back into its parameters and
# renders the msgid with them. Range's templates are composed from its operator words, as marshmallow does.
_GTE, _GT, _LTE, _LT = "greater than or equal to", "greater than", "less than or equal to", "less than"
PARAMETRISED_MESSAGES = (
    ("Shorter than minimum length {min}.", _l("Shorter than minimum length %(min)s.")),
    ("Longer than maximum length {max}.", _l("Longer than maximum length %(max)s.")),
    ("Length must be between {min} and {max}.", _l("Length must be between %(min)s and %(max)s.")),
    ("Length must be {equal}.", _l("Length must be %(equal)s.")),
    (f"Must be {_GTE} {{min}}.", _l("Must be greater than or equal to %(min)s.")),
    (f"Must be {_GT} {{min}}.", _l("Must be greater than %(min)s.")),
    (f"Must be {_LTE} {{max}}.", _l("Must be less than or equal to %(max)s.")),
    (f"Must be {_LT} {{max}}.", _l("Must be less than %(max)s.")),
    (f"Must be {_GTE} {{min}} and {_LTE} {{max}}.", _l("Must be between %(min)s and %(max)s.")),
    (f"Must be {_GT} {{min}} and {_LTE} {{max}}.", _l("Must be greater than %(min)s and at most %(max)s.")),
    (f"Must be {_GTE} {{min}} and {_LT} {{max}}.", _l("Must be at least %(min)s and less than %(max)s.")),
    (f"Must be {_GT} {{min}} and {_LT} {{max}}.", _l("Must be greater than %(min)s and less than %(max)s.")),
    ("Must be one of: {choices}.", _l("Must be one of: %(choices)s.")),
    ("Must be equal to {other}.", _l("Must be equal to %(other)s.")),
    ("One or more of the choices you made was not in: {choices}.", _l("Some choices are not allowed; allowed: %(choices)s.")),
    ("One or more of the choices you made was in: {values}.", _l("Some choices are not allowed: %(values)s.")),
    ('"{input}" cannot be formatted as a date.', _l("“%(input)s” cannot be formatted as a date.")),
    ('"{input}" cannot be formatted as a datetime.', _l("“%(input)s” cannot be formatted as a date and time.")),
    ('"{input}" cannot be formatted as a time.', _l("“%(input)s” cannot be formatted as a time.")),
    ("{input!r} cannot be formatted as a timedelta.", _l("%(input)s cannot be formatted as a period of time.")),
)
_PLACEHOLDER = re.compile(r"\{(\w+)(?:![rs])?\}")


def _pattern(template: str) -> re.Pattern:
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>.+?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$", re.S)


# Longest template first: "Must be ≥ {min}." would otherwise swallow "Must be ≥ 0 and ≤ 100.".
_PATTERNS = tuple((_pattern(template), msgid) for template, msgid in sorted(PARAMETRISED_MESSAGES, key=lambda tm: -len(tm[0])))


def translate(message: Any) -> str:
    """A message in the current locale: a catalog msgid, or a formatted marshmallow message re-rendered."""
    if not isinstance(message, str):
        return str(message)
    for pattern, msgid in _PATTERNS:
        m = pattern.match(message)
        if m:
            return str(msgid) % m.groupdict()
    return _(message)


def flatten_marshmallow(messages: Mapping | list, prefix: str = "") -> dict[str, list[str]]:
    """{'lines': {0: {'capacity': ['…']}}} → {'lines[0].capacity': ['…']}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, list):
        out.setdefault(prefix or "_schema", []).extend(translate(m) for m in messages)
        return out
    for key, value in messages.items():
        if key in ("json", "form", "query") and not prefix:  # webargs location wrapper
            out.update(flatten_marshmallow(value, ""))
            continue
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(flatten_marshmallow(value, path))
        elif isinstance(value, list) and value and all(isinstance(v, str) or not isinstance(v, Mapping) for v in value):
            out.setdefault(path, []).extend(translate(m) for m in value)
        else:
            out.update(flatten_marshmallow(value, path))
    return out


# What the database columns hold: PostgreSQL `integer`, and the integer digits of the widest Numeric(14, 3).
MAX_INT = 2**31 - 1
MAX_DECIMAL = Decimal(10) ** 11


def stored_id(value: Any) -> int | None:
    """`value` as a row id, or None when no row can have it (not a whole number, ≤ 0, beyond PostgreSQL's integer):
    a lookup with it would find nothing on SQLite and fail on PostgreSQL, so the caller refuses it as "none chosen"."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_INT else None


def _too_large(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) > MAX_INT:
        out.append(path or "_schema")
    elif isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= MAX_DECIMAL):
        out.append(path or "_schema")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _too_large(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _too_large(item, f"{path}[{i}]", out)


def load(schema: Schema, data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Load or raise ValidationFailed naming every bad field (nothing is saved).

    Numbers beyond what the columns hold are refused here, naming the field ("Number too large."),
    instead of failing in the database (SQLite: OverflowError; PostgreSQL: out of range) as a 500
    — found by tests/integration/test_hostile_input.py (a 401-digit vehicle count).
    """
    try:
        loaded = schema.load(dict(data), partial=partial)
    except ValidationError as err:
        raise ValidationFailed(_("Some fields are invalid."), flatten_marshmallow(err.messages)) from err
    too_large: list[str] = []
    _too_large(loaded, "", too_large)
    if too_large:
        raise ValidationFailed(_("Some fields are invalid."), {path: [_("Number too large.")] for path in too_large})
    return loaded


class InVocabulary:
    """Validator: the value must be a code of a controlled vocabulary; the message lists them."""

    def __init__(self, vocabulary, *, allow_none: bool = False):
        self.vocabulary = vocabulary
        self.allow_none = allow_none

    def __call__(self, value: Any) -> Any:
        if value is None and self.allow_none:
            return value
        codes = self.vocabulary.codes() if hasattr(self.vocabulary, "codes") else list(self.vocabulary)
        if value not in codes:
            raise ValidationError(
                _("Unknown value “%(value)s”. Allowed: %(allowed)s", value=value, allowed=", ".join(codes))
            )
        return value


class NonNegative:
    def __call__(self, value: Any) -> Any:
        if value is not None and value < 0:
            raise ValidationError(_("Must be zero or more."))
        return value


class Percentage:
    def __call__(self, value: Any) -> Any:
        if value is not None and not (0 <= value <= 100):
            raise ValidationError(_("Must be a percentage between 0 and 100."))
        return value


class Required:
    """Non-blank text (marshmallow's required only checks presence)."""

    def __call__(self, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError(_("This field is required."))
        return value


def check_uscc(value: str) -> str:
    """统一社会信用代码 with its GB 32100 check character, via python-stdnum."""
    try:
        return stdnum_uscc.validate(value)
    except Exception as err:  # stdnum raises InvalidChecksum/InvalidFormat/InvalidLength
        raise ValidationError(
            _("Not a valid unified social credit code (统一社会信用代码): %(reason)s", reason=_uscc_reason(err))
        ) from err


def _uscc_reason(err: Exception) -> str:
    name = type(err).__name__
    return {
        "InvalidChecksum": _("the check character does not match"),
        "InvalidLength": _("it must be 18 characters"),
        "InvalidFormat": _("it contains characters that are not allowed"),
        "InvalidComponent": _("the registration authority or region part is invalid"),
    }.get(name, _("invalid"))


class USCCField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return check_uscc(text.strip().upper())


class TrimmedString(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class OptionalEmail(fields.String):
    """An e-mail address or nothing: forms submit an empty string for an untouched field."""

    _check = validate.Email()

    def _deserialize(self, value, attr, data, **kwargs):
        text = (super()._deserialize(value, attr, data, **kwargs) or "").strip()
        if text:
            try:
                self._check(text)
            except ValidationError as err:
                raise ValidationError(_("Not a valid email address.")) from err
        return text
