"""What the grades pages show for stored codes and engine notes, in the reader's language.

Decisions keep codes (system, kind, the downgrade setting, R-E-01 condition keys) and the engine's notes as
codes with params (grading/notes.py; issue 15 item 1); templates render them through `grade_label` / `grade_note`
(registered on the grades blueprint), so a zh reader never sees `voc_class`, `one_step` or `stably_compliant`, and
nothing parses the English back. Unknown codes are shown as they are.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from registry.core import codes
from registry.core.templating import vocab_label

SYSTEM_LABELS = {
    "emergency": _l("Emergency performance grade"),
    "staggering": _l("Staggered-production tier"),
    "benchmark": _l("Environmental benchmark"),
    "voc_class": _l("VOCs health-check class"),
}

KIND_LABELS = {
    "approval": lazy_pgettext("grade decision kind", "Approval"),
    "override": lazy_pgettext("grade decision kind", "Set by the city"),
    "fraud": lazy_pgettext("grade decision kind", "Fraud finding"),
    "violation": lazy_pgettext("grade decision kind", "Violation finding"),
    "regrade": lazy_pgettext("grade decision kind", "Re-grade"),
    "record": lazy_pgettext("grade decision kind", "Recorded grade"),
}

# GRADE_VIOLATION_DOWNGRADE (registry/grades/settings.py)
DOWNGRADE_LABELS = {
    "one_step": _l("one step down (A→B, B→C)"),
    "to_c": _l("straight to C"),
}

# R-E-01 (003:52): grading.rules.grade.EXCLUSION_CONDITIONS — the condition an enterprise fails.
CONDITION_LABELS = {
    "stably_compliant": _l("does not stably meet the emission standards"),
    "meets_permit_requirements": _l("does not meet the discharge-permit requirements"),
    "autumn_winter_tasks_done": _l("autumn–winter treatment tasks not completed on time"),
}

BENCHMARK_LABELS = {
    "benchmark": _l("Benchmark enterprise"),
    "not_benchmark": _l("Not a benchmark enterprise"),
}

VOCABULARIES = {"system": SYSTEM_LABELS, "kind": KIND_LABELS, "downgrade": DOWNGRADE_LABELS,
                "condition": CONDITION_LABELS}


def grade_label(code: Any, vocabulary: str) -> str:
    """`{{ d.kind|grade_label('kind') }}`; unknown codes are shown unchanged."""
    if code is None or code == "":
        return ""
    label = VOCABULARIES.get(vocabulary, {}).get(str(code))
    return str(label) if label is not None else str(code)


def grade_value(grade: Any, system: str | None = None) -> str:
    """A grade of any system: A/B/C as they are, staggering tiers and benchmark status as words."""
    if grade is None or grade == "":
        return ""
    if system == "staggering":
        return vocab_label(grade, "StaggeringTier")
    if system == "benchmark" or str(grade) in BENCHMARK_LABELS:
        label = BENCHMARK_LABELS.get(str(grade))
        return str(label) if label is not None else str(grade)
    return str(grade)


def grade_threshold(value: Any, options: Any = None) -> str:
    """An indicator's threshold or answer: option codes as their labels (lists joined), numbers as they are."""
    labels = dict(options or ())
    if isinstance(value, (list, tuple)):
        return "、".join(grade_threshold(v, options) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    return str(labels.get(value, value)) if isinstance(value, str) else str(value)


def _conditions(conditions: Any) -> str:
    return "、".join(grade_label(c, "condition") for c in (conditions or ()))


# One label per note code of the engine (grading/notes.py NOTES) and of registry.grades.operations, rendered from
# the code's params in the reader's language (tests/unit/test_note_labels.py keeps the two lists in step).
NOTE_LABELS: dict[str, Any] = {
    "grade.no_answer": lambda p, o: _("no answer"),
    "grade.below_b": lambda p, o: _("does not meet B (%(value)s)", value=grade_threshold(p.get("value"), o)),
    "grade.meets": lambda p, o: _("meets %(grade)s (%(value)s)", grade=p.get("grade"),
                                  value=grade_threshold(p.get("value"), o)),
    "grade.fraud_to_c": lambda p, o: _("fraud in the ultra-low evaluation: emergency grade lowered to C"),
    "grade.preferences_cancelled":
        lambda p, o: _("preferential policies cancelled: no differentiated emergency measures for ultra-low emission"),
    "grade.violation_downgrade":
        lambda p, o: _("violation: downgrade rule %(rule)s", rule=grade_label(p.get("rule"), "downgrade")),
    "grade.short_board": lambda p, o: _("short-board principle: each industry takes its worst indicator; "
                                        "a multi-industry enterprise takes its worst industry"),
    "grade.excluded": lambda p, o: _("not within grading: %(conditions)s; shutdown or the strictest curtailment "
                                     "per production line", conditions=_conditions(p.get("conditions"))),
}


def _note_entry(render):
    return lambda **params: render(params, None)


# The grade notes in the one label registry too (issue 16 item 1): the 依据 of any page (registry/core/citations.py
# basis_items) renders them as the grade pages do.
codes.register("engine.note", {code: _note_entry(render) for code, render in NOTE_LABELS.items()})


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def grade_note(item: Any, options: Any = None) -> str:
    """A reason's or an indicator result's note in the reader's language: rendered from its `code` + `params`
    (`options`: the indicator's (code, label) pairs); a note without a code (typed by an official, or stored
    before the codes) is shown as it is."""
    if not item:
        return ""
    if isinstance(item, str):
        return item
    code, note = _get(item, "code"), _get(item, "note") or ""
    render = NOTE_LABELS.get(code) if code else None
    if render is None:
        return str(note)
    params = dict(_get(item, "params") or {})
    if isinstance(item, dict) and item.get("kind") in ("min", "max") and params.get("value") not in (None, ""):
        # a number with its unit (and the bound's sign for the threshold met): "达到A级要求（≤ 10 mg/m³）"
        number = with_unit(item, params["value"])
        params["value"] = f"{'≥' if item['kind'] == 'min' else '≤'} {number}" if code == "grade.meets" else number
    return render(params, options)


# ---- review rows: thresholds in words, units, the 依据 detail, field names of errors (issue 16 item 6/8) ----

UNIT_LABELS = {"%": "%", "mg/m³": "mg/m³", "months": _l("months")}


def unit_label(unit: Any) -> str:
    """An indicator's unit in the reader's language ('months' → 个月)."""
    if not unit:
        return ""
    label = UNIT_LABELS.get(str(unit))
    return str(label) if label is not None else str(unit)


def threshold_text(item: dict[str, Any], grade: str) -> str:
    """What an answer must be for `grade` ('a' | 'b') in words: "≤ 10 mg/m³", "≥ 90 %", "全国领先水平",
    "是"; a bool threshold of null (any answer) reads "not required" — never an empty threshold."""
    value, kind = item.get(grade), item.get("kind")
    if kind in ("min", "max"):
        sign = "≥" if kind == "min" else "≤"
        return f"{sign} {with_unit(item, value)}"
    if kind == "bool":
        if value is None:
            return _("not required")
        return _("yes") if value else _("no")
    text = grade_threshold(value, item.get("options"))
    return text or _("not required")


def with_unit(item: dict[str, Any], value: Any) -> str:
    """A number of the indicator with its unit: "10 mg/m³", "90 %", "3 个月" (shares without a unit get %)."""
    if value is None or value == "":
        return "—"
    try:
        number = f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)
    unit = unit_label(item.get("unit")) or ("%" if item.get("percentage") else "")
    return f"{number} {unit}".rstrip()


