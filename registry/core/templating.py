"""Jinja filters that turn stored codes into what a reader understands, in the reader's language.

Vocabulary codes are shown as the sources' Chinese term (`label_zh`) in the zh locale and as a
humanised English code in en; no template hard-codes either, so a new vocabulary member
shows up correctly everywhere at once.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import gettext as _

from registry.core import codes, timeutil
from registry.core.codes import ACRONYMS, humanise, is_zh  # noqa: F401  (re-exported: templates' users import them here)
from registry.core.dictionary import CAPACITY_UNITS
from registry.core.regions import region_label

# Officials read times in China Standard Time; the database keeps UTC.
DISPLAY_TZ = timeutil.BEIJING  # the one clock's zone (core/timeutil.py)


def vocab_label(code, vocabulary: str) -> str:
    """The label of `code` in the named grading.vocab vocabulary (the one label registry, core/codes.py); unknown
    codes are shown as is."""
    return codes.label(vocabulary, code)


def vocab_choices(vocabulary: str, *, blank: bool = False) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the current language; `blank` adds a '—' option."""
    out = codes.choices(vocabulary)
    return ([("", "—")] + out) if blank else out


def registration_status_label(status: str | None) -> str:
    return {
        "draft": _("Draft"),
        "submitted": _("Submitted for review"),
        "returned": _("Returned"),
        "approved": _("Approved"),
    }.get(status or "", status or "")


def role_label(role: str | None) -> str:
    return {
        "enterprise": _("Enterprise user"),
        "county": _("County official"),
        "city": _("City official"),
        "province": _("Province official"),
        "admin": _("Administrator"),
        "security_admin": _("Security administrator"),
        "audit_admin": _("Audit administrator"),
    }.get(role or "", role or "")


def capacity_unit_label(unit: str | None) -> str:
    if not unit:
        return ""
    return CAPACITY_UNITS.get(unit, unit) if is_zh() else unit


def region_name(code: str | None) -> str:
    if not code:
        return ""
    label = region_label(code)
    return f"{label} ({code})" if label else code


def local_datetime(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(DISPLAY_TZ)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def yes_no(value) -> str:
    if value is None or value == "":
        return "—"
    return _("Yes") if value else _("No")


def number(value) -> str:
    """Decimals without trailing zeros: 200.000 → 200, 95.50 → 95.5."""
    if value is None or value == "":
        return ""
    if isinstance(value, (Decimal, float)):
        text = format(Decimal(str(value)).normalize(), "f")
        return text
    return str(value)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        vocab=vocab_label,
        status_label=registration_status_label,
        role_label=role_label,
        unit_label=capacity_unit_label,
        region=region_name,
        dt=local_datetime,
        yesno=yes_no,
        num=number,
        label=lambda code, vocabulary, **params: codes.label(vocabulary, code, **params),
    )
    from registry.core.forms import PlainRegionField
    from registry.core.regions import ancestry, enterprise_region_codes

    app.jinja_env.globals.update(vocab_choices=vocab_choices, label_choices=codes.choices, region_ancestry=ancestry,
                                 region_holds_enterprises=lambda code: code in enterprise_region_codes(),
                                 region_field=PlainRegionField)
    from registry.core import citations  # the 依据 filters (|cite, |basis_items; templates/macros/basis.html)

    citations.register(app)
    # Lets base.html link a domain's pages only when that domain's blueprint is registered.
    app.jinja_env.globals["url_rules"] = app.view_functions
