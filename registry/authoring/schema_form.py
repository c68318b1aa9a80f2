"""Forms generated from the pack's own schema (issue 20 item 3): one definition, no hand-written form per section.

The definition is the loader's: grading.packs.SPEC (which keys a section may hold), DATE_KEYS, PERCENT_KEYS,
the list keys (sectors, sub-types, kinds, fuels), CITE (the citation keys) and the engine's vocabularies for the choices.
`section_fields(pack, section)` walks the section of a pack structure (registry.policy.drafts.read_yaml) and
returns one Field per editable leaf — its dotted path (the same path the loader's problems and the diff use), its
label from the label registry, its type, its current value, its choices, and the citation of the node it belongs
to. The citation keys of each cited node (source = a document line, rule, note; or a local setting's why) are
fields too, with `role` telling which, so a page can show the citation beside the value.

`parse_form(pack, section, form)` turns posted values (form names = paths) back into the pack structure: each value
converted to its type, and errors by path — the field's own conversion errors, then every problem the loader finds
in the result inside this section (registry.policy.drafts.problems), so a page shows each beside its field.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Optional

from flask_babel import gettext as _

from registry.core import codes
from registry.policy import drafts, pack_labels
from registry.policy.drafts import (
    CITE,
    DATE_KEYS,
    FREE,
    MONTH_DAY_RE,
    OFFICIAL_LEVELS,
    PERCENT_KEYS,
    SEPARATIONS,
    SOURCE_RE,
    SPEC,
    spec_for,
)

# Which vocabulary a key's values come from (labels and choices through the label registry)
CHOICE_VOCABULARIES: dict[str, str] = {
    "sectors": "Sector", "open_list_sectors": "Sector", "special_limit_sectors": "Sector", "ultra_low_sectors": "Sector",
    "sub_types": "SubType", "sub_types_listed": "SubType", "kinds": "LineKind", "fuels": "Fuel",
    "open_list_fuels": "Fuel", "levels": "AlertLevel", "measure": "Measure", "effect": "Measure",
    "min_status": "EmissionStatus", "basis": "Basis",
    "heating_season_min_standard": "VehicleStandard", "exception_min_standard": "VehicleStandard",
    "predicate": "policy.trigger_predicate", "consequence": "policy.trigger_consequence", "force": "policy.force",
    "applies_to": "policy.applies_to", "method": "engine.verification",
}
# keys naming one of the pack's local settings (which setting a measure or a restriction follows)
SETTING_KEYS = {"setting", "basis_setting", "levels_setting", "window_setting", "exception_standard_setting",
                "rate_setting", "several_setting", "ratio_pollutants_setting", "default_setting", "cycle_setting"}
MULTIPLE = {"sectors", "open_list_sectors", "special_limit_sectors", "ultra_low_sectors", "sub_types",
            "sub_types_listed", "kinds", "fuels", "open_list_fuels", "levels"}
CITATION_ROLES = ("source", "rule", "note", "why")
_SPLIT = re.compile(r"[\n,，、;；]+")
# A page posts `<path>:present` (hidden) beside a multiple-choice field's boxes, so unticking every box empties the
# list instead of leaving it unchanged (a browser posts nothing for unticked boxes).
PRESENT = ":present"
TYPES = ("date", "month_day", "percent", "number", "bool", "text", "list", "choice", "source", "rule")


@dataclass(frozen=True)
class Field:
    """One form field of a pack section.

    path: dotted pack path, also the form field's name; label: in the reader's language; type: one of TYPES;
    value: the current value (dates as text, lists as lists); choices: [(code, label)] for choice fields
    (`multiple` for lists of codes); role: "value", or which citation key ("source", "rule", "note", "why") of the
    node at `cite_path`; citation: that node's citation (drafts.citation_of) shown beside the value."""

    path: str
    label: str
    type: str
    value: Any
    role: str = "value"
    cite_path: str = ""
    citation: Optional[dict] = None
    choices: tuple = ()
    multiple: bool = False
    local_setting: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "label": self.label, "type": self.type, "value": self.value, "role": self.role,
                "cite_path": self.cite_path, "citation": self.citation, "choices": [list(c) for c in self.choices],
                "multiple": self.multiple, "local_setting": self.local_setting}


