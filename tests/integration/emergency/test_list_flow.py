"""The city's emergency list on the demo city: plans, the pack floor, totals, optimizer, versions, orders, export."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from grading.packs import get_pack
from registry.accounts.models import User
from registry.core.errors import Conflict, Forbidden, ValidationFailed
from registry.emergency import operations as ops
from registry.emergency import queries
from registry.emergency.export import to_xlsx
from registry.emergency.orders import alert_orders
from registry.enterprises import approved
from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


pytestmark = pytest.mark.demo_city(per_city=16)


def _approved_lf() -> list[Enterprise]:
    return queries.covered_enterprises("131000")


def _file_floor_plan(ent: Enterprise, pack_id: str = "langfang-2017-18", stop_at: str | None = None):
    owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
    entries = ops.prefill(owner, ent.id, pack_id)
    for e in entries:  # stricter than the pack's floor at one level (a plan may be, 003:50-51)
        if e["level"] == stop_at:
            e["measure"], e["percent"] = "stop", 100
    plan = ops.save_plan(owner, ent.id, {"pack_id": pack_id, "entries": entries})
    return ops.file_plan(owner, plan.id)


def test_demo_lines_have_daily_emissions(demo_city):
    missing = db.session.scalars(select(ProductionLine).where(ProductionLine.daily_emission_nox_kg.is_(None))).all()
    assert missing == []


def test_plan_weaker_than_the_pack_floor_is_refused_citing_the_clause(demo_city):
    """003:51 / the pack's measures: a line the engine stops at an alert may not file 'no measure'."""
    pack = get_pack("langfang-2017-18")
    for ent in _approved_lf():
        owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
        entries = ops.prefill(owner, ent.id, pack.id)
        strict = [e for e in entries if e["measure"] == "stop"]
        if strict:
            break
    else:
        pytest.skip("no demo line with a stop floor")
    strict[0]["measure"] = "none"
    with pytest.raises(ValidationFailed) as err:
        ops.save_plan(owner, ent.id, {"pack_id": pack.id, "entries": entries})
    text = " ".join(m for ms in err.value.errors.values() for m in ms)
    assert "(" in text and ":" in text  # names the rule and its source line, e.g. R-LF-.. (000:...)
    missing = [e for e in entries if e is not strict[0]]
    with pytest.raises(ValidationFailed) as err:
        ops.save_plan(owner, ent.id, {"pack_id": pack.id, "entries": missing})
    assert any("R-A-03" in m for ms in err.value.errors.values() for m in ms)


def test_only_the_enterprise_writes_its_plan_and_a_filed_plan_is_immutable(demo_city):
    ent = _approved_lf()[0]
    with pytest.raises(Forbidden):
        ops.save_plan(_user("langfang"), ent.id, {"pack_id": "langfang-2017-18", "entries": []})
    plan = _file_floor_plan(ent)
    with pytest.raises(Conflict):
        ops.file_plan(db.session.scalar(select(User).where(User.enterprise_id == ent.id)), plan.id)
    plan.entries[0].measure = "stop"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_city_totals_optimizer_accept_and_next_version(demo_city):
    """Langfang: blue..red against 000:149; the optimizer closes every shortfall; accepted → version 2."""
    city = _user("langfang")
    pack = get_pack("langfang-2017-18")
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": pack.id})  # no plan filed yet: all short
    db.session.commit()
    assert lst.number == 1 and lst.status == "draft" and len(lst.pack_sha256) == 64
    assert {e.origin for e in lst.entries} == {"none"}
    blue = queries.totals(lst, pack, "blue")
    assert dict(blue.targets.percent) == {"pm": 5.0, "vocs": 5.0}
    level = next(lvl for lvl in ("red", "orange", "yellow", "blue") if not queries.totals(lst, pack, lvl).met)
    report = ops.propose(city, lst.id, level, time_limit=10)
    assert report.status in ("optimal", "gap") and report.reaches_targets, report
    assert report.gap is not None and report.gap <= 0.01
    proposals = queries.proposals_of(lst.id)
    assert proposals and all(p.explanation for p in proposals)
    assert all(p.grade != "A" or not ops.protects_a(pack) for p in proposals)
    for p in proposals:
        ops.decide_proposal(city, p.id, {"decision": "accept"})
    new = ops.apply_proposals(city, lst.id)
    db.session.commit()
    assert new.number == 2 and new.supersedes_id == lst.id
    assert queries.totals(new, pack, level).met
    assert not queries.totals(lst, pack, level).met  # the old version is untouched
    assert {e.origin for e in new.entries if e.level == level} >= {"optimizer"}
    changes = queries.changes_from_previous(new)
    assert len(changes) == len(proposals) and all(c["level"] == level and c["origin"] == "optimizer" for c in changes)
    ops.file_list(city, new.id)
    db.session.commit()
    with pytest.raises(Conflict):
        ops.propose(city, new.id, level)
    new.note = "changed"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_rejected_proposal_is_not_applied_and_edit_is_marked_official(demo_city):
    city = _user("langfang")
    pack = get_pack("langfang-2017-18")
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": pack.id})
    ops.propose(city, lst.id, "red")
    first, *rest = queries.proposals_of(lst.id)
    ops.decide_proposal(city, first.id, {"decision": "accept", "measure": "stop"})
    for p in rest:
        ops.decide_proposal(city, p.id, {"decision": "reject"})
    new = ops.apply_proposals(city, lst.id)
    changed = [e for e in new.entries if e.origin in ("optimizer", "official")]
    assert [(e.line_id, e.origin, e.measure) for e in changed] == [(first.line_id, "official", "stop")]


