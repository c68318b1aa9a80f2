"""Form plumbing shared by every domain: put an operation's field errors beside the right inputs.

Operations validate (one validation for pages, API and import) and report errors by path —
`capacity`, `emissions[0].status`. Pages only need to show each message next to its field,
so this module walks a WTForms form along such a path.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from wtforms import Field, Form
from wtforms.fields import FieldList, FormField

from registry.core.versions import form_version

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    return [int(idx) if idx else name for name, idx in _SEGMENT.findall(path)]


def _add(field: Field, messages: list[str]) -> None:
    field.errors = list(field.errors or []) + list(messages)


def apply_errors(
    form: Form,
    errors: Mapping[str, list[str]],
    row_maps: Mapping[str, list[int]] | None = None,
) -> list[str]:
    """Attach messages to the fields they name; return those that fit no field (shown on top).

    `row_maps[list_name][i]` is the form row that became item i of the submitted list, since
    blank rows are dropped before the operation sees the data.
    """
    leftovers: list[str] = []
    row_maps = row_maps or {}
    for path, messages in errors.items():
        target = _find(form, split_path(path), row_maps)
        if target is None:
            leftovers.extend(messages)
        else:
            _add(target, messages)
    return leftovers


def _find(form: Form, segments: list[str | int], row_maps: Mapping[str, list[int]]) -> Field | None:
    current: Form | Field = form
    list_name = ""
    for seg in segments:
        if isinstance(seg, int):
            if not isinstance(current, FieldList):
                return None
            rows = row_maps.get(list_name)
            index = rows[seg] if rows is not None and seg < len(rows) else seg
            if index >= len(current.entries):
                return current
            current = current.entries[index]
            continue
        if isinstance(current, FormField):
            current = current.form
        if not isinstance(current, Form) or seg not in current._fields:
            return current if isinstance(current, Field) else None
        list_name = seg
        current = current._fields[seg]
    if isinstance(current, Form):
        return None
    return current


def blank_to_none(value):
    """Empty inputs mean 'not given' to the schemas (None), not an empty string."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def version_of(form_value) -> int:
    """The hidden optimistic-lock version; missing or garbled is MISSING_VERSION, which the operations refuse
    (issue 13 L11: it used to mean 'do not check')."""
    return form_version(form_value)


class RegionFields:
    """A form with region pickers (macros/forms.html region_picker): what a region box received becomes a code.

    Without JavaScript the box takes a name or a code; `region_value` resolves it and remembers why a text
    names no region (or several), and `explain` puts that reason beside the field in place of the operation's
    'unknown code' — so the message names the field and what was typed (issue 16)."""

    def region_value(self, name: str, level: str = "", within: str = "") -> str:
        from registry.core.regions import resolve

        code, problem = resolve(self[name].data, within=within, level=level)
        problems = self.__dict__.setdefault("region_problems", {})
        if problem:
            problems[name] = problem
        else:
            problems.pop(name, None)
        return code

    def explain(self, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
        return {**errors, **{name: [p] for name, p in self.__dict__.get("region_problems", {}).items()}}


def PlainRegionField(value, label, errors=None, name: str = "region_code", id: str | None = None):  # noqa: N802
    """The region box of a page form that is not a WTForms form (schedule generation, public filters): a real
    WTForms text field holding `value`, so macros/forms.html region_picker renders both alike."""
    from wtforms import StringField

    box = type("RegionBox", (Form,), {name: StringField(label, id=id or name)})(data={name: value or ""})[name]
    box.errors = list(errors or [])
    return box