def basis_text(source: Any, rule: Any = None, local: bool = False) -> str:
    """A threshold's or reason's source in words for the 依据 detail: 《document》line N, or the local setting of
    the city's detailed grading method; the rule id is for the hover title."""
    from registry.core.citations import cite

    if local or source in (None, "", "local setting"):
        return _("local setting of the city's detailed grading method (细化分级办法)")
    return cite(str(source))


def field_label(key: Any) -> str:
    """An error's field key as the field's label: 'steel.clean_transport_share' → 大宗物料…运输比例,
    'industries.steel.line_ids' → 钢铁 · 生产线; a key without a label gives the generic "form"."""
    text = str(key or "")
    head, _dot, rest = text.partition(".")
    if head == "industries":
        industry, _dot2, sub = rest.partition(".")
        sector = vocab_label(industry, "Sector") if industry else ""
        if sub == "line_ids":
            return f"{sector} · {_('Production lines')}"
        return sector or _("Industries")
    if rest and "." not in rest:
        label = indicator_label(text)
        if label != text:
            return label
    label = FIELD_LABELS.get(text) or ERROR_FIELD_LABELS.get(text)
    return str(label) if label is not None else _("Form")


def register(bp) -> None:
    bp.add_app_template_filter(unit_label, "unit_label_grades")
    bp.add_app_template_filter(field_label, "grade_field")
    bp.add_app_template_filter(threshold_text, "threshold_text")
    bp.add_app_template_filter(basis_text, "grade_basis")
    bp.add_app_template_filter(grade_label, "grade_label")
    bp.add_app_template_filter(grade_value, "grade_value")
    bp.add_app_template_filter(grade_note, "grade_note")
    bp.add_app_template_filter(grade_threshold, "grade_threshold")
    bp.add_app_template_filter(indicator_label, "indicator_label")


# ---- grade events in the enterprise history (registry/enterprises/views.py: history) ----

