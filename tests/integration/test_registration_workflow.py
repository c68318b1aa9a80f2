"""Registration workflow through the operations, on the real database (SQLite or PostgreSQL)."""
from __future__ import annotations

import pytest

from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.enterprises import operations as ops
from registry.enterprises import queries
from registry.extensions import db
from tests.builders import ANCI, GUANGYANG, ZHENGDING, enterprise_payload, line_payload


def test_enterprise_registers_adds_line_submits_and_county_approves(make_user, make_enterprise):
    """The whole happy path leaves a history entry for every state change."""
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, submitted=True)
    assert ent.status == "submitted"
    ops.approve_registration(county, ent.id, {"version": ent.version})
    db.session.commit()
    assert ent.status == "approved"
    actions = [e.action for e in queries.enterprise_history(ent)]
    assert actions[:2] == ["enterprise.approve", "enterprise.submit"]
    assert {"enterprise.register", "line.add", "permit.add"} <= set(actions)


def test_return_requires_reason_and_enterprise_can_fix_and_resubmit(make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, submitted=True)
    with pytest.raises(ValidationFailed) as err:
        ops.return_registration(county, ent.id, {"version": ent.version, "reason": " "})
    assert "reason" in err.value.errors
    ops.return_registration(county, ent.id, {"version": ent.version, "reason": "缺少排污许可证副本"})
    db.session.commit()
    assert ent.status == "returned" and ent.return_reason == "缺少排污许可证副本"
    ops.update_enterprise(owner, ent.id, enterprise_payload(1, ANCI, address="新地址"), expected_version=ent.version)
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    db.session.commit()
    assert ent.status == "submitted"


def test_official_outside_scope_gets_not_found(make_user, make_enterprise):
    other_county = make_user("county", GUANGYANG)
    other_city = make_user("city", "130100")  # Shijiazhuang
    ent, _ = make_enterprise(ANCI, submitted=True)
    for official in (other_county, other_city):
        with pytest.raises(NotFound):
            ops.get_enterprise(official, ent.id)
        with pytest.raises(NotFound):
            ops.approve_registration(official, ent.id, {"version": ent.version})


def test_city_and_province_see_their_subtree(make_user, make_enterprise):
    langfang = make_user("city", "131000")
    hebei = make_user("province", "130000")
    tianjin = make_user("province", "120000")
    make_enterprise(ANCI, submitted=True)
    make_enterprise(ZHENGDING, submitted=True)
    assert queries.list_enterprises(langfang, queries.EnterpriseFilters()).total == 1
    assert queries.list_enterprises(hebei, queries.EnterpriseFilters()).total == 2
    assert queries.list_enterprises(tianjin, queries.EnterpriseFilters()).total == 0


def test_drafts_stay_private_until_first_submission(make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, _ = make_enterprise(ANCI)
    with pytest.raises(NotFound):
        ops.get_enterprise(county, ent.id)
    assert queries.list_enterprises(county, queries.EnterpriseFilters()).total == 0


def test_enterprise_user_cannot_approve_its_own_registration(make_enterprise):
    ent, owner = make_enterprise(ANCI, submitted=True)
    with pytest.raises(Forbidden):
        ops.approve_registration(owner, ent.id, {"version": ent.version})


def test_stale_approval_is_a_conflict(make_user, make_enterprise):
    """Two officials open the same record; the second decision on the old version is refused."""
    a = make_user("county", ANCI)
    b = make_user("city", "131000")
    ent, _ = make_enterprise(ANCI, submitted=True)
    seen_version = ent.version
    ops.return_registration(a, ent.id, {"version": seen_version, "reason": "补充材料"})
    db.session.commit()
    with pytest.raises(Conflict):
        ops.approve_registration(b, ent.id, {"version": seen_version})


@pytest.mark.parametrize(
    "field,value",
    [
        ("uscc", "91131002MA0000000X"),  # wrong check character
        ("uscc", "123"),
        ("region_code", "999999"),
        ("region_code", "131000"),  # a city, not a county
        ("sector", "spaceships"),
        ("name", ""),
        ("contact_email", "not-an-email"),
    ],
)
def test_bad_enterprise_input_names_the_field_and_saves_nothing(make_user, field, value):
    from registry.enterprises.models import Enterprise

    owner = make_user("enterprise")
    with pytest.raises(ValidationFailed) as err:
        payload = enterprise_payload(7, ANCI)
        payload[field] = value
        ops.register_enterprise(owner, payload)
    assert field in err.value.errors
    db.session.rollback()
    assert db.session.query(Enterprise).count() == 0


def test_duplicate_uscc_is_refused(make_user, make_enterprise):
    ent, _ = make_enterprise(ANCI)
    other = make_user("enterprise")
    with pytest.raises(ValidationFailed) as err:
        ops.register_enterprise(other, enterprise_payload(1, ANCI))
    assert "uscc" in err.value.errors


@pytest.mark.parametrize("capacity", ["-5", "abc"])
def test_negative_or_non_numeric_capacity_is_refused(make_enterprise, capacity):
    ent, owner = make_enterprise(ANCI)
    with pytest.raises(ValidationFailed) as err:
        ops.add_line(owner, ent.id, line_payload("L2", capacity=capacity))
    assert "capacity" in err.value.errors


def test_unknown_fuel_names_the_allowed_values(make_enterprise):
    ent, owner = make_enterprise(ANCI)
    with pytest.raises(ValidationFailed) as err:
        ops.add_line(owner, ent.id, line_payload("L2", fuel="plutonium"))
    assert "natural_gas" in err.value.errors["fuel"][0]


def test_submitted_registration_cannot_be_edited(make_enterprise):
    ent, owner = make_enterprise(ANCI, submitted=True)
    with pytest.raises(Conflict):
        ops.add_line(owner, ent.id, line_payload("L2"))


def test_submit_needs_a_line(make_user):
    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(3, ANCI))
    with pytest.raises(ValidationFailed) as err:
        ops.submit_registration(owner, ent.id, {"version": ent.version})
    assert "lines" in err.value.errors


def test_a_concurrent_save_that_slips_past_the_version_check_is_a_conflict(make_enterprise, client, monkeypatch):
    """The database's own version check (version_id_col) answers 409, never a 500."""
    from sqlalchemy.orm.exc import StaleDataError

    from registry.enterprises import operations

    ent, owner = make_enterprise(ANCI)

    def racing_update(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'enterprise' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(operations, "update_enterprise", racing_update)
    from tests.builders import login

    login(client, owner.username)
    page = client.get(f"/enterprises/{ent.id}/edit")
    from tests.builders import csrf_from

    data = enterprise_payload(1, ANCI) | {"csrf_token": csrf_from(page.get_data(as_text=True)), "version": ent.version}
    response = client.post(f"/enterprises/{ent.id}/edit", data=data)
    assert response.status_code == 409
