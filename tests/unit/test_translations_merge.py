"""scripts/i18n.sh merge-pending (scripts/i18n_pending.py): helpers' pending .tsv fill EMPTY zh msgstrs only."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("i18n_pending", ROOT / "scripts" / "i18n_pending.py")
pending = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pending)


def _po(tmp_path: Path) -> Path:
    catalog = Catalog(locale="zh")
    catalog.add("The file is empty.", "")
    catalog.add("Saved.", "已保存。")
    catalog.add("Longer than maximum length %(max)s.", "", flags=("python-format",))
    catalog.add("Name", "", context="person")
    catalog.add("Two\nlines", "")
    catalog.add("Left alone", "")
    path = tmp_path / "messages.po"
    with path.open("wb") as fh:
        write_po(fh, catalog)
    return path


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="zh")


def test_fills_empty_entries_only_and_keeps_existing_translations(tmp_path, capsys):
    po = _po(tmp_path)
    (tmp_path / "a.tsv").write_text(
        "# comment line\n"
        "The file is empty.\t文件为空。\n"
        "Saved.\t保存成功（不得覆盖）\n"
        "Longer than maximum length %(max)s.\t最多 %(min)s 个字符\n"  # wrong placeholder: skipped
        "person\tName\t姓名\n"
        "Two\\nlines\t两\\n行\n"
        "Not in the catalog\t无\n"
        "malformed line without a tab\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("Longer than maximum length %(max)s.\t不能超过 %(max)s 个字符。\n", encoding="utf-8")

    counts = pending.fill(po, [tmp_path / "a.tsv", tmp_path / "b.tsv"])

    catalog = _read(po)
    assert catalog.get("The file is empty.").string == "文件为空。"
    assert catalog.get("Saved.").string == "已保存。"  # never overwritten
    assert catalog.get("Name", context="person").string == "姓名"
    assert catalog.get("Two\nlines").string == "两\n行"
    assert catalog.get("Left alone").string == ""
    # a.tsv's broken msgstr was read first, so b.tsv's conflicting one is reported, and a.tsv's is refused
    assert catalog.get("Longer than maximum length %(max)s.").string == ""
    assert counts["filled"] == 3 and counts["kept"] == 1 and counts["skipped"] == 1 and counts["absent"] == 1
    err = capsys.readouterr().err
    assert "placeholders" in err and "expected msgid<TAB>msgstr" in err and "also translated" in err
    left = pending.untranslated(po)
    assert len(left) == 2 and left[0].startswith("'Longer than maximum length") and left[1].startswith("'Left alone'")


def test_cli_reports_untranslated_with_exit_status(tmp_path, capsys):
    po = _po(tmp_path)
    assert pending.main(["untranslated", str(po)]) == 1
    assert "untranslated or fuzzy zh messages: 5" in capsys.readouterr().out
    (tmp_path / "all.tsv").write_text(
        "The file is empty.\t文件为空。\nLonger than maximum length %(max)s.\t不能超过 %(max)s 个字符。\n"
        "person\tName\t姓名\nTwo\\nlines\t两\\n行\nLeft alone\t不动\n", encoding="utf-8")
    assert pending.main(["fill", str(po), str(tmp_path / "all.tsv")]) == 0
    assert pending.main(["untranslated", str(po)]) == 0
