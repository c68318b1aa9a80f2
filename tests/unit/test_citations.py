"""Issue 16 item 1: the 依据 names the source document and clause in words (《廊坊市…方案》（十二）第32条), the rule id
only on hover; core.citations reads the clause starts that scripts/source_clauses.py builds from the sources.
(zh strings wait in registry/translations/pending/labels.tsv until the integrator merges them.)"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from flask_babel import force_locale

from registry.core import citations
from registry.core.citations import basis_items, chinese_number, cite

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path("/work/shared/sources")


def test_a_source_line_reads_as_document_and_clause(app):
    with app.test_request_context("/"), force_locale("zh"):
        assert cite("000:129") == "《廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案》（十二）第32条"
        assert cite("002:595-609").endswith("第83项")  # the Jiyuan ledger: task numbers; a range cites its start
        assert cite("000:129 / annex 2") == cite("000:129")
        assert cite("local setting") == "地方设定（非来源文件规定）"
        assert cite("999:1") == "999:1" and cite("") == "" and cite(None) == ""
    with app.test_request_context("/"), force_locale("en"):
        assert cite("000:129") == "Langfang 2017-18 autumn-winter air pollution action plan, section (12) item 32"


def test_chinese_numbers():
    assert [chinese_number(x) for x in ("七", "十", "十二", "二十", "三十五")] == [7, 10, 12, 20, 35]
    assert chinese_number("x") is None


def test_basis_items_remove_duplicates_and_keep_rule_ids_for_hover(app):
    reasons = [{"rule": "R-LF-01", "source": "000:129", "note": "steel"},
               {"rule": "R-LF-01", "source": "000:129", "note": "steel again"},
               {"rule": "R-T-05", "source": "local setting", "note": "local reading (pack setting …)"},
               {"rule": "R-T-05", "source": "local setting", "note": "local reading (pack setting …)"}]
    with app.test_request_context("/"), force_locale("zh"):
        items = basis_items(reasons)
    assert len(items) == 2, items  # English notes are not shown to a zh reader, so the two 000:129 reasons are one
    assert items[0]["rules"] == ["R-LF-01"] and "R-LF-01" not in items[0]["cite"]
    assert items[1]["cite"] == "地方设定（非来源文件规定）" and items[1]["note"] == ""


def test_bilingual_pack_notes_show_the_readers_half(app):
    r = [{"rule": "R-JY-04", "source": "002:595", "note": "按重污染天气应急预案要求参加污染管控 — still follows the emergency plan"}]
    with app.test_request_context("/"), force_locale("zh"):
        assert basis_items(r)[0]["note"] == "按重污染天气应急预案要求参加污染管控"
    with app.test_request_context("/"), force_locale("en"):
        assert basis_items(r)[0]["note"] == "still follows the emergency plan"


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source documents are not on this machine")
def test_committed_clauses_match_the_sources():
    """registry/core/data/source_clauses.json is what scripts/source_clauses.py builds from the sources."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import source_clauses
    finally:
        sys.path.pop(0)
    assert json.loads(citations.CLAUSES_FILE.read_text(encoding="utf-8")) == source_clauses.build(SOURCES)


def test_a_pack_note_opening_in_chinese_shows_its_chinese_to_a_zh_reader(app):
    r = [{"rule": "R-JY-05", "source": "002:595", "note": "在确保安全的前提下 provided safety is ensured"},
         {"rule": "R-X", "source": "004:381", "note": "减排比例…原则上分别不低于全社会的10%、20%和30% (004:381)"},
         {"rule": "R-Y", "source": "003:51", "note": "clause 22 差异化应急管理: measures of the emergency reduction list"}]
    with app.test_request_context("/"), force_locale("zh"):
        notes = [i["note"] for i in basis_items(r)]
    assert notes == ["在确保安全的前提下", "减排比例…原则上分别不低于全社会的10%、20%和30%", ""]
