"""A downgrade reaches every industry grade; each line takes its own industry's grade (issue 14 point 4).

A steel + coking works graded steel A and coking C: its emergency-list lines carry A and C (003:51 grades per
industry), the engine gets both; fraud in the ultra-low evaluation (R-G-09, 003:17) lowers both industries to C
and withdraws R-G-10; a violation lowers each industry one step; the history page shows the old grades and why.
"""
from __future__ import annotations

import pytest

from registry.core import timeutil
from registry.emergency import operations as eops
from registry.enterprises import operations as ops
from registry.extensions import db
from registry.grades import operations as gops
from registry.grades.current import effective_grades, grade_facts
from tests.builders import ANCI, enterprise_payload, line_payload, login, permit_payload

PACK = "langfang-2017-18"


@pytest.fixture()
def works(make_user):
    county, city = make_user("county", ANCI), make_user("city", "131000")
    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(61, ANCI, name="廊坊测试钢焦联合有限公司"))
    steel = ops.add_line(owner, ent.id, line_payload("BF1", daily_emission_so2_kg="100", daily_emission_nox_kg="200"))
    coke = ops.add_line(owner, ent.id, line_payload("CO1", name="1号焦炉", sector="coking", sub_type="none", kind="coke_oven",
                                                    fuel="coke_oven_gas", equipment=[], daily_emission_so2_kg="50",
                                                    daily_emission_nox_kg="90"))
    ops.add_permit(owner, ent.id, permit_payload("P-LF-61"))
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    ops.approve_registration(county, ent.id, {"version": ent.version})
    gops.record_grade(city, ent.id, {"system": "emergency", "industry": "steel", "grade": "A", "reason": "钢铁A级"})
    gops.record_grade(city, ent.id, {"system": "emergency", "industry": "coking", "grade": "C", "reason": "焦化C级"})
    db.session.commit()
    return ent, steel, coke, county, city


def _list_grades(city, ent_id) -> dict[int, set[str]]:
    lst = eops.compile_list(city, {"region_code": "131000", "pack_id": PACK})
    db.session.commit()
    out: dict[int, set[str]] = {}
    for e in lst.entries:
        if e.enterprise_id == ent_id:
            out.setdefault(e.line_id, set()).add(e.grade)
    return out


def test_each_line_takes_its_own_industrys_grade(works):
    """003:51: grades per industry — the steel line keeps A, the coke oven C (not C on both)."""
    ent, steel, coke, _county, city = works
    assert _list_grades(city, ent.id) == {steel.id: {"A"}, coke.id: {"C"}}
    facts = grade_facts([ent.id], timeutil.beijing_today())[ent.id]
    assert facts["emergency_grades"] == [{"industry": "coking", "grade": "C"}, {"industry": "steel", "grade": "A"}]
    assert "ultra_low_evaluation_fraud" not in facts
    assert effective_grades([ent.id]) == {ent.id: "C"}  # the enterprise's own grade: its worst (short-board)


def test_fraud_lowers_every_industry_to_c_and_withdraws_differentiated_treatment(works, client):
    """003:17 R-G-09 (降为C级) and R-G-10 (取消优惠政策): every industry C, every line C, the engine told of the
    finding; the history keeps A and C with why they changed."""
    ent, steel, coke, county, city = works
    out = gops.record_finding(county, ent.id, {"kind": "fraud", "reason": "超低排放评估数据造假"})
    db.session.commit()
    assert sorted((d.industry, d.proposed_grade, d.grade) for d in out) == [("coking", "C", "C"), ("steel", "A", "C")]
    assert all([r["rule"] for r in d.reasons] == ["R-G-09", "R-G-10"] for d in out)
    assert all(d.supersedes_id is not None for d in out)
    facts = grade_facts([ent.id], timeutil.beijing_today())[ent.id]
    assert facts["ultra_low_evaluation_fraud"] is True
    assert {g["grade"] for g in facts["emergency_grades"]} == {"C"}
    assert _list_grades(city, ent.id) == {steel.id: {"C"}, coke.id: {"C"}}

    login(client, county.username)
    page = client.get(f"/grades/enterprise/{ent.id}").get_data(as_text=True)
    assert 'data-kind="fraud"' in page and 'data-was="A"' in page and 'data-was="C"' in page
    assert "R-G-10" in page and "超低排放评估数据造假" in page
    assert page.count('data-kind="regrade"') == 2  # the old grades stay, superseded


def test_violation_lowers_each_industry_one_step(works, client):
    """003:51 动态管理 (R-G-02), GRADE_VIOLATION_DOWNGRADE one_step: steel A → B, coking C stays C — per industry."""
    ent, steel, coke, county, city = works
    out = gops.record_finding(county, ent.id, {"kind": "violation", "reason": "超标排放"})
    db.session.commit()
    assert sorted((d.industry, d.proposed_grade, d.grade) for d in out) == [("coking", "C", "C"), ("steel", "A", "B")]
    assert "ultra_low_evaluation_fraud" not in grade_facts([ent.id], timeutil.beijing_today())[ent.id]
    assert _list_grades(city, ent.id) == {steel.id: {"B"}, coke.id: {"C"}}
    login(client, county.username)
    page = client.get(f"/grades/enterprise/{ent.id}").get_data(as_text=True)
    assert page.count('data-kind="violation"') == 2 and 'data-was="A"' in page