def test_only_the_city_manages_its_list(demo_city):
    with pytest.raises(Forbidden):
        ops.compile_list(_user("anci"), {"region_code": "131000", "pack_id": "langfang-2017-18"})
    with pytest.raises(Forbidden):
        ops.compile_list(_user("shijiazhuang"), {"region_code": "131000", "pack_id": "langfang-2017-18"})
    with pytest.raises(ValidationFailed):
        ops.compile_list(_user("langfang"), {"region_code": "131000", "pack_id": "langfang-2017-18",
                                             "resplit": {"yellow": {"so2": 12, "nox": 5}}})
    lst = ops.compile_list(_user("langfang"), {"region_code": "131000", "pack_id": "langfang-2017-18",
                                               "resplit": {"yellow": {"so2": 15, "nox": 5}}})
    assert queries.totals(lst, get_pack("langfang-2017-18"), "yellow").targets.percent["so2"] == 15.0


def test_alert_day_orders_carry_line_measures_and_transport(demo_city):
    """Shijiazhuang: key vehicle users (≥20 heavy diesel, 004:178) get the yellow+ diesel-truck ban (004:394)."""
    city = _user("shijiazhuang")
    ents = queries.covered_enterprises("130100")
    for ent in ents[:4]:
        _file_floor_plan(ent, "shijiazhuang-2018-20")
    lst = ops.compile_list(city, {"region_code": "130100", "pack_id": "shijiazhuang-2018-20"})
    orders = alert_orders(lst, date(2019, 1, 10), "yellow")
    assert len(orders) == len(ents)
    assert any(o["lines"] for o in orders)
    keyed = [o for o in orders if (db.session.get(Enterprise, o["enterprise_id"]).heavy_diesel_vehicles or 0) >= 20]
    for o in keyed:
        assert any(t["rule"] == "R-L-05" for t in o["transport"]), o
    for o in orders:
        if (db.session.get(Enterprise, o["enterprise_id"]).heavy_diesel_vehicles or 0) < 20:
            assert not any(t["rule"] == "R-L-05" for t in o["transport"])


def test_export_round_trips_into_pandas_with_types(demo_city):
    city = _user("langfang")
    pack = get_pack("langfang-2017-18")
    plan = _file_floor_plan(_approved_lf()[0], stop_at="red")  # issue 17: the floor alone may reduce nothing
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": pack.id})
    assert {e.plan_id for e in lst.entries if e.origin == "plan"} == {plan.id}
    sheets = pd.read_excel(io.BytesIO(to_xlsx(lst, pack)), sheet_name=None, engine="calamine")
    assert list(sheets) == ["城市汇总", "蓝色预警", "黄色预警", "橙色预警", "红色预警"]
    summary = sheets["城市汇总"]
    assert len(summary) == 16 and summary["基准排放量kg (baseline, kg)"].dtype == "float64"
    # 是/否 in words (— where the pack sets no target), not TRUE/FALSE (issue 16: Chinese labels in the cells)
    assert set(summary["是否达标 (met)"]) <= {"是", "否", "—"}
    red = sheets["红色预警"]
    assert len(red) == len([e for e in lst.entries if e.level == "red"])
    assert red["NOX减排量kg (reduction nox, kg)"].dtype == "float64"
    assert red["统一社会信用代码 (USCC)"].str.len().eq(18).all()
    assert set(red["减排措施 (measure)"]) <= {"无措施", "限产", "停产"}


