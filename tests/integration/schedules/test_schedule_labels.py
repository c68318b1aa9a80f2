"""Issue 16 item 1 on the schedule page: the 待决定事项 — the one place where an official makes a judgement call —
showed flag codes (`in_principle_stop`) and English sentences; the entries' 依据 showed rule ids and file:line.

For the demo cities (Langfang, Jiyuan, via `flask seed`'s schedule demo), in zh: each flag shows a short title, a
one-line explanation and what each choice will do, with no code and no English in the visible text; rule ids are on
hover only (title=), the 依据 names the document and its clause in words.
(New msgids wait in registry/translations/pending/labels.tsv until the integrator merges them.)
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from registry.schedules.demo import build_schedule_demo
from registry.schedules.models import Schedule
from tests.builders import login

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
RULE_ID = re.compile(r"\b(R-[A-Z]+-\d+|X-\d{2}|F-\d{2}b?|D-\d{2})\b")
# Latin words a zh page may show: pollutant names and units, the Roman response levels, grades.
ALLOWED = {"PM", "SO₂", "NOx", "VOCs", "mg/m³", "A", "B", "C", "h"}


class _Text(HTMLParser):
    """The visible text of one element (by id), attributes and <option> values left out."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id, self.depth, self.parts = element_id, 0, []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in {"br", "input", "img", "hr", "meta"}
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1
        if self.depth and tag in {"script", "style"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if self.depth:
            if tag in {"script", "style"}:
                self.skip -= 1
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def visible_text(html: str, element_id: str) -> str:
    parser = _Text(element_id)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z₂³/]+(?![0-9])", text) if w not in ALLOWED]


@pytest.fixture()
def seeded(demo_city):
    build_schedule_demo()
    db.session.commit()
    return {s.region_code: s for s in db.session.scalars(select(Schedule))}


@pytest.mark.demo_city(per_city=12)
@pytest.mark.parametrize(("region", "official", "flags"), [
    ("131000", "langfang", True), ("130100", "shijiazhuang", True), ("120119", "jizhou", True),
    ("419001", "jiyuan", False)])
def test_pending_decisions_read_as_words_without_codes_or_english(client, seeded, region, official, flags):
    schedule = seeded[region]
    login(client, official, DEMO_PASSWORD)
    html = client.get(f"/schedules/{schedule.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert ('id="flagged"' in html) is flags, "the demo draft's points to decide"
    if flags:
        text = visible_text(html, "flagged")
        assert text
        assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
        assert not RULE_ID.findall(text), RULE_ID.findall(text)[:5]
        assert not english_words(text), english_words(text)[:10]
        # a title, an explanation and the consequence of each choice per flag
        assert html.count('class="flag-title"') == html.count('class="flag"') > 0
        assert 'class="choice-effects' in html
    # the whole page: no snake_case code, the pack by its title (its id on hover)
    main = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html[html.index("<main"):], flags=re.S))
    assert not SNAKE.findall(main), SNAKE.findall(main)[:5]
    assert f'title="{schedule.pack_id}"' in html
    # the entries' 依据: document and clause in words, rule ids only on hover
    entries = visible_text(html, "entries")
    assert "《" in entries and ("条" in entries or "项" in entries)
    assert not RULE_ID.findall(entries), RULE_ID.findall(entries)[:5]
    assert re.search(r'<li title="[^"]*(R-[A-Z]+-\d+|X-\d{2})', html)


@pytest.mark.demo_city(per_city=12)
def test_pending_decisions_in_english_mode_are_english(client, seeded):
    login(client, "langfang", DEMO_PASSWORD)
    html = client.get(f"/schedules/{seeded['131000'].id}?lang=en", headers={"Accept-Language": "en"}).get_data(as_text=True)
    text = visible_text(html, "flagged")
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]


@pytest.mark.demo_city(per_city=12)
def test_the_excel_export_names_clauses_and_bases_in_words(client, seeded):
    """The schedule's Excel: 依据 as document + clause (rule ids in their own column), the basis as its label."""
    import io

    from python_calamine import CalamineWorkbook

    login(client, "langfang", DEMO_PASSWORD)
    version = seeded["131000"].versions[-1]
    data = client.get(f"/schedules/versions/{version.id}/export.xlsx", headers={"Accept-Language": "zh-CN"}).data
    table = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    rows = table[2:]
    basis, clauses, rule_ids = 8, 11, 12  # registry/schedules/export.py headers()
    cited = [r for r in rows if r[clauses]]  # a line without any measure cites nothing
    bad = [r[clauses] for r in cited if "《" not in r[clauses] or RULE_ID.search(r[clauses])]
    assert cited and not bad, bad[:3]
    assert all(RULE_ID.search(r[rule_ids]) for r in cited)
    assert not any(SNAKE.search(str(r[basis])) for r in rows)
