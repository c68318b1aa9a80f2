"""Registered enterprises feed the engine through one mapper; every demo enterprise evaluates."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from grading.contract import evaluate
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.facts import evaluate_document

PACK_BY_PREFIX = {"1310": "langfang-2017-18", "1201": "jizhou-2018-19", "4190": "jiyuan-2018-19", "1301": "shijiazhuang-2018-20"}
DATE_BY_PACK = {"langfang-2017-18": date(2017, 12, 10), "jizhou-2018-19": date(2018, 12, 10),
                "jiyuan-2018-19": date(2019, 2, 1), "shijiazhuang-2018-20": date(2018, 12, 10)}


@pytest.mark.demo_city(per_city=15)
def test_every_demo_enterprise_evaluates_under_its_citys_pack(db_app, demo_city):
    measures = set()
    for enterprise in db.session.scalars(select(Enterprise)):
        pack = PACK_BY_PREFIX[enterprise.region_code[:4]]
        result = evaluate(evaluate_document(enterprise, pack=pack, on=DATE_BY_PACK[pack]))
        assert len(result["lines"]) == len(enterprise.lines)
        measures |= {line["measure"] for line in result["lines"]}
    assert {"stop", "curtail"} <= measures


def test_line_status_is_its_worst_pollutant_reached_when_the_last_got_there(make_enterprise):
    from registry.enterprises import operations as ops
    from tests.builders import line_payload

    ent, owner = make_enterprise("419001", sector="coking")
    ops.add_line(owner, ent.id, line_payload("CO1", sector="coking", sub_type="none", kind="coke_oven", fuel="coke_oven_gas", emissions=[
        {"pollutant": "so2", "status": "special_limits", "reached_on": "2018-08-01"},
        {"pollutant": "nox", "status": "special_limits", "reached_on": "2018-10-20"},
        {"pollutant": "pm", "status": "ultra_low", "reached_on": "2018-06-01"},
    ], equipment=[]))
    db.session.commit()
    doc = evaluate_document(ent, pack="jiyuan-2018-19", on=date(2019, 2, 1))
    line = next(l for l in doc["enterprise"]["lines"] if l["line_id"] == "CO1")
    assert line["emission_status"] == "special_limits" and line["status_reached_on"] == "2018-10-20"
    result = evaluate(doc)
    decided = next(l for l in result["lines"] if l["line_id"] == "CO1")
    assert decided["measure"] == "none"  # special limits by end October → exempt 1 Jan–15 Mar


@pytest.mark.parametrize("status,expected", [("issued", "issued"), ("rectify_after", "rectify_after")])
def test_permit_status_comes_from_the_best_permit(make_enterprise, status, expected):
    from registry.enterprises import operations as ops
    from tests.builders import permit_payload

    ent, owner = make_enterprise()
    ops.update_permit(owner, ent.permits[0].id, permit_payload(ent.permits[0].number, status=status), expected_version=ent.permits[0].version)
    doc = evaluate_document(ent, pack="langfang-2017-18", on=date(2017, 12, 10))
    assert doc["enterprise"]["permit_status"] == expected