def sections(pack: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(section, label) of the pack's editable sections, in the pack's order; "" is the header (title, period,
    alert levels, heating season: the top-level fields that are not sections of their own)."""
    out = [("", _("General"))]
    for key, value in pack.items():
        if key in _HEADER or not isinstance(value, (dict, list)):
            continue
        out.append((key, codes.label("policy.pack_field", key)))
    return out


_HEADER = {"id", "title", "title_en", "jurisdiction", "province", "source_file", "period", "alert_levels", "heating_season"}


def _vocab_choices(vocabulary: str) -> tuple:
    return tuple(codes.choices(vocabulary))


def _choices_for(key: str, parent_path: str, node: Mapping[str, Any]) -> tuple[tuple, bool]:
    """(choices, multiple) for a key, or ((), False) for a field typed in. A vocabulary's choices are offered only
    where the current value is among them (a pack's own words, e.g. threshold statuses, stay text)."""
    choices, multiple = _vocabulary_choices(key, parent_path, node)
    value = node.get(key)
    if choices and value is not None:
        allowed = {c for c, _label in choices}
        if (multiple and not (isinstance(value, list) and set(map(str, value)) <= allowed)) or \
                (not multiple and str(value) not in allowed):
            return (), False
    return choices, multiple


def _vocabulary_choices(key: str, parent_path: str, node: Mapping[str, Any]) -> tuple[tuple, bool]:
    if key in ("value", "default") and isinstance(node.get("options"), list):
        return tuple((str(o), pack_labels.option_label(o)) for o in node["options"]), False
    if parent_path.startswith("grade_workflow."):
        if parent_path == "grade_workflow.separation":
            return tuple((s, codes.label("policy.separation", s)) for s in SEPARATIONS), False
        return tuple((lv, codes.label("policy.official_level", lv)) for lv in OFFICIAL_LEVELS), True
    if key == "value" and parent_path == "alert_levels":
        return _vocab_choices("AlertLevel"), True
    if key in SETTING_KEYS:
        return tuple((name, codes.label("engine.setting", name)) for name in sorted(drafts.known_settings())), False
    vocabulary = CHOICE_VOCABULARIES.get(key)
    if vocabulary:
        return _vocab_choices(vocabulary), key in MULTIPLE
    return (), False


def _leaf_type(key: str, value: Any, path: str, choices: tuple) -> str:
    if choices:
        return "choice"
    if key in DATE_KEYS:
        return "date"
    if key in ("start_month_day", "end_month_day"):
        return "month_day"
    if key in PERCENT_KEYS or path.startswith("emergency.ratios.value."):
        return "percent"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "list"
    return "text"


def _text(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _walk(node: Any, path: str, cite_path: str, citation: Optional[dict], free: bool, out: list[Field]) -> None:
    if isinstance(node, dict):
        own = drafts.citation_of(node)
        if own is not None:
            cite_path, citation = path, own
            local = node.get("local_setting") is True
            for role in CITATION_ROLES:
                if role in node or (role == "why" and local) or (role == "source" and not local):
                    out.append(Field(f"{path}.{role}", pack_labels.field_label(f"{path}.{role}"), role if role in
                                     ("source", "rule") else "text", node.get(role), role, path, own, local_setting=local))
        spec = None if free else spec_for(path)
        for key, value in node.items():
            if key in CITE and key not in ("value", "options"):
                continue
            if key == "options" or key == "id":
                continue  # the setting's options and a record's id are the engine's words, not values to edit
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(value, (dict,)) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
                _walk(value, sub, cite_path, citation, free or spec is FREE or key == "value", out)
                continue
            choices, multiple = _choices_for(str(key), path, node)
            out.append(Field(sub, pack_labels.field_label(sub), _leaf_type(str(key), value, sub, choices), _text(value),
                             "value", cite_path, citation, choices, multiple))
        return
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, f"{path}[{i}]", cite_path, citation, free, out)


def section_fields(pack: Mapping[str, Any], section: str) -> list[Field]:
    """The fields of one section ("" = the header) of a pack structure, in the pack's order."""
    out: list[Field] = []
    if section == "":
        for key in pack:
            if key not in _HEADER or key == "id":
                continue  # the id is the authoring record's, not typed
            value = pack[key]
            if isinstance(value, dict):
                _walk(value, key, "", None, False, out)
            else:
                out.append(Field(key, pack_labels.field_label(key), "text", _text(value)))
        return out
    if section not in pack:
        raise KeyError(section)
    _walk(pack[section], section, "", None, False, out)
    return out


# ---- posted values back into the structure ---------------------------------------------------------------------

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[Any]:
    return [int(i) if i else k for k, i in _TOKEN.findall(path)]


def _set(root: Any, path: str, value: Any) -> None:
    tokens = _tokens(path)
    node = root
    for t in tokens[:-1]:
        node = node[t]
    node[tokens[-1]] = value


def _posted(form: Any, path: str, multiple: bool) -> Any:
    if multiple:
        if hasattr(form, "getlist"):
            return [v for v in form.getlist(path) if v != ""]
        value = form.get(path, [])
        return [v for v in (value if isinstance(value, list) else _SPLIT.split(str(value))) if str(v).strip()]
    value = form.get(path) if not hasattr(form, "getlist") else (form.getlist(path) or [None])[-1]
    return value


def _number(text: str) -> float | int:
    v = float(str(text).strip().replace("％", "").replace("%", ""))
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(text)
    return int(v) if v.is_integer() else v


def _convert(f: Field, raw: Any) -> tuple[Any, Optional[str]]:
    """(value, error message) for one posted field."""
    if f.type == "bool":
        text = str(raw or "").strip().lower()
        if text in ("1", "true", "on", "yes", "y"):
            return True, None
        if text in ("0", "false", "off", "no", "n"):
            return False, None
        return None, _("Yes or no")
    if f.multiple:
        values = [str(v).strip() for v in (raw or [])]
        allowed = {c for c, _label in f.choices}
        bad = [v for v in values if v not in allowed]
        if bad:
            return None, _("Not among the choices: %(values)s", values="、".join(bad))
        return values, None
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if f.value in (None, "", []):
            return f.value, None  # left empty, as it was
        if f.role == "note":
            return "", None
        return None, _("Required")
    if f.type == "choice":
        if text not in {c for c, _label in f.choices}:
            return None, _("Not among the choices: %(values)s", values=text)
        return text, None
    if f.type == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, _("Not a date (want YYYY-MM-DD)")
    if f.type == "month_day":
        return (text, None) if MONTH_DAY_RE.match(text) else (None, _("Not a month and day (want MM-DD)"))
    if f.type in ("percent", "number"):
        try:
            v = _number(text)
        except ValueError:
            return None, _("Not a number")
        if f.type == "percent" and not 0 <= v <= 100:
            return None, _("A percentage between 0 and 100")
        return v, None
    if f.type == "source":
        return (text, None) if SOURCE_RE.match(text) else (None, _("A clause as document and line, e.g. 000:129"))
    if f.type == "list":
        items = [v.strip() for v in _SPLIT.split(text) if v.strip()]
        if f.value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in f.value):
            try:
                return [_number(v) for v in items], None
            except ValueError:
                return None, _("Not a number")
        return items, None
    return text, None


@dataclass
class Parsed:
    """A section's posted values as a new pack structure; `errors` path → messages (empty: accepted)."""

    pack: dict
    errors: dict[str, list[str]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # paths whose value changed

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_form(pack: Mapping[str, Any], section: str, form: Any, *, check: bool = True) -> Parsed:
    """The pack with the section's posted values (a MultiDict or a mapping, names = field paths). Fields not
    posted keep their value; yes/no fields take true/false (render them as a select or a radio pair). With `check`, the whole result goes through the
    loader and its problems inside the section are added by path."""
    fields_ = section_fields(pack, section)
    new = copy.deepcopy(dict(pack))
    out = Parsed(new)
    for f in fields_:
        if f.path not in form and not (f.multiple and f"{f.path}{PRESENT}" in form):
            continue  # not posted: unchanged (a yes/no field is a select or radio pair, never a lone checkbox)
        value, error = _convert(f, _posted(form, f.path, f.multiple))
        if error:
            out.errors.setdefault(f.path, []).append(error)
            continue
        if value != f.value:
            _set(new, f.path, _typed(f, value))
            out.changed.append(f.path)
    if check and not out.errors:
        for problem in drafts.problems(drafts.dump_yaml(new)):
            if section == "" or problem.path == section or problem.path.startswith((f"{section}.", f"{section}[")):
                out.errors.setdefault(problem.path, []).append(problem.message)
            elif problem.path in ("<yaml>", "<root>"):
                out.errors.setdefault(problem.path, []).append(problem.message)
    return out


def _typed(f: Field, value: Any) -> Any:
    """Dates go back as dates (the loader reads YYYY-MM-DD text either way; the dump writes them unquoted)."""
    if f.type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def other_problems(pack: Mapping[str, Any], section: str) -> list[drafts.Problem]:
    """The draft's problems outside `section` (shown above the form, so nothing is hidden)."""
    return [p for p in drafts.problems(drafts.dump_yaml(dict(pack)))
            if not (p.path == section or p.path.startswith((f"{section}.", f"{section}[")))]


__all__ = ["Field", "Parsed", "SPEC", "TYPES", "other_problems", "parse_form", "section_fields", "sections"]
