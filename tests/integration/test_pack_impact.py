"""Issue 20 item 4: the impact preview of a draft pack — the region's registered enterprises evaluated under the
parent and the draft through the engine's batch path on chosen dates and levels: lines changing decision counted
by sector and county, each listed (a page at a time) with both decisions' reasons, and the emergency list's totals
against the draft's targets. On SQLite and PostgreSQL (the demo registrations, as last approved)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from grading.contract import evaluate
from grading.packs import PACK_DIR
from registry.extensions import db
from registry.policy import drafts
from registry.policy.packs import get_pack

LANGFANG = (PACK_DIR / "langfang-2017-18.yaml").read_text(encoding="utf-8")
DAY, PARENT_DAY = date(2026, 12, 1), date(2017, 12, 1)  # inside the heating season of both


def _new_season(text: str = LANGFANG, **edits) -> str:
    """The Langfang pack copied for 2026-27: period and heating season dates moved, optional value edits."""
    raw = drafts.read_yaml(text)
    raw["id"] = "langfang-2026-27-draft"
    raw["period"].update(start="2026-10-01", end="2027-04-01", source="100:3")
    for measure in raw["sector_measures"]:
        if measure["id"] in edits:
            measure.update(edits[measure["id"]])
    for trigger in raw.get("triggers", []):
        if "effective_from" in trigger:
            trigger["effective_from"] = trigger["effective_from"].replace("2017", "2026").replace("2018", "2027")
    return drafts.dump_yaml(raw)


@pytest.fixture()
def city(demo_city):
    return demo_city


def _steel_measure() -> dict:
    return next(m for m in drafts.read_yaml(LANGFANG)["sector_measures"] if m["id"] == "lf-steel")


def test_an_unchanged_copy_changes_no_decision(city):
    """The parent copied for a new season with no value changed: every line keeps its decision on the same day of
    the season (the parent's day is the draft's day shifted by the years between the periods)."""
    parent, draft = get_pack("langfang-2017-18"), drafts.load_draft(_new_season())
    result = drafts.impact(parent, draft, "131000", [DAY], ["none", "orange"])
    assert result.enterprises > 0 and result.lines > 0
    assert [(c.on, c.parent_on, c.level, c.skipped) for c in result.cuts] == [
        (DAY, PARENT_DAY, "none", ""), (DAY, PARENT_DAY, "orange", "")]
    assert all(c.lines == result.lines for c in result.cuts)
    assert result.changed == 0 and result.changes == [] and result.by_sector == {}


def test_a_changed_ratio_is_counted_by_sector_and_county_and_listed_with_both_reasons(city):
    """Steel curtailment 50 % → 60 % (000:129 re-cited to the uploaded document's line 100:12): every steel blast-furnace
    line changes, counted by sector and county; each change carries the parent's and the draft's decision and
    reasons; the counts equal the per-enterprise evaluation under each pack (contract.evaluate)."""
    parent = get_pack("langfang-2017-18")
    draft = drafts.load_draft(_new_season(**{"lf-steel": {"percentage_min": 60, "percentage_max": 60, "source": "100:12"}}))
    result = drafts.impact(parent, draft, "131000", [DAY], ["none"], limit=3)
    assert result.changed > 0, "the demo city has steel blast-furnace lines"
    assert set(result.by_sector) == {"steel"}
    assert sum(result.by_sector.values()) == sum(result.by_county.values()) == result.changed_lines == result.changed
    assert all(code.startswith("1310") and len(code) == 6 for code in result.by_county)
    assert result.by_measure == {("curtail", "curtail"): result.changed}
    assert len(result.changes) == min(3, result.changed)
    for change in result.changes:
        assert (change.old["percentage_min"], change.new["percentage_min"]) == (50, 60)
        assert {"rule": "R-LF-01", "source": "000:129"}.items() <= change.old["reasons"][0].items()
        assert any(r["source"] == "100:12" for r in change.new["reasons"])
    # counted against the engine's per-enterprise path
    docs = drafts.region_documents("131000", DAY)
    expected = 0
    for doc in docs:
        old = evaluate({"pack": parent.id, "date": PARENT_DAY.isoformat(), "alert_level": "none", "enterprise": doc["enterprise"]})
        new_lines = drafts.impact_of_documents(parent, draft, [doc], [DAY], ["none"]).changed
        expected += sum(1 for line in old["lines"] if line["measure"] == "curtail" and line["percentage_min"] == 50
                        and any(r["rule"] == "R-LF-01" for r in line["reasons"]))
        assert new_lines <= len(old["lines"])
    assert result.changed == expected


def test_the_listing_pages_but_the_counts_cover_everything(city):
    """limit/offset page the per-line listing; the counts are the same on every page."""
    draft = drafts.load_draft(_new_season(**{"lf-steel": {"percentage_min": 70, "percentage_max": 70}}))
    parent = get_pack("langfang-2017-18")
    everything = drafts.impact(parent, draft, "131000", [DAY, date(2026, 12, 2)], ["none"], limit=10_000)
    assert everything.changed == 2 * everything.changed_lines
    pages = [drafts.impact(parent, draft, "131000", [DAY, date(2026, 12, 2)], ["none"], limit=2, offset=o)
             for o in range(0, everything.changed, 2)]
    assert all(p.changed == everything.changed and p.by_sector == everything.by_sector for p in pages)
    listed = [(c.on, c.enterprise_id, c.line_id) for p in pages for c in p.changes]
    assert listed == [(c.on, c.enterprise_id, c.line_id) for c in everything.changes]


def test_days_and_levels_outside_either_pack_are_skipped_with_the_reason(city):
    """A day outside the draft's period, and blue (only in Langfang's parent) against a draft without it."""
    raw = drafts.read_yaml(_new_season())
    raw["alert_levels"]["value"] = ["none", "yellow", "orange", "red"]
    for m in raw.get("alert_measures", []):
        if "levels" in m:
            m["levels"] = [lv for lv in m["levels"] if lv != "blue"]
    raw["emergency"]["ratios"]["value"].pop("blue", None)
    draft = drafts.load_draft(drafts.dump_yaml(raw))
    result = drafts.impact(get_pack("langfang-2017-18"), draft, "131000", [date(2027, 5, 1), DAY], ["blue", "none"])
    skipped = {(c.on, c.level): c.skipped for c in result.cuts}
    assert skipped[(date(2027, 5, 1), "none")] == "date_outside_draft"
    assert skipped[(DAY, "blue")] == "level_not_in_draft"
    assert skipped[(DAY, "none")] == ""


def test_the_emergency_list_is_checked_against_the_drafts_targets(city):
    """The region's emergency list totals (city_totals, the emergency page's own function) at each level against
    the parent's and the draft's targets: a draft raising red SO₂ to 90 % is not met where the parent's 30 % was."""
    from registry.accounts.models import User
    from registry.emergency import operations as ops

    official = db.session.scalar(select(User).where(User.username == "langfang"))
    lst = ops.compile_list(official, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    raw = drafts.read_yaml(_new_season())
    raw["emergency"]["ratios"]["value"]["red"]["so2"] = 90
    draft = drafts.load_draft(drafts.dump_yaml(raw))
    parent = get_pack("langfang-2017-18")
    list_id, checks = drafts.emergency_targets(parent, draft, "131000")
    assert list_id == lst.id
    red = {c.pollutant: c for c in checks if c.level == "red"}
    assert (red["so2"].parent_target, red["so2"].draft_target) == (30, 90)
    assert not red["so2"].met_draft
    assert red["so2"].percent < 90
    assert {c.level for c in checks} == {"blue", "yellow", "orange", "red"}
    # without a list, no check (the page says the region has none)
    assert drafts.emergency_targets(parent, draft, "130100") == (None, [])


def test_the_packs_own_decisions_are_totalled_against_their_targets(city):
    """Without an emergency list (the demo has none), the preview still says whether the packs' own decisions at a
    level — every registered line doing just what the pack requires — reach each pack's target (city_totals on the
    lines' daily emissions, the list's base): an unchanged copy reduces exactly what the parent does; a draft that
    stops steel at orange reduces more, and a draft raising the orange SO₂ target to 95 % does not meet it."""
    parent = get_pack("langfang-2017-18")
    same = drafts.impact(parent, drafts.load_draft(_new_season()), "131000", [DAY], ["none", "orange"])
    assert {c.level for c in same.floor_targets} == {"orange"}  # no target at level none
    assert {c.pollutant for c in same.floor_targets} == {"so2", "nox", "pm", "vocs"}
    assert all(c.parent_percent == c.draft_percent for c in same.floor_targets)
    assert any(c.parent_percent > 0 for c in same.floor_targets)

    raw = drafts.read_yaml(_new_season())
    raw["emergency"]["ratios"]["value"]["orange"]["so2"] = 95
    raw["sector_measures"] = [dict(m, measure="stop", percentage_min=None, percentage_max=None) if m["id"] == "lf-steel"
                              else m for m in raw["sector_measures"]]
    for m in raw["sector_measures"]:
        if m["id"] == "lf-steel":
            for k in ("percentage_min", "percentage_max", "basis", "verification", "setting"):
                m.pop(k, None)
    draft = drafts.load_draft(drafts.dump_yaml(raw))
    result = drafts.impact(parent, draft, "131000", [DAY], ["orange"])
    so2 = next(c for c in result.floor_targets if c.pollutant == "so2")
    assert (so2.parent_target, so2.draft_target) == (20, 95) and not so2.met_draft
    assert so2.draft_percent > so2.parent_percent  # the steel lines now stop