def test_alert_day_orders_download_as_one_file(demo_city):
    from registry.emergency.export import orders_xlsx

    lst = ops.compile_list(_user("langfang"), {"region_code": "131000", "pack_id": "langfang-2017-18"})
    orders = alert_orders(lst, date(2018, 1, 10), "red")
    frame = pd.read_excel(io.BytesIO(orders_xlsx(orders, date(2018, 1, 10), "red")), engine="calamine")
    assert set(frame["统一社会信用代码 (USCC)"]) == {o["uscc"] for o in orders}
    assert pd.api.types.is_numeric_dtype(frame["限产比例% (curtail %)"])  # a number cell, not text


def test_proposals_respect_each_lines_allowed_measures_and_render_in_both_languages(demo_city, db_app):
    """Per-line allowed measures from the pack: a line recorded as not interruptible (003:49) and every
    coke oven are never proposed to stop; explanations are data rendered through gettext (zh and en)."""
    from flask_babel import force_locale

    from registry.emergency.explain import load_explanation, render_explanation

    city = _user("langfang")
    pack = get_pack("langfang-2017-18")
    lines = [db.session.get(ProductionLine, ln.id) for e in _approved_lf() for ln in e.lines]
    for ln in lines[::2]:
        ln.interruptible = False
    db.session.flush()
    # the list reads approved facts only (issue 14 point 10): these edits stand as approved by an official
    approved.capture({ln.enterprise_id for ln in lines}, origin="test")
    db.session.commit()
    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": pack.id})
    facts = queries.line_facts(lst)
    assert set(facts) == {ln.id for ln in lines}
    ops.propose(city, lst.id, "red", time_limit=10)
    proposals = queries.proposals_of(lst.id)
    assert proposals
    never_stop = {ln.id for ln in lines if not ln.interruptible or ln.kind == "coke_oven"}
    assert not [p for p in proposals if p.line_id in never_stop and p.measure == "stop"]
    for p in proposals:
        data = load_explanation(p.explanation)
        assert data["code"] == "proposal" and data["params"]["grounds"]
        if p.line_id in never_stop and facts[p.line_id].kind != "coke_oven":
            assert "uninterruptible" in {g["code"] for g in data["params"]["grounds"]}
    with db_app.test_request_context():
        with force_locale("en"):
            en = render_explanation(proposals[0].explanation)
        with force_locale("zh"):
            zh = render_explanation(proposals[0].explanation)
    assert "capacity cost" in en and "{" not in en
    assert render_explanation("plain legacy text") == "plain legacy text"
    assert zh  # Chinese once the integrator merges registry/translations/pending/emergency.tsv


def test_shijiazhuang_totals_show_which_targets_are_in_principle(demo_city):
    """Issue 14 point 2, 004:381: the list's totals mark the SO₂/NOx/PM targets 原则上, the VOC target not."""
    from registry.emergency.presenting import level_totals

    pack = get_pack("shijiazhuang-2018-20")
    lst = ops.compile_list(_user("shijiazhuang"), {"region_code": "130100", "pack_id": pack.id})
    db.session.commit()
    for lv in level_totals(lst, pack):
        marks = {p["pollutant"]: p["target_in_principle"] for p in lv["pollutants"]}
        assert marks == {"so2": True, "nox": True, "pm": True, "vocs": False}, (lv["level"], marks)
    langfang = ops.compile_list(_user("langfang"), {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    assert not any(p["target_in_principle"] for lv in level_totals(langfang, get_pack("langfang-2017-18"))
                   for p in lv["pollutants"])


def test_shijiazhuang_list_page_shows_the_in_principle_badge(demo_city, client):
    """Issue 14 point 2 on the page: the targets 原则上 carry a badge (004:381)."""
    from registry.demo import DEMO_PASSWORD
    from tests.builders import login

    lst = ops.compile_list(_user("shijiazhuang"), {"region_code": "130100", "pack_id": "shijiazhuang-2018-20"})
    db.session.commit()
    login(client, "shijiazhuang", DEMO_PASSWORD)
    page = client.get(f"/emergency/lists/{lst.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    badges = html.count(">in principle</span>") + html.count(">原则上</span>")
    assert badges == 9, badges  # SO₂, NOx, PM at yellow, orange and red; VOCs never
