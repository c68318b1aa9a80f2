"""The data dictionary is the one source of headers: it covers the model, and the template and docs come from it."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from registry.core import dictionary as dd

NOT_IMPORTED = {
    "enterprise": {"id", "version", "status", "return_reason", "submitted_at", "approved_at", "created_at", "updated_at",
                   "created_by_id"},
    "production_line": {"id", "version", "enterprise_id"},
    "equipment": {"id", "line_id"},
    "line_emission": {"id", "line_id", "pollutant"},
    "permit": {"id", "version", "enterprise_id"},
}


def test_every_importable_column_is_in_the_dictionary(db_app):
    from registry.extensions import db

    listed: dict[str, set[str]] = {}
    for s in dd.SHEETS:
        for f in s.fields:
            table, column = f.column.split(".")
            assert column in db.metadata.tables[table].c, f.column
            listed.setdefault(table, set()).add(column)
    for table, skipped in NOT_IMPORTED.items():
        columns = {c.key for c in db.metadata.tables[table].c}
        assert columns - skipped <= listed[table], (table, sorted(columns - skipped - listed[table]))


def test_every_emission_status_is_one_column_per_pollutant():
    for p in ("pm", "so2", "nox", "vocs"):
        for suffix in ("status", "reached_on", "concentration", "limit"):
            assert dd.LINES.field(f"{p}_{suffix}").pollutant == p


def test_headers_and_labels_are_unambiguous():
    for s in dd.SHEETS:
        for lang in ("zh", "en"):
            headers = [dd.normalise_header(h) for h in s.headers(lang)]
            assert len(headers) == len(set(headers)), (s.key, lang)
        lookup = dd.header_lookup(s.key)
        assert all(lookup[dd.normalise_header(f.header("zh"))] == f.key for f in s.fields)
        for f in s.fields:
            if f.vocabulary is not None:
                labels = [label for _c, label in f.vocabulary.choices()]
                assert len(labels) == len(set(labels)), f.key


def test_docs_data_dictionary_matches_the_dictionary():
    path = Path(__file__).resolve().parents[3] / "docs" / "data-dictionary.md"
    assert path.read_text(encoding="utf-8") == dd.markdown(), "regenerate: flask dictionary -o docs/data-dictionary.md"


def test_template_has_notes_dropdowns_and_an_example_row(db_app, admin):
    import pandas as pd

    from registry.exchange import operations as ops

    data = ops.template(admin, "zh").data
    z = zipfile.ZipFile(io.BytesIO(data))
    comments = [n for n in z.namelist() if n.startswith("xl/comments")]
    assert len(comments) == 4  # one per data sheet
    text = "".join(z.read(n).decode() for n in comments)
    assert "单位：m" in text and "可选值：" in text and "必填" in text
    sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert sheets.count("<dataValidation ") > 40 and "_lists!" in sheets
    frames = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", dtype=object)
    assert list(frames) == ["说明", "企业", "生产线", "设备", "排污许可", "_lists"]
    assert list(frames["企业"].columns) == dd.ENTERPRISES.headers("zh")
    assert frames["企业"].iloc[0]["统一社会信用代码"] == dd.EXAMPLE_USCC
    assert frames["生产线"].iloc[0]["所属行业"] == "钢铁"
    english = pd.read_excel(io.BytesIO(ops.template(admin, "en").data), sheet_name="Production lines", engine="calamine")
    assert list(english.columns) == dd.LINES.headers("en")
