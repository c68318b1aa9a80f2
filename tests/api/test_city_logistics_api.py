"""Issue 14 point 6: a city logistics-distribution enterprise (城市物流配送企业, 004:394) is a registrable attribute
(model, form, API, import dictionary) and puts the enterprise in scope of Shijiazhuang's yellow+ diesel-truck ban,
whatever its fleet; a declared key vehicle user is in scope whatever its fleet count."""
from __future__ import annotations

from datetime import date

from grading.contract import evaluate
from registry.core import dictionary as dd
from registry.enterprises import operations as ops
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.facts import evaluate_document
from tests.builders import ZHENGDING, enterprise_payload, line_payload


def _ban(result: dict) -> list[dict]:
    return [t for t in result["summary"]["transport"] if t["restriction"] == "no_diesel_trucks_in_or_out"]


def test_city_logistics_registered_through_the_api_reaches_the_engine(api_client, make_user, token_for):
    user = make_user("enterprise")
    owner = token_for(user)
    r = api_client.post("/api/v1/enterprises", headers=owner,
                        json=enterprise_payload(71, ZHENGDING, sector="other", city_logistics=True))
    assert r.status_code == 201, r.get_json()
    ent = db.session.get(Enterprise, r.get_json()["id"])
    assert ent.city_logistics is True
    ops.add_line(user, ent.id, line_payload("W1", sector="other", sub_type="none", kind="other", fuel="none"))
    db.session.commit()
    got = api_client.get(f"/api/v1/enterprises/{ent.id}", headers=owner).get_json()
    assert got["city_logistics"] is True
    doc = evaluate_document(ent, pack="shijiazhuang-2018-20", on=date(2018, 12, 10))
    assert doc["enterprise"]["city_logistics"] is True and doc["enterprise"]["heavy_diesel_vehicles"] == 0
    result = evaluate(dict(doc, alert_level="yellow"))
    assert _ban(result) and _ban(result)[0]["in_principle"] is True
    assert any("城市物流配送企业" in r["note"] for r in result["summary"]["emergency_reasons"])
    # the same enterprise without the attribute is out of scope (no key vehicle use, no fleet)
    plain = evaluate(dict(doc, alert_level="yellow", enterprise=dict(doc["enterprise"], city_logistics=False)))
    assert not _ban(plain)


def test_declared_key_vehicle_user_with_a_small_fleet_is_in_scope(make_enterprise):
    """004:178 defines ≥20 heavy diesel vehicles; a declared key vehicle user is one whatever its count."""
    ent, _owner = make_enterprise(ZHENGDING, key_vehicle_user=True, heavy_diesel_vehicles=3)
    doc = evaluate_document(ent, pack="shijiazhuang-2018-20", on=date(2018, 12, 10))
    assert _ban(evaluate(dict(doc, alert_level="yellow")))


def test_the_attribute_is_in_the_import_dictionary():
    field = next(f for f in dd.ENTERPRISE_FIELDS if f.key == "city_logistics") if hasattr(dd, "ENTERPRISE_FIELDS") else None
    names = dd.markdown()
    assert "city_logistics" in names and "城市物流配送企业" in names
    assert field is None or field.zh == "城市物流配送企业"
