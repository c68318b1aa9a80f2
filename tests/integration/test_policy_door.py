"""registry/policy is the only door between the registry and the engine (issue 15 item 1).

The typed in-process calls (registry/policy/engine.py) answer exactly what the public, schema-validated contract
answers for the same facts; the region → pack table, pack hash, engine version and season bounds have one owner
(registry/policy/packs.py) that grades, schedules and emergency share; emergency measure facts come from the one
mapper (registry/policy/facts.py)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from grading.contract import evaluate
from grading.errors import ContractError
from registry.demo import build_demo
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy import packs
from registry.policy.engine import evaluate_enterprise, evaluate_many
from registry.policy.facts import enterprise_facts, evaluate_document, measure_line_facts

PACK_BY_PREFIX = {"1310": "langfang-2017-18", "1201": "jizhou-2018-19", "4190": "jiyuan-2018-19", "1301": "shijiazhuang-2018-20"}
DATE_BY_PACK = {"langfang-2017-18": date(2017, 12, 10), "jizhou-2018-19": date(2018, 12, 10),
                "jiyuan-2018-19": date(2019, 2, 1), "shijiazhuang-2018-20": date(2018, 12, 10)}


def test_typed_calls_answer_what_the_public_contract_answers(db_app):
    """Issue 15 item 1: internal callers skip the JSON-schema round trip, never the decision — for every demo
    enterprise and every alert level of its pack, one by one and many at once."""
    build_demo(per_city=6)
    db.session.commit()
    by_pack: dict[str, list[dict]] = {}
    for enterprise in db.session.scalars(select(Enterprise)):
        pack = PACK_BY_PREFIX[enterprise.region_code[:4]]
        on = DATE_BY_PACK[pack]
        facts = enterprise_facts(enterprise, on=on)
        by_pack.setdefault(pack, []).append(facts)
        for level in (lv.value for lv in packs.get_pack(pack).alert_levels):
            doc = evaluate_document(enterprise, pack=pack, on=on, alert_level=level)
            assert evaluate_enterprise(facts, pack, on, level) == evaluate(doc)
    for pack, many in by_pack.items():
        on = DATE_BY_PACK[pack]
        for level in (lv.value for lv in packs.get_pack(pack).alert_levels):  # the batch path (decide_many)
            assert evaluate_many(many, pack, on, level) == [evaluate_enterprise(f, pack, on, level) for f in many]


def test_typed_calls_keep_the_contracts_pack_date_and_level_checks():
    """The checks the engine relies on stay: an unknown pack, a date outside the period or a level the pack does
    not define is the contract's ContractError, with the contract's codes."""
    facts = {"enterprise_id": "1", "sector": "coking", "lines": []}
    with pytest.raises(ContractError) as err:
        evaluate_enterprise(facts, "no-such-pack", date(2019, 2, 1))
    assert err.value.errors[0].code == "unknown_pack"
    with pytest.raises(ContractError) as err:
        evaluate_enterprise(facts, "jiyuan-2018-19", date(2030, 2, 1))
    assert err.value.errors[0].code == "date_outside_period"
    with pytest.raises(ContractError) as err:
        evaluate_enterprise(facts, "jiyuan-2018-19", date(2019, 2, 1), "purple")
    assert err.value.errors[0].code == "not_allowed"


def test_one_owner_for_region_pack_hash_version_and_season(db_app):
    """Grades, schedules and emergency read the same region → pack table, pack hash, engine version and season
    bounds (issue 15 item 1: 'computed in two places' before)."""
    from registry.emergency import operations as emergency_ops
    from registry.grades import settings
    from registry.schedules import provenance

    for region in ("131002", "130102", "120119", "419001", "110101"):
        assert settings.workflow_pack_id(region) == packs.pack_for_region(region)
    assert packs.pack_for_region("110101") == "jjj-2019-20"
    assert emergency_ops.pack_sha256 is packs.pack_sha256 is provenance.pack_sha256
    assert emergency_ops.ENGINE_VERSION == provenance.ENGINE_VERSION == packs.ENGINE_VERSION
    assert provenance.season_bounds is packs.season_bounds
    start, end = packs.season_bounds("jiyuan-2018-19", 2018)
    assert start < end and start.year == 2018


def test_emergency_measure_facts_come_from_the_one_mapper(make_enterprise):
    """The optimizer's and the plan form's line facts are policy/facts.measure_line_facts (issue 15 item 1:
    emergency built its own facts twice)."""
    from registry.enterprises import operations as ops
    from registry.policy.emergency import LineFacts
    from tests.support import line_payload

    ent, owner = make_enterprise("419001", sector="coking")
    ops.add_line(owner, ent.id, line_payload("CO1", sector="coking", sub_type="none", kind="coke_oven", fuel="coke_oven_gas"))
    db.session.flush()
    db.session.refresh(ent)
    line = next(li for li in ent.lines if li.code == "CO1")
    facts = LineFacts(**measure_line_facts(line, ent))
    assert (facts.sector, facts.kind, facts.fuel, facts.interruptible) == ("coking", "coke_oven", "coke_oven_gas",
                                                                            bool(line.interruptible))
    assert facts.livelihood is (ent.livelihood_task not in (None, "", "none"))
