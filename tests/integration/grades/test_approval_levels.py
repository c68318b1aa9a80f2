"""Who reviews, approves, publishes and re-grades is pack data (`grade_workflow`), read per region.

The sources do not say who approves a grade (DOMAIN.md §4.1, [AMBIGUOUS] #14). Each pack cites the nearest
clause or a local setting: Langfang's city classifies by emission performance (000:143), Shijiazhuang's city
生态环境局 leads the classification (004:382), Jizhou's district fixes its list and only files it with the city
(001:101), Jiyuan's EPB classifies (002:575) and holds the county-level role (419001), the 2+26 plan names no
level (003:51, local setting). Table-driven: one row per pack, every official level tried.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import ANCI, JIYUAN, JIZHOU, ZHENGDING
from tests.builders.grades import build_application

TANGSHAN_LUBEI = "130203"  # no pack of its own: the 2+26 default (jjj-2019-20)

# region of the enterprise, its city and province codes, pack, levels that approve, review, publish, re-grade
CASES = [
    pytest.param(ANCI, "131000", "130000", "langfang-2017-18", {"city"}, {"county"}, {"city"}, {"city", "province"},
                 id="langfang-000:143-city"),
    pytest.param(ZHENGDING, "130100", "130000", "shijiazhuang-2018-20", {"city"}, {"county"}, {"city"}, {"city", "province"},
                 id="shijiazhuang-004:382-city"),
    pytest.param(JIZHOU, "120100", "120000", "jizhou-2018-19", {"county"}, {"county"}, {"county"},
                 {"county", "city", "province"}, id="jizhou-001:101-district"),
    pytest.param(JIYUAN, "419000", "410000", "jiyuan-2018-19", {"county"}, {"county"}, {"county"}, {"county", "province"},
                 id="jiyuan-002:575-county-level-city"),
    pytest.param(TANGSHAN_LUBEI, "130200", "130000", "jjj-2019-20", {"city"}, {"county"}, {"city"}, {"city", "province"},
                 id="default-jjj-local-setting"),
]
LEVELS = ("county", "city", "province")


def _officials(make_user, county: str, city: str, province: str) -> dict:
    return {"county": make_user("county", county), "city": make_user("city", city), "province": make_user("province", province)}


@pytest.mark.parametrize("region,city,province,pack_id,approvers,reviewers,publishers,regraders", CASES)
def test_each_pack_decides_who_reviews_approves_publishes_and_regrades(
        db_app, make_user, make_enterprise, later, region, city, province, pack_id, approvers, reviewers, publishers, regraders):
    from registry.core.errors import Forbidden
    from registry.extensions import db
    from registry.grades import auth
    from registry.grades import operations as ops
    from registry.grades.settings import workflow_pack_id

    assert workflow_pack_id(region) == pack_id
    who = _officials(make_user, region, city, province)
    ent, owner = make_enterprise(region, approved_by=who["county"])
    app = build_application(owner, ent, "submitted")
    db.session.commit()
    assert {lv for lv in LEVELS if auth.can_review_documents(who[lv], app)} == reviewers
    reviewer = who[sorted(reviewers)[0]]
    ops.review_documents(reviewer, app.id, {"version": app.version})
    db.session.commit()
    assert app.status == "county_accepted" and app.proposed_grade == "B"

    assert {lv for lv in LEVELS if auth.can_approve(who[lv], app)} == approvers
    for lv in sorted(set(LEVELS) - approvers):  # the operation refuses them too, whatever door they use
        with pytest.raises(Forbidden):
            ops.approve(who[lv], app.id, {"version": app.version})
        db.session.rollback()
    # four eyes (issue 13 L11): where one level does every step (Jiyuan, Jizhou), three different people do them
    approver = _officials(make_user, region, city, province)[sorted(approvers)[0]]
    ops.approve(approver, app.id, {"version": app.version})
    db.session.commit()
    assert app.status == "publicity"

    later(30)
    assert {lv for lv in LEVELS if auth.can_make_effective(who[lv], app)} == publishers
    publisher = _officials(make_user, region, city, province)[sorted(publishers)[0]]
    ops.make_effective(publisher, app.id, {"version": app.version})
    db.session.commit()
    assert app.status == "effective"
    assert {lv for lv in LEVELS if auth.can_regrade(who[lv], ent.region_code)} == regraders


def test_an_official_of_another_city_never_approves_even_at_the_right_level(db_app, make_user, make_enterprise):
    """Scope still applies: a Shijiazhuang city official cannot approve in Langfang (404 before any level check)."""
    from registry.core.errors import NotFound
    from registry.extensions import db
    from registry.grades import operations as ops

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "county_accepted", county=county)
    db.session.commit()
    with pytest.raises(NotFound):
        ops.approve(make_user("city", "130100"), app.id, {"version": app.version})


# ---- a province that reserves A to itself: set in the pack, never in code ----

def _pack_with(approve: str, pack_id: str = "province-a-test"):
    from grading.packs import PACK_DIR, parse_pack

    text = (Path(PACK_DIR) / "jjj-2019-20.yaml").read_text(encoding="utf-8")
    old = "value: {A: [city], B: [city], C: [city]}"
    assert old in text
    return parse_pack(text.replace(old, f"value: {approve}").replace("id: jjj-2019-20", f"id: {pack_id}"), f"{pack_id}.yaml")


@pytest.fixture()
def province_reserves_a(db_app, monkeypatch):
    """Region 1302 (Tangshan) governed by a pack where A is approved by the province, B by city or province."""
    from grading import packs as packs_mod
    from registry.grades import settings

    custom = _pack_with("{A: [province], B: [city, province], C: [city]}")
    real = packs_mod.get_pack
    monkeypatch.setattr(settings, "get_pack", lambda pid: custom if pid == custom.id else real(pid))
    db_app.config["GRADE_WORKFLOW_PACKS"] = {**settings.DEFAULTS["GRADE_WORKFLOW_PACKS"], "1302": custom.id}
    yield custom
    db_app.config.pop("GRADE_WORKFLOW_PACKS", None)


@pytest.mark.parametrize("grade,override,allowed", [
    pytest.param(None, False, {"city", "province"}, id="B-as-proposed:city-or-province"),
    pytest.param("A", True, {"province"}, id="override-to-A:province-only"),
    pytest.param("C", True, {"city"}, id="override-to-C:city-only"),
])
def test_a_pack_can_reserve_a_grade_to_a_higher_level(db_app, make_user, make_enterprise, province_reserves_a,
                                                      grade, override, allowed):
    from registry.core.errors import Forbidden
    from registry.extensions import db
    from registry.grades import auth
    from registry.grades import operations as ops

    who = _officials(make_user, TANGSHAN_LUBEI, "130200", "130000")
    ent, owner = make_enterprise(TANGSHAN_LUBEI, approved_by=who["county"])
    app = build_application(owner, ent, "county_accepted", county=who["county"])
    db.session.commit()
    data = {"version": app.version, **({"grade": grade, "reason": "复核意见"} if override else {})}
    for lv in sorted({"city", "province"} - allowed):
        with pytest.raises(Forbidden) as exc:
            ops.approve(who[lv], app.id, dict(data))
        db.session.rollback()
        assert (grade or "B") in exc.value.message
    assert {lv for lv in LEVELS if auth.is_approver_level(who[lv], app, [grade or "B"])} == allowed
    out = ops.approve(who[sorted(allowed)[0]], app.id, dict(data))
    db.session.commit()
    assert [d.grade for d in out] == [grade or "B"] and app.status == "publicity"


def test_the_refusal_names_the_level_in_the_users_language(db_app, make_user, make_enterprise, province_reserves_a):
    """A city official overriding to A in a province-A pack reads who approves A (the role label in the user's language, Chinese by default)."""
    from registry.core.errors import Forbidden
    from registry.extensions import db
    from registry.grades import operations as ops

    who = _officials(make_user, TANGSHAN_LUBEI, "130200", "130000")
    ent, owner = make_enterprise(TANGSHAN_LUBEI, approved_by=who["county"])
    app = build_application(owner, ent, "county_accepted", county=who["county"])
    db.session.commit()
    with pytest.raises(Forbidden) as exc:
        ops.approve(who["city"], app.id, {"version": app.version, "grade": "A", "reason": "先进"})
    assert " A " in exc.value.message and "省级管理员" in exc.value.message


# ---- the packs and the settings are validated at load ----

def test_every_shipped_pack_sets_the_workflow_with_a_citation_per_step():
    from grading.packs import WORKFLOW_STEPS, load_packs

    for pack in load_packs().values():
        wf = pack.grade_workflow
        assert wf is not None, pack.id
        for step in WORKFLOW_STEPS:
            rule, source, why = wf.citations[step]
            assert rule and why, (pack.id, step)
            assert source == "local setting" or source.split(":")[0] == pack.source_file[:3], (pack.id, step, source)


@pytest.mark.parametrize("approve,problem", [
    ("{A: [mayor], B: [city], C: [city]}", "unknown official level 'mayor'"),
    ("{A: [city], B: [city]}", "one entry per grade"),
    ("{A: [], B: [city], C: [city]}", "non-empty list"),
    ("{A: [city, city], B: [city], C: [city]}", "listed twice"),
])
def test_a_bad_workflow_is_a_load_error_naming_the_key(approve, problem):
    from grading.errors import PackError

    with pytest.raises(PackError) as exc:
        _pack_with(approve)
    assert "grade_workflow.approve" in exc.value.key and problem in exc.value.problem


def test_a_workflow_step_without_citation_or_missing_is_a_load_error():
    from grading.errors import PackError
    from grading.packs import PACK_DIR, parse_pack

    text = (Path(PACK_DIR) / "jjj-2019-20.yaml").read_text(encoding="utf-8")
    start = text.index("  publish:\n")
    end = text.index("  objections:\n")
    with pytest.raises(PackError) as exc:
        parse_pack(text[:start] + text[end:], "x.yaml")
    assert exc.value.key == "grade_workflow.publish"
    uncited = text[:start] + "  publish:\n    value: [city]\n" + text[end:]
    with pytest.raises(PackError) as exc:
        parse_pack(uncited, "x.yaml")
    assert "citation" in exc.value.problem


def test_the_workflow_settings_name_existing_packs(db_app):
    from registry.grades.settings import check_workflow_settings

    check_workflow_settings(db_app.config)
    with pytest.raises(RuntimeError):
        check_workflow_settings({"GRADE_WORKFLOW_PACKS": {"1302": "no-such-pack"}})
