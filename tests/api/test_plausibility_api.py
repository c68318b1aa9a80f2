"""Issue 14 point 9 — plausible facts at registration (API and pages): contradictions that would misapply a
rule warn, those on which a rule would decide nonsense are refused; messages name the field in Chinese."""
from __future__ import annotations

from datetime import date

from tests.builders import ANCI, enterprise_payload, line_payload, login, permit_payload, valid_uscc


def _draft(api_client, make_user, token_for, seed: int = 31):
    owner = make_user("enterprise")
    headers = token_for(owner)
    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(seed, ANCI, sector="foundry"), headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json(), headers, owner


def _foundry_line(**over):
    return line_payload("ZZ1", name="熔炼生产线", sector="foundry", sub_type="none", equipment=[], **over)


def test_a_line_kind_and_fuel_that_cannot_go_together_is_refused(api_client, make_user, token_for):
    """An electric furnace burning coke, a cupola on electricity: the clean-energy relief (000:143, 001:99)
    would be decided on them, so the save is refused, naming the fuel field (燃料/能源)."""
    ent, headers, _owner = _draft(api_client, make_user, token_for)
    for kind, fuel in (("electric_furnace", "coke"), ("cupola", "electricity")):
        r = api_client.post(f"/api/v1/enterprises/{ent['id']}/lines", json=_foundry_line(kind=kind, fuel=fuel), headers=headers)
        assert r.status_code == 422, r.get_json()
        messages = r.get_json()["errors"]["fuel"]
        assert any("燃料/能源" in m for m in messages), messages
    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/lines", json=_foundry_line(kind="cupola", fuel="coke"), headers=headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["plausibility_warnings"] == []


def test_emissions_out_of_proportion_to_capacity_warn_but_save(api_client, make_user, token_for):
    """100 t SO2 a day from a 2,000 t/a line is kept (the figures may be a unit slip) but answered with a warning
    naming 二氧化硫日排放量, and shown on the registration page."""
    ent, headers, _owner = _draft(api_client, make_user, token_for)
    body = _foundry_line(kind="cupola", fuel="coke", capacity="2000", capacity_unit="t/a", daily_emission_so2_kg="100000")
    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/lines", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    warnings = r.get_json()["plausibility_warnings"]
    assert [w["field"] for w in warnings] == ["daily_emission_so2_kg"]
    assert "二氧化硫日排放量" in warnings[0]["message"] and warnings[0]["blocking"] is False


def test_permit_number_format_checksum_and_management_class(api_client, make_user, token_for):
    """National permit numbers are the holder's credit code + a 3-digit sequence + a letter; a code failing its
    GB 32100 check character is refused, another format or another holder's code warns; 登记管理 must go with
    the registration kind (003:14)."""
    ent, headers, _owner = _draft(api_client, make_user, token_for)
    url = f"/api/v1/enterprises/{ent['id']}/permits"
    good = f"{ent['uscc']}001P"
    broken = ent["uscc"][:-1] + ("0" if ent["uscc"][-1] != "0" else "1") + "002P"
    r = api_client.post(url, json=permit_payload(broken, valid_until="2099-01-01"), headers=headers)
    assert r.status_code == 422 and any("许可证编号" in m for m in r.get_json()["errors"]["number"])
    r = api_client.post(url, json=permit_payload(good, kind="full", management_class="registration", valid_until="2099-01-01"),
                        headers=headers)
    assert r.status_code == 422 and "management_class" in r.get_json()["errors"]
    r = api_client.post(url, json=permit_payload(good, management_class="key", valid_until="2099-01-01"), headers=headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["management_class"] == "key" and r.get_json()["plausibility_warnings"] == []
    other = f"{valid_uscc(99, ANCI)}001P"
    r = api_client.post(url, json=permit_payload(other, valid_until="2099-01-01"), headers=headers)
    assert r.status_code == 201 and [w["field"] for w in r.get_json()["plausibility_warnings"]] == ["number"]
    r = api_client.post(url, json=permit_payload("冀PWX-2016-001", valid_until="2099-01-01"), headers=headers)
    assert r.status_code == 201 and "许可证编号" in r.get_json()["plausibility_warnings"][0]["message"]
    r = api_client.post(url, json=permit_payload(f"{ent['uscc']}003P", kind="registration", management_class="registration",
                                                 valid_until="2099-01-01"), headers=headers)
    assert r.status_code == 201, r.get_json()


def test_an_issued_permit_past_its_validity_warns_and_counts_as_expired(api_client, make_user, token_for, db_app):
    """Shown as issued but valid until 2018-06-29: a warning on 有效期至, and the engine is told it has expired, so
    the permit rules (F-08, 003:14) do not count it as held."""
    from registry.enterprises.models import Enterprise
    from registry.extensions import db
    from registry.policy.facts import enterprise_facts

    ent, headers, _owner = _draft(api_client, make_user, token_for)
    r = api_client.post(f"/api/v1/enterprises/{ent['id']}/permits",
                        json=permit_payload(f"{ent['uscc']}001P", issued_on="2015-06-30", valid_until="2018-06-29"), headers=headers)
    assert r.status_code == 201
    warnings = r.get_json()["plausibility_warnings"]
    assert [w["field"] for w in warnings] == ["valid_until"] and "有效期至" in warnings[0]["message"]
    enterprise = db.session.get(Enterprise, ent["id"])
    assert enterprise_facts(enterprise, on=date(2018, 11, 15))["permit_status"] == "expired"
    assert enterprise_facts(enterprise, on=date(2018, 3, 1))["permit_status"] == "issued"


def test_the_pages_flash_the_warning_and_the_registration_page_lists_it(client, make_user, make_enterprise):
    """The line form saves and flashes 请核查-style warnings; the enterprise page keeps listing what to check."""
    from registry.enterprises import operations as ops
    from registry.extensions import db

    ent, owner = make_enterprise()
    ops.add_line(owner, ent.id, line_payload("L2", capacity="1", capacity_unit="t/a", daily_emission_pm_kg="500"))
    db.session.commit()
    login(client, owner.username)
    page = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert 'id="plausibility"' in page and "颗粒物日排放量" in page


def test_a_contradiction_stored_earlier_blocks_the_submission(make_enterprise):
    """A line saved before the checks existed (written here straight to the row) cannot be submitted: the rules
    would decide on it. The message names the line and the field."""
    import pytest

    from registry.core.errors import ValidationFailed
    from registry.enterprises import operations as ops
    from registry.enterprises.models import ProductionLine
    from registry.extensions import db

    ent, owner = make_enterprise()
    line = db.session.query(ProductionLine).filter_by(enterprise_id=ent.id).one()
    line.kind, line.fuel = "cupola", "electricity"
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        ops.submit_registration(owner, ent.id, {"version": ent.version})
    assert any("L1" in m and "燃料/能源" in m for m in err.value.errors["fuel"])
