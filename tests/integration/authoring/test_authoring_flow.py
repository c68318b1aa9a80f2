"""Issue 20: officials' packs — copy a pack for a new season, upload a policy document, change values citing its
lines (or a written reason), the loader's problems, review by a second official (four eyes), activation, and the
activated pack used by schedule generation like a shipped pack. Every edit, review and activation is audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.authoring import operations as ops
from registry.authoring.models import AuthoredPack, PackEdit
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.models import AuditEntry
from registry.extensions import db
from registry.policy import packs as policy_packs

pytestmark = pytest.mark.demo_city(per_city=4)

PLAN = ("廊坊市2026-2027年秋冬季大气污染综合治理攻坚行动方案\n"
        "一、采暖季时间为2026年11月15日至2027年3月15日。\n"
        "二、橙色预警期间，颗粒物减排比例不低于25%。\n").encode()


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _draft(name: str = "langfang") -> AuthoredPack:
    row = ops.copy_pack(_user(name), parent="langfang-2017-18", region_code="131000", season_year=2026)
    db.session.commit()
    return row


def _cited_draft() -> AuthoredPack:
    row = _draft()
    doc = ops.upload_document(_user("langfang"), row.id, "廊坊市2026-2027年方案.txt", PLAN)
    ops.edit_values(_user("langfang"), row.id, {"emergency.ratios.value.orange.pm": 25}, document_id=doc.id, line=3)
    # the heating season, a local setting in the shipped pack, now cited from the plan
    ops.edit_values(_user("langfang"), row.id, {"heating_season.start_month_day": "11-15"}, document_id=doc.id, line=2)
    ops.edit_values(_user("langfang"), row.id, {"heating_season.start_month_day": "11-10",
                                                "heating_season.end_month_day": "03-21"}, document_id=doc.id, line=2)
    db.session.commit()
    return row


def test_copy_gives_a_draft_for_the_new_season_that_passes_the_loader(demo_city):
    """Issue 20: a copy of a shipped pack for a region and season is a draft in the shipped packs' format, its period
    moved to the new season (a local setting until cited), loading through the same loader with no problem."""
    row = _draft()
    assert row.pack_id == "langfang-2026-27" and row.status == "draft" and row.version == 1
    assert row.parent_sha256 == policy_packs.pack_sha256("langfang-2017-18")
    assert "2026-2027" in row.title
    pack = __import__("registry.policy.drafts", fromlist=["load_draft"]).load_draft(row.yaml_text)
    assert (pack.period_start.isoformat(), pack.period_end.isoformat()) == ("2026-10-01", "2027-04-01")
    assert ops.problems(row) == []
    paths = {e.path for e in row.edits}
    assert {"period.start", "period.end", "livelihood.filing_deadline"} <= paths and all(e.reason for e in row.edits)
    assert next(e for e in row.edits if e.path == "livelihood.filing_deadline").new_value == "2026-09-30"


@pytest.mark.parametrize("parent", ["langfang-2017-18", "shijiazhuang-2018-20", "jizhou-2018-19", "jiyuan-2018-19",
                                    "jjj-2019-20"])
def test_every_shipped_pack_copies_for_a_new_season_without_problems(demo_city, parent):
    """A copy moves every date by whole years (windows stay inside the moved period, deadlines before its end), so
    the draft loads with no problem before any edit."""
    row = ops.copy_pack(_user("hebei"), parent=parent, region_code="130000", season_year=2026, pack_id="copy-2026-27")
    assert ops.problems(row) == [], [p.as_dict() for p in ops.problems(row)]
    assert "pack.copy" in set(db.session.scalars(select(AuditEntry.action)))


def test_shipped_pack_ids_stay_read_only(demo_city):
    """The five shipped packs stay read-only: a copy may not take a shipped id."""
    with pytest.raises(ValidationFailed):
        ops.copy_pack(_user("langfang"), parent="langfang-2017-18", region_code="131000", season_year=2026,
                      pack_id="jjj-2019-20")


def test_a_changed_value_needs_a_citation_and_is_audited(demo_city):
    """Every changed value cites a line of the uploaded document or, for a local setting, a written reason; each
    edit is one row and one audit entry, and the YAML node carries the citation D<doc>:<line>."""
    row = _draft()
    me = _user("langfang")
    doc = ops.upload_document(me, row.id, "廊坊市2026-2027年方案.txt", PLAN)
    assert doc.lines[1].startswith("一、采暖季")
    with pytest.raises(ValidationFailed):
        ops.edit_values(me, row.id, {"emergency.ratios.value.orange.pm": 25})
    with pytest.raises(ValidationFailed):  # an empty or missing line is no citation
        ops.edit_values(me, row.id, {"emergency.ratios.value.orange.pm": 25}, document_id=doc.id, line=99)
    made = ops.edit_values(me, row.id, {"emergency.ratios.value.orange.pm": 25}, document_id=doc.id, line=3)
    assert [(e.path, e.old_value, e.new_value, e.citation) for e in made] == [
        ("emergency.ratios.value.orange.pm", 20, 25, f"D{doc.id}:3")]
    made = ops.edit_values(me, row.id, {"heating_season.start_month_day": "11-10"}, reason="本市供暖提前至11月10日")
    assert made[0].reason and made[0].document_id is None
    db.session.commit()
    data = ops.load_data(row.yaml_text)
    assert data["emergency"]["ratios"]["source"] == f"D{doc.id}:3"
    assert data["heating_season"]["local_setting"] is True and data["heating_season"]["why"] == "本市供暖提前至11月10日"
    assert ops.problems(row) == []
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "pack.edit")).all()
    assert len(audits) == 2 and audits[0].after["citation"] == f"D{doc.id}:3"
    # the citation reads as the document and its line
    from registry.core.citations import cite
    assert "廊坊市2026-2027年方案" in cite(f"D{doc.id}:3")


def test_document_type_and_size_checked(demo_city):
    row = _draft()
    with pytest.raises(ValidationFailed):
        ops.upload_document(_user("langfang"), row.id, "plan.exe", b"MZ")
    with pytest.raises(ValidationFailed):
        ops.upload_document(_user("langfang"), row.id, "plan.txt", b"x" * (ops.MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ValidationFailed):
        ops.upload_document(_user("langfang"), row.id, "plan.pdf", b"not a pdf")


def test_problems_block_the_submission(demo_city):
    """The loader's problems are listed by field; a draft with problems cannot be submitted."""
    row = _draft()
    ops.edit_values(_user("langfang"), row.id, {"period.end": "2026-09-01"}, reason="测试：错误的日期")
    db.session.commit()
    found = ops.problems(row)
    assert found and any(p.path.startswith("period") for p in found)
    with pytest.raises(ValidationFailed):
        ops.submit(_user("langfang"), row.id)


