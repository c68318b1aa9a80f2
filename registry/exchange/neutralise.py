"""Formula-injection neutralisation for exported text cells, and its exact inverse for imports.

OWASP (CSV injection) recommends prefixing a cell that starts with = + - @ (and tab or carriage
return) with a single quote, so a spreadsheet shows it as text instead of running it. The
importer removes exactly that prefix, so export → import is a no-op. To keep the mapping a
bijection, a text that already starts with quotes followed by a trigger ("'=x") gets one more
quote on the way out and loses exactly one on the way in.

XlsxWriter writes any string that starts with ``<r>`` and ends with ``</r>`` as raw rich-text XML
(its rich-string shortcut), so such a text from a hostile import could break or forge the file;
it is treated like a formula trigger and gets the same quote.
"""
from __future__ import annotations

import re

import pandas as pd

TRIGGERS = "=+-@\t\r"
_TRIGGER = r"(?:[=+\-@\t\r]|<r>.*</r>\n?\Z)"
_NEEDS = re.compile(r"^'*" + _TRIGGER, re.S)
_ESCAPED = re.compile(r"^'+" + _TRIGGER, re.S)


def neutralise(text: str) -> str:
    return "'" + text if _NEEDS.match(text) else text


def restore(text: str) -> str:
    return text[1:] if _ESCAPED.match(text) else text


def neutralise_series(s: pd.Series) -> pd.Series:
    """Vectorised neutralise for a column of str (NaN/None left alone)."""
    text = s.astype("string")
    mask = text.str.match(_NEEDS.pattern, flags=re.S).fillna(False).astype(bool)
    if not mask.any():
        return s
    out = s.copy()
    out[mask] = "'" + text[mask].astype(str)
    return out


def restore_series(s: pd.Series) -> pd.Series:
    """Vectorised restore for a column of str."""
    text = s.astype("string")
    mask = text.str.match(_ESCAPED.pattern, flags=re.S).fillna(False).astype(bool)
    if not mask.any():
        return s
    out = s.copy()
    out[mask] = text[mask].str.slice(1).astype(str)
    return out
