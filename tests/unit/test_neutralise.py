"""Export neutralisation (registry/exchange/neutralise.py): formula triggers and XlsxWriter's raw
rich-string shortcut are quoted on the way out and restored exactly on the way in."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest
import xlsxwriter

from registry.exchange.neutralise import neutralise, neutralise_series, restore, restore_series

CASES = [
    # (stored text, exported text)
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"),
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("'=x", "''=x"),
    ("<r><t>forged</t></r>", "'<r><t>forged</t></r>"),
    ("<r>\n<t>x</t></r>\n", "'<r>\n<t>x</t></r>\n"),
    ("'<r>x</r>", "''<r>x</r>"),
    ("<r>not closed", "<r>not closed"),
    ("plain 文本", "plain 文本"),
    ("it's", "it's"),
]


@pytest.mark.parametrize("stored, exported", CASES)
def test_neutralise_then_restore_is_exact(stored, exported):
    assert neutralise(stored) == exported
    assert restore(exported) == stored


def test_series_versions_agree_with_the_scalar_ones():
    stored = pd.Series([s for s, _ in CASES] + [None])
    out = neutralise_series(stored)
    assert list(out[:-1]) == [e for _, e in CASES]
    assert list(restore_series(out)[:-1]) == [s for s, _ in CASES]


@pytest.mark.parametrize("constant_memory", [False, True])
def test_a_rich_text_shaped_value_is_written_as_text_not_raw_xml(tmp_path, constant_memory):
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    wb.add_worksheet().write_string(0, 0, neutralise("<r><t>forged</t></r>"))
    wb.close()
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert "<r><t>forged" not in xml
    assert "&lt;r&gt;&lt;t&gt;forged" in xml
