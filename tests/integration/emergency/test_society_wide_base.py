"""Issue 14 point 8 — the society-wide base (全社会, 000:143 核算全社会基础排放量; 000:149 全社会…减排比例).

Officials enter the city's non-industrial sources (mobile, dust, residential burning, other) per pollutant with their
own reduction per level; a list freezes them when compiled; the totals show both bases (industrial lines only and
society-wide) and say which one the pack's target uses (`emergency.target_base`, cited)."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import select

from grading.packs import get_pack
from registry.accounts.models import User
from registry.core.audit import AuditEntry
from registry.core.errors import Forbidden, ValidationFailed
from registry.emergency import operations as ops
from registry.emergency import queries
from registry.emergency.export import to_xlsx
from registry.extensions import db
from registry.policy.emergency import Action, AreaSource, LineBaseline, city_totals, target_base
from tests.builders import login

PACKS = {"langfang-2017-18": "000:149", "jizhou-2018-19": "001:93", "jiyuan-2018-19": "002:582", "jjj-2019-20": "003:50",
         "shijiazhuang-2018-20": "004:381"}


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_pack_says_which_base_its_targets_use_and_cites_it(pack_id):
    base, why = target_base(get_pack(pack_id))
    assert base == "society_wide" and why.source == PACKS[pack_id]


def test_percentages_on_the_society_wide_base_with_both_bases_shown():
    """Langfang yellow (≥10 %, 000:149): the industry cuts 100 of 1,000 kg SO2 (10 % of the industrial base) but the
    city also emits 1,000 kg from vehicles, cut 5 %: 150 of 2,000 = 7.5 % of all emissions — short by 50 kg."""
    pack = get_pack("langfang-2017-18")
    lines = [LineBaseline("e1", "a", {"so2": 1000.0})]
    area = [AreaSource("mobile", "so2", 1000.0, {"yellow": 5.0})]
    t = city_totals(pack, "yellow", lines, {("e1", "a"): Action("curtail", 10)}, area=area)
    so2 = t.by_pollutant()["so2"]
    assert t.base == "society_wide" and t.area_entered and t.base_reason.source == "000:149"
    assert (so2.industrial_baseline, so2.industrial_reduction, so2.area_baseline, so2.area_reduction) == (1000.0, 100.0, 1000.0, 50.0)
    assert so2.industrial_percent == pytest.approx(10.0) and so2.society_percent == pytest.approx(7.5)
    assert so2.percent == pytest.approx(7.5) and so2.shortfall == pytest.approx(50.0) and not so2.met
    # without an inventory the society-wide base is the industrial one, and the totals say so
    bare = city_totals(pack, "yellow", lines, {("e1", "a"): Action("curtail", 10)})
    assert not bare.area_entered and bare.by_pollutant()["so2"].met


def test_jiyuan_counts_mobile_and_dust_365_days_and_residential_coal_120(db_app):
    """R-A-02 (002:582): industry ×330, residential coal ×120, mobile and dust ×365."""
    pack = get_pack("jiyuan-2018-19")
    area = [AreaSource("dust", "pm", 10.0, {}), AreaSource("residential_burning", "pm", 10.0, {})]
    t = city_totals(pack, "orange", [LineBaseline("e1", "a", {"pm": 10.0})], {}, area=area)
    pm = t.by_pollutant()["pm"]
    assert (pm.industrial_baseline, pm.area_baseline) == (3300.0, 3650.0 + 1200.0)


pytestmark = pytest.mark.demo_city(per_city=6)  # the `langfang` fixture's demo (tests/conftest.py demo_city)


@pytest.fixture()
def langfang(db_app, make_user, demo_city):
    from sqlalchemy import delete

    from registry.emergency.models import AreaSource as AreaSourceRow

    db.session.execute(delete(AreaSourceRow))  # these tests enter the inventory themselves (the demo seeds one)
    db.session.commit()
    return db.session.scalar(select(User).where(User.username == "langfang"))


def _put(city, category, pollutant, daily, **reductions):
    row = ops.save_area_source(city, {"region_code": "131000", "category": category, "pollutant": pollutant,
                                      "daily_kg": daily, "note": "2017年源清单", **reductions})
    db.session.commit()
    return row


def test_officials_enter_sources_audited_and_a_list_freezes_them(langfang, make_user):
    city = langfang
    pack = get_pack("langfang-2017-18")
    row = _put(city, "mobile", "nox", 5000, reduction_yellow=10, reduction_orange=20, reduction_red=30)
    _put(city, "dust", "pm", 8000, reduction_blue=5, reduction_yellow=10)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "emergency.area_source.add")) is not None
    with pytest.raises(ValidationFailed):
        ops.save_area_source(city, {"region_code": "131000", "category": "mobile", "pollutant": "nox", "daily_kg": 1,
                                    "reduction_red": 120})
    db.session.rollback()
    with pytest.raises(Forbidden):
        ops.save_area_source(make_user("county", "131002"), {"region_code": "131000", "category": "other", "pollutant": "so2",
                                                             "daily_kg": 1})
    db.session.rollback()

    lst = ops.compile_list(city, {"region_code": "131000", "pack_id": pack.id})
    db.session.commit()
    assert {(a["category"], a["pollutant"]) for a in lst.area_sources} == {("mobile", "nox"), ("dust", "pm")}
    yellow = queries.totals(lst, pack, "yellow").by_pollutant()
    assert yellow["nox"].area_baseline == 5000.0 and yellow["nox"].area_reduction == 500.0
    assert yellow["nox"].baseline == yellow["nox"].industrial_baseline + 5000.0

    # a later correction reaches the next list only; the compiled one keeps its inventory
    ops.save_area_source(city, {"region_code": "131000", "category": "mobile", "pollutant": "nox", "daily_kg": 6000,
                                "version": row.version})
    db.session.commit()
    assert queries.totals(lst, pack, "yellow").by_pollutant()["nox"].area_baseline == 5000.0
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "emergency.area_source.update")) is not None

    sheets = pd.read_excel(io.BytesIO(to_xlsx(lst, pack)), sheet_name=None, engine="calamine")
    summary = sheets["城市汇总"]
    from registry.core import codes

    # a label (全社会口径 once the zh catalog has it), not the code (issue 16)
    assert set(summary["目标基数 (target base)"]) == {codes.label("emergency.target_base", "society_wide")} != {"society_wide"}
    assert "全社会口径减排比例% (society-wide %)" in summary.columns and "工业口径减排比例% (industrial %)" in summary.columns


def test_api_and_pages_show_both_bases(langfang, client):
    from registry.accounts.operations import create_token
    from registry.demo import DEMO_PASSWORD

    city = langfang
    _put(city, "residential_burning", "so2", 2000, reduction_yellow=50)
    _token, secret = create_token(city, {"name": "t"})
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    r = client.get("/api/v1/emergency-area-sources?region=131000", headers=headers)
    assert r.status_code == 200 and r.get_json()["items"][0]["category"] == "residential_burning"
    r = client.put("/api/v1/emergency-area-sources", headers=headers,
                   json={"region_code": "131000", "category": "other", "pollutant": "vocs", "daily_kg": 100, "reduction_red": 20})
    assert r.status_code == 200, r.get_json()
    r = client.post("/api/v1/emergency-lists", headers=headers, json={"region_code": "131000", "pack_id": "langfang-2017-18"})
    assert r.status_code == 201, r.get_json()
    yellow = next(t for t in r.get_json()["totals"] if t["level"] == "yellow")
    assert yellow["base"] == "society_wide" and "000:149" in yellow["base_reason"] and yellow["area_entered"]
    so2 = next(p for p in yellow["pollutants"] if p["pollutant"] == "so2")
    assert so2["area_baseline"] == 2000.0 and so2["area_reduction"] == 1000.0
    assert so2["society_baseline"] == so2["industrial_baseline"] + 2000.0 == so2["baseline"]
    list_id = r.get_json()["id"]

    login(client, city.username, DEMO_PASSWORD)
    page = client.get(f"/emergency/lists/{list_id}").get_data(as_text=True)
    # the clause in words, in the 依据 detail (issue 16: no bare source ids as the main text)
    assert 'data-base="society_wide"' in page and "《廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案》" in page
    page = client.get("/emergency/area-sources?region=131000").get_data(as_text=True)
    assert 'data-category="residential_burning"' in page and "民用散煤燃烧" in page
