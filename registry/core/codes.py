"""The one label registry: every code a reader may meet → its label in the reader's language (issue 16 item 1).

Pages, exports, charts, notices, the CLI's human output and the API's `*_label` fields all ask here, so a code
is named the same way everywhere and a missing label is one place to fix. A vocabulary is a name ("AlertLevel",
"audit.action", "schedule.flag", …) and a mapping code → label; a label may carry parameters (`%(pct)s`) that
`label(..., pct=30)` fills. The engine's vocabularies (grading.vocab enums) are known without registering:
their `label_zh` in zh and a humanised code in en. Domains register their own vocabularies from their
`labels.py` modules (`register("audit.action", {...})`), so `core` imports no domain (issue 15 item 3).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from flask_babel import get_locale

import grading.vocab as vocab_module

_REGISTRY: dict[str, dict[str, Any]] = {}


def register(vocabulary: str, labels: Mapping[str, Any]) -> None:
    """Add (or replace) labels of one vocabulary. Values are lazy gettext strings, or callables of **params."""
    _REGISTRY.setdefault(vocabulary, {}).update(labels)


@lru_cache(maxsize=None)
def _enum(vocabulary: str):
    enum = getattr(vocab_module, vocabulary, None)
    return enum if isinstance(enum, type) and issubclass(enum, vocab_module.Vocabulary) else None


def is_zh() -> bool:
    """Whether the reader reads Chinese (the default locale)."""
    return str(get_locale() or "zh").startswith("zh")


ACRONYMS = {"so2": "SO₂", "nox": "NOx", "pm": "PM", "vocs": "VOCs", "voc_process": "VOC process"}


def humanise(code: str) -> str:
    """'steel_blast_furnace' → 'Steel blast furnace'; pollutant codes keep their usual spelling."""
    code = str(code).strip()
    if code.lower() in ACRONYMS:
        return ACRONYMS[code.lower()]
    if code.isupper():  # grades A/B/C
        return code
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def known(vocabulary: str, code: Any) -> bool:
    """Whether `code` has a label in `vocabulary` (registered, or a member of the engine's enum)."""
    if str(code) in _REGISTRY.get(vocabulary, {}):
        return True
    enum = _enum(vocabulary)
    return enum is not None and str(code) in enum.codes()


def label(vocabulary: str, code: Any, default: str | None = None, **params: Any) -> str:
    """The label of `code` in `vocabulary`, parameters filled. Unknown codes give `default` (else the code
    itself, which the crawl test then finds on the page)."""
    if code is None or code == "":
        return ""
    code = getattr(code, "value", code)
    entry = _REGISTRY.get(vocabulary, {}).get(str(code))
    if entry is not None:
        text = entry(**params) if callable(entry) else str(entry)
        return text % params if params and "%(" in text else text
    enum = _enum(vocabulary)
    if enum is not None:
        try:
            member = enum(str(code))
        except ValueError:
            member = None
        if member is not None:
            return member.label_zh if is_zh() else humanise(member.value)
    return default if default is not None else str(code)


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label) pairs in registration (or enum) order, for selects and legends."""
    codes = list(_REGISTRY.get(vocabulary, {}))
    enum = _enum(vocabulary)
    if enum is not None:
        codes += [c for c in enum.codes() if c not in codes]
    return [(c, label(vocabulary, c)) for c in codes]


def vocabularies() -> list[str]:
    """Names of the registered vocabularies (the engine's enums are not listed)."""
    return sorted(_REGISTRY)
