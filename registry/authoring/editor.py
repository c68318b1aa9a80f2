"""The draft editor's side of the generated forms (registry/authoring/schema_form.py, one definition from the
loader's spec): which sections a pack has, the value fields of one, and the posted form back into changed values.

Citations are not typed into the form: every changed value is cited by the document line or the written reason the
official chooses beside the form, and operations.edit_values sets them on the pack (registry/authoring/operations).
The header section ("" in schema_form) is called "general" in URLs.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from registry.core.errors import ValidationFailed
from registry.policy.drafts import read_yaml

GENERAL = "general"


def _data(text: str) -> dict:
    try:
        return read_yaml(text)
    except (ValueError, TypeError):
        return {}
    except Exception:  # noqa: BLE001 - a YAML error: the problems page names it
        return {}


def _key(section: str) -> str:
    return "" if section == GENERAL else section


def sections(text: str) -> list[tuple[str, str]]:
    from registry.authoring import schema_form

    return [(key or GENERAL, label) for key, label in schema_form.sections(_data(text))]


def section_label(section: str) -> str:
    from registry.core import codes

    return _("General") if section == GENERAL else codes.label("policy.pack_field", section)


def fields(text: str, section: str) -> list[Any] | None:
    """The value fields of a section (citation keys excluded: they are shown beside each value), None if unknown."""
    from registry.authoring import schema_form

    data = _data(text)
    try:
        all_fields = schema_form.section_fields(data, _key(section))
    except KeyError:
        return None
    return [f for f in all_fields if f.role == "value"]


def parse(text: str, section: str, form) -> dict[str, Any]:
    """path → new value for every value field of the section that the form changed; ValidationFailed by path."""
    from registry.authoring import schema_form
    from registry.authoring.operations import get_value

    data = _data(text)
    allowed = {f.path for f in (fields(text, section) or [])}
    posted = {k: v for k, v in form.items() if k in allowed}
    if hasattr(form, "getlist"):
        from werkzeug.datastructures import MultiDict

        posted = MultiDict([(k, v) for k in form.keys() if k in allowed for v in form.getlist(k)])
    parsed = schema_form.parse_form(data, _key(section), posted, check=False)
    if parsed.errors:
        raise ValidationFailed(_("Some fields are invalid."), parsed.errors)
    return {path: get_value(parsed.pack, path) for path in parsed.changed if path in allowed}