def test_review_is_four_eyes_and_by_the_province(demo_city):
    """Review by a second official: the province reviews a city's pack; the city cannot, nor can the author."""
    row = _cited_draft()
    ops.submit(_user("langfang"), row.id)
    db.session.commit()
    with pytest.raises(Conflict):
        ops.edit_values(_user("langfang"), row.id, {"emergency.ratios.value.red.pm": 35}, reason="x")
    with pytest.raises(Forbidden):
        ops.review(_user("langfang"), row.id, "approve")
    with pytest.raises(Forbidden):
        ops.review(_user("langfang2"), row.id, "approve")  # another city official: not the reviewing body
    with pytest.raises(ValidationFailed):
        ops.review(_user("hebei"), row.id, "return")  # returning needs the reasons
    ops.review(_user("hebei"), row.id, "return", "请补充采暖季起止日期的依据")
    db.session.commit()
    assert row.status == "returned" and row.sha256 is None
    ops.submit(_user("langfang"), row.id)
    ops.review(_user("hebei"), row.id, "approve", "")
    db.session.commit()
    assert row.status == "approved" and [r.decision for r in row.reviews] == ["return", "approve"]


def test_province_author_cannot_review_its_own_pack(demo_city):
    """Four eyes: the province official who wrote the province's pack cannot review it."""
    row = ops.copy_pack(_user("hebei"), parent="jjj-2019-20", region_code="130000", season_year=2026)
    ops.submit(_user("hebei"), row.id)
    db.session.commit()
    with pytest.raises(Forbidden):
        ops.review(_user("hebei"), row.id, "approve")


def test_activated_pack_is_known_like_a_shipped_one_and_schedules_generate(demo_city):
    """Activation: get_pack, list_packs, seasons, pack_sha256 and pack_for_region know it; a schedule for the new
    season generates from it and records its hash and the engine version."""
    row = _cited_draft()
    ops.submit(_user("langfang"), row.id)
    ops.review(_user("hebei"), row.id, "approve")
    with pytest.raises(Conflict):
        ops.activate(_user("langfang"), 999999) if False else ops.submit(_user("langfang"), row.id)
    ops.activate(_user("langfang"), row.id)
    db.session.commit()
    pack = policy_packs.get_pack("langfang-2026-27")
    assert pack is not None and pack.data["emergency"]["ratios"]["value"]["orange"]["pm"] == 25
    assert any(p["id"] == "langfang-2026-27" and p.get("authored") for p in policy_packs.list_packs())
    assert policy_packs.seasons("langfang-2026-27") == [2026]
    assert policy_packs.pack_sha256("langfang-2026-27") == row.sha256
    assert policy_packs.pack_for_region("131002") == "langfang-2026-27"
    assert {"pack.submit", "pack.approve", "pack.activate"} <= set(db.session.scalars(select(AuditEntry.action)))

    from registry.schedules import operations as sched

    schedule = sched.create_schedule(_user("langfang"), {"region_code": "131000", "pack_id": "langfang-2026-27",
                                                         "season_year": 2026})
    version = sched.generate(_user("langfang"), schedule.id)
    db.session.commit()
    assert version.pack_sha256 == row.sha256 and version.engine_version == policy_packs.ENGINE_VERSION
    assert version.season_start.isoformat() == "2026-11-10"
    assert version.entries, "the new season's schedule has entries"