ACTION_LABELS = {
    "grade.create": _l("Grade application created"),
    "grade.answers": _l("Grade self-assessment saved"),
    "grade.evidence": _l("Grade evidence attached"),
    "grade.delete": _l("Grade application deleted"),
    "grade.submit": _l("Grade application submitted"),
    "grade.return": _l("Grade application returned by the county"),
    "grade.accept": _l("Grade documents accepted by the county"),
    "grade.approve": _l("Grade approved (publicity)"),
    "grade.override": _l("Grade set by the city (publicity)"),
    "grade.objection": _l("Objection to a grade filed"),
    "grade.objection_answer": _l("Objection answered"),
    "grade.effective": _l("Grade in effect"),
    "grade.violation": _l("Violation finding: grade lowered"),
    "grade.fraud": _l("Fraud finding: grade lowered to C"),
    "grade.record": _l("Grade recorded"),
}

FIELD_LABELS = {
    "status": _l("Status"),
    "system": lazy_pgettext("grade system", "System"),
    "industry": _l("Industry"),
    "grade": _l("Grade"),
    "proposed_grade": _l("Proposed grade"),
    "publicity_until": _l("Publicity until"),
    "filename": _l("File"),
    "indicator": _l("Indicator"),
    "text": _l("Objection"),
    "answer": lazy_pgettext("objection", "Answer"),
}
# Other fields an operation may name in an error (operations._invalid).
ERROR_FIELD_LABELS = {
    "reason": _l("Reason"),
    "note": _l("Note"),
    "file": _l("File"),
    "version": _l("Version"),
    "objections": _l("Objections"),
    "kind": _l("Kind"),
}
# Details that live on the application page, not in the enterprise's history.
_HIDDEN = {"industries", "county_review", "returned", "sha256", "size"}


def indicator_label(value: Any, industry: str | None = None) -> str:
    """'steel.clean_transport_share' (or 'clean_transport_share' with `industry`) → the indicator's name."""
    from registry.core.templating import is_zh
    from registry.policy.grades import get_criteria

    text = str(value or "")
    if industry and "." not in text:
        text = f"{industry}.{text}"
    industry, _dot, key = text.partition(".")
    try:
        ind = get_criteria(industry).indicator(key) if key else None
    except Exception:  # unknown industry: show the stored text
        ind = None
    if ind is None:
        return text
    return ind.label if is_zh() else ind.label_en


def _status(code: Any) -> str:
    from registry.grades.operations import status_label

    return status_label(str(code)) if code else ""


def _sector(code: Any) -> str:
    return vocab_label(code, "Sector")


def history_view(entry: dict) -> dict[str, Any]:
    """action_label and diff rows ({field, before, after}) of a grade.* audit entry, every code as a label."""
    action = entry.get("action", "")
    label = ACTION_LABELS.get(action)
    before, after = entry.get("before") or {}, entry.get("after") or {}
    system = after.get("system") or before.get("system") or "emergency"
    rows: list[dict[str, Any]] = []

    def show(key: str, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if key == "status":
            return _status(value)
        if key == "system":
            return grade_label(value, "system")
        if key in ("grade", "proposed_grade"):
            return grade_value(value, system)
        if key == "industry":
            return _sector(value)
        if key == "indicator":
            return indicator_label(value)
        return str(value)

    if action in ("grade.violation", "grade.fraud"):  # {industry: grade} before and after
        for industry in dict.fromkeys([*before, *after]):
            rows.append({"field": _sector(industry), "before": show("grade", before.get(industry)),
                         "after": show("grade", after.get(industry))})
    else:
        for key in dict.fromkeys([*before, *after]):
            if key in _HIDDEN:
                continue
            if key == "grades":  # approve/override: {industry: grade}
                for industry, grade in (after.get("grades") or {}).items():
                    rows.append({"field": f"{FIELD_LABELS['grade']} · {_sector(industry)}", "before": None,
                                 "after": show("grade", grade)})
                continue
            b, a = show(key, before.get(key)), show(key, after.get(key))
            if b is None and a is None:
                continue
            rows.append({"field": str(FIELD_LABELS.get(key, key)), "before": b, "after": a})
    return {"action_label": str(label) if label else action, "diff": rows}


# ---- Excel exports (registry/grades/views.py: _xlsx) ----

OBJECTION_STATUS_LABELS = {"open": lazy_pgettext("objection status", "open"),
                           "answered": lazy_pgettext("objection status", "answered")}


def for_export(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export's coded columns as labels in the reader's language (the same words as the pages)."""
    out = []
    for row in rows:
        row = dict(row)
        system = row.get("system") or "emergency"
        if "system" in row:
            row["system"] = grade_label(row["system"], "system")
        if "kind" in row:
            row["kind"] = grade_label(row["kind"], "kind")
        for key in ("grade", "proposed_grade"):
            if row.get(key):
                row[key] = grade_value(row[key], system)
        if row.get("industry"):
            row["industry"] = vocab_label(row["industry"], "Sector")
        if isinstance(row.get("industries"), str) and row["industries"]:
            row["industries"] = "、".join(vocab_label(c.strip(), "Sector") for c in row["industries"].split(",") if c.strip())
        if row.get("status"):
            if kind == "objections":
                label = OBJECTION_STATUS_LABELS.get(row["status"])
                row["status"] = str(label) if label is not None else row["status"]
            else:
                row["status"] = _status(row["status"])
        out.append(row)
    return out