def test_an_active_pack_is_never_edited_a_correction_is_a_new_version(demo_city):
    row = _cited_draft()
    ops.submit(_user("langfang"), row.id)
    ops.review(_user("hebei"), row.id, "approve")
    ops.activate(_user("langfang"), row.id)
    db.session.commit()
    with pytest.raises(Conflict):
        ops.edit_values(_user("langfang"), row.id, {"emergency.ratios.value.red.pm": 35}, reason="x")
    v2 = ops.new_version(_user("langfang"), row.id)
    ops.edit_values(_user("langfang"), v2.id, {"emergency.ratios.value.red.pm": 35}, reason="更正：红色预警颗粒物35%")
    ops.submit(_user("langfang"), v2.id)
    ops.review(_user("hebei"), v2.id, "approve")
    ops.activate(_user("langfang"), v2.id)
    db.session.commit()
    assert (row.status, v2.status, v2.version) == ("superseded", "active", 2)
    from registry.policy.drafts import diff

    changes = diff(ops.parent_text(v2), v2.yaml_text)
    assert [c.path for c in changes if c.kind != "citation"] == ["emergency.ratios.value.red.pm"]
    assert policy_packs.get_pack("langfang-2026-27").data["emergency"]["ratios"]["value"]["red"]["pm"] == 35


def test_export_import_round_trip(demo_city):
    """Packs are exported and imported as YAML files; an import is a draft that passed the same loader."""
    row = _cited_draft()
    name, text = ops.export_text(_user("langfang"), row.id)
    assert name == "langfang-2026-27-v1.yaml"
    copy = ops.import_text(_user("langfang"), region_code="131000", season_year=2026, text=text)
    db.session.commit()
    assert (copy.pack_id, copy.version, copy.status) == ("langfang-2026-27", 2, "draft")
    with pytest.raises(ValidationFailed):
        ops.import_text(_user("langfang"), region_code="131000", season_year=2026, text="id: x\nfoo: [")
    with pytest.raises(ValidationFailed):
        ops.import_text(_user("langfang"), region_code="131000", season_year=2026,
                        text=text.replace("heating_season:", "heating_seasons:"))


def test_permissions_by_region(demo_city):
    """City officials author for their city; a county, an enterprise and another city cannot; drafts are invisible
    to enterprises and to other cities (404), an active pack is readable by all."""
    row = _draft()
    for name in ("anci", "qiye"):
        with pytest.raises(Forbidden):
            ops.copy_pack(_user(name), parent="langfang-2017-18", region_code="131000", season_year=2026, pack_id="x-2026-27")
    for name in ("qiye", "shijiazhuang"):
        with pytest.raises(NotFound):
            ops.get_pack(_user(name), row.id)
    assert ops.get_pack(_user("hebei"), row.id) is row
    with pytest.raises((Forbidden, NotFound)):
        ops.edit_values(_user("shijiazhuang"), row.id, {"emergency.ratios.value.red.pm": 35}, reason="x")


def test_demo_builder_adds_one_marked_example(demo_city):
    from registry.authoring.demo import build_pack_demo

    assert build_pack_demo() == {"drafts": 1}
    assert build_pack_demo() == {"drafts": 0}
    rows = db.session.scalars(select(AuthoredPack)).all()
    assert len(rows) == 1 and rows[0].example and rows[0].status == "draft" and "未经审核的示例" in rows[0].title
    assert db.session.scalar(select(PackEdit.id)) is not None


def test_emergency_list_compiles_and_files_with_an_active_pack(demo_city):
    """From activation on, the emergency list works for the new season unchanged: it records the pack's hash and
    the engine version; filed, it makes that version count as used (immutable; a correction is a new version)."""
    row = _cited_draft()
    ops.submit(_user("langfang"), row.id)
    ops.review(_user("hebei"), row.id, "approve")
    ops.activate(_user("langfang"), row.id)
    db.session.commit()
    from registry.emergency import operations as em

    lst = em.compile_list(_user("langfang"), {"region_code": "131000", "pack_id": "langfang-2026-27"})
    db.session.commit()
    assert lst.pack_sha256 == row.sha256 and lst.engine_version == policy_packs.ENGINE_VERSION and lst.entries
    em.file_list(_user("langfang"), lst.id, {})
    db.session.commit()
    assert ops.used_by(row) == {"schedules": 0, "lists": 1}
