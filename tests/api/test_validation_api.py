"""Bad input through the API: 422 naming each field, in Chinese by default and English on request;
413 for an oversized body; 409 for a stale version; all in the {"code","message","errors"} envelope."""
from __future__ import annotations

import re

import pytest

from tests.builders import ANCI, enterprise_payload, line_payload, valid_uscc

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture()
def owner_headers(make_user, token_for):
    return token_for(make_user("enterprise"))


def _errors(response, status=422) -> dict[str, list[str]]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}, body
    return body["errors"]


def _bad_enterprise() -> dict:
    data = {**enterprise_payload(3, ANCI), "uscc": "91131002MA0000000X", "sector": "spaceship"}
    del data["name"]
    return data


def test_invalid_enterprise_names_every_bad_field_in_chinese_by_default(api_client, owner_headers):
    r = api_client.post("/api/v1/enterprises", json=_bad_enterprise(), headers=owner_headers)
    errors = _errors(r)
    assert r.get_json()["code"] == "invalid_input"
    assert set(errors) == {"uscc", "name", "sector"}
    for field, messages in errors.items():
        assert CJK.search(messages[0]), f"{field}: {messages[0]!r} is not Chinese"
    assert "统一社会信用代码" in errors["uscc"][0]
    assert "steel" in errors["sector"][0] and "cement" in errors["sector"][0]  # the allowed codes are listed
    assert CJK.search(r.get_json()["message"])


@pytest.mark.parametrize("how", ["accept-language", "query"])
def test_invalid_enterprise_in_english_on_request(api_client, owner_headers, how):
    headers = {**owner_headers, "Accept-Language": "en"} if how == "accept-language" else owner_headers
    path = "/api/v1/enterprises" + ("?lang=en" if how == "query" else "")
    errors = _errors(api_client.post(path, json=_bad_enterprise(), headers=headers))
    assert errors["name"] == ["Missing data for required field."]
    assert errors["uscc"][0].startswith("Not a valid unified social credit code")
    assert errors["sector"][0].startswith("Unknown value “spaceship”. Allowed: steel, coking")


def test_duplicate_uscc_and_unknown_region(api_client, make_user, make_enterprise, token_for):
    ent, _ = make_enterprise(ANCI)
    headers = {**token_for(make_user("enterprise")), "Accept-Language": "en"}
    duplicate = enterprise_payload(99, ANCI, uscc=ent.uscc)
    errors = _errors(api_client.post("/api/v1/enterprises", json=duplicate, headers=headers))
    assert list(errors) == ["uscc"] and "already registered" in errors["uscc"][0]

    unknown = {**enterprise_payload(98, ANCI), "region_code": "999999"}
    errors = _errors(api_client.post("/api/v1/enterprises", json=unknown, headers=headers))
    assert errors == {"region_code": ["Unknown region code 999999."]}


def test_line_capacity_must_be_a_non_negative_number_and_enums_list_allowed_values(api_client, make_enterprise, token_for):
    ent, owner = make_enterprise(ANCI)
    headers = token_for(owner)
    bad = line_payload("L9", capacity="-5", stack_height_m="abc", kind="warp",
                       emissions=[{"pollutant": "so2", "status": "sometimes"}])
    errors = _errors(api_client.post(f"/api/v1/enterprises/{ent.id}/lines", json=bad, headers=headers))
    assert set(errors) == {"capacity", "stack_height_m", "kind", "emissions[0].status"}
    assert all(CJK.search(m[0]) for m in errors.values()), errors

    errors = _errors(api_client.post(f"/api/v1/enterprises/{ent.id}/lines", json=bad, headers={**headers, "Accept-Language": "en"}))
    assert errors["capacity"] == ["Must be zero or more."]
    assert errors["stack_height_m"] == ["Not a valid number."]
    assert "blast_furnace" in errors["kind"][0]
    assert errors["emissions[0].status"][0].startswith("Unknown value “sometimes”. Allowed: ")
    assert "special_limits" in errors["emissions[0].status"][0]


def test_body_that_is_not_a_json_object_is_422(api_client, owner_headers):
    r = api_client.post("/api/v1/enterprises", data=b"not json", headers={**owner_headers, "Content-Type": "application/json"})
    assert "_schema" in _errors(r)
    r = api_client.post("/api/v1/enterprises", json=[1, 2], headers=owner_headers)
    assert "_schema" in _errors(r)


def test_oversized_body_is_413_in_the_envelope(api_client, owner_headers):
    too_big = b'{"name": "' + b"x" * (8 * 1024 * 1024 + 10) + b'"}'
    r = api_client.post("/api/v1/enterprises", data=too_big, headers={**owner_headers, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.get_json()["code"] == "request_entity_too_large" and r.get_json()["errors"] == {}


def test_stale_version_is_409_and_a_missing_version_is_422(api_client, make_enterprise, token_for):
    ent, owner = make_enterprise(ANCI)
    headers = token_for(owner)
    read = api_client.get(f"/api/v1/enterprises/{ent.id}", headers=headers).get_json()
    payload = enterprise_payload(1, ANCI, address="第一次修改")

    first = api_client.put(f"/api/v1/enterprises/{ent.id}", json={**payload, "version": read["version"]}, headers=headers)
    assert first.status_code == 200 and first.get_json()["version"] == read["version"] + 1

    # A second client still holding the old version is refused, by body or by If-Match.
    stale = {**payload, "address": "第二次修改", "version": read["version"]}
    r = api_client.put(f"/api/v1/enterprises/{ent.id}", json=stale, headers=headers)
    assert r.status_code == 409 and r.get_json()["code"] == "conflict"
    r = api_client.put(f"/api/v1/enterprises/{ent.id}", json=payload, headers={**headers, "If-Match": f'"{read["version"]}"'})
    assert r.status_code == 409

    errors = _errors(api_client.put(f"/api/v1/enterprises/{ent.id}", json=payload, headers=headers))
    assert list(errors) == ["version"]
    r = api_client.post(f"/api/v1/enterprises/{ent.id}/submit", json={"version": read["version"]}, headers=headers)
    assert r.status_code == 409


def test_stale_line_and_permit_versions_are_409(api_client, make_enterprise, token_for):
    ent, owner = make_enterprise(ANCI)
    headers = token_for(owner)
    line = api_client.get(f"/api/v1/enterprises/{ent.id}/lines", headers=headers).get_json()["items"][0]
    body = {**line_payload("L1", name="改名"), "version": line["version"]}
    assert api_client.put(f"/api/v1/lines/{line['id']}", json=body, headers=headers).status_code == 200
    assert api_client.put(f"/api/v1/lines/{line['id']}", json=body, headers=headers).status_code == 409

    permit = api_client.get(f"/api/v1/enterprises/{ent.id}/permits", headers=headers).get_json()["items"][0]
    body = {"number": permit["number"], "industry": "炼钢", "version": permit["version"]}
    assert api_client.put(f"/api/v1/permits/{permit['id']}", json=body, headers=headers).status_code == 200
    assert api_client.put(f"/api/v1/permits/{permit['id']}", json=body, headers=headers).status_code == 409


def test_return_without_reason_names_the_reason(api_client, make_user, make_enterprise, token_for):
    ent, _ = make_enterprise(ANCI, submitted=True)
    county = token_for(make_user("county", ANCI))
    r = api_client.post(f"/api/v1/enterprises/{ent.id}/return", json={"version": ent.version, "reason": "  "}, headers=county)
    assert list(_errors(r)) == ["reason"]


def test_user_administration_validates_region_for_officials(api_client, make_user, token_for):
    admin = token_for(make_user("admin"))
    body = {"username": "city.official", "password": "Correct-horse-battery-1", "role": "city", "region_code": ANCI}
    errors = _errors(api_client.post("/api/v1/users", json=body, headers={**admin, "Accept-Language": "en"}))
    assert list(errors) == ["region_code"]  # a county code for a city official
    r = api_client.post("/api/v1/users", json={**body, "region_code": "131000"}, headers=admin)
    assert r.status_code == 201 and r.get_json()["region_code"] == "131000"
    assert "password" not in r.get_json()


def test_uscc_is_normalised_to_upper_case(api_client, owner_headers):
    uscc = valid_uscc(5, ANCI)
    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(5, ANCI, uscc=uscc.lower()), headers=owner_headers)
    assert r.status_code == 201 and r.get_json()["uscc"] == uscc


def test_unknown_paths_and_methods_answer_the_envelope(api_client, owner_headers):
    r = api_client.get("/api/v1/no-such-thing", headers=owner_headers)
    assert r.status_code == 404 and set(r.get_json()) == {"code", "message", "errors"}
    r = api_client.patch("/api/v1/me", json={}, headers=owner_headers)
    assert r.status_code == 405 and r.get_json()["code"] == "method_not_allowed"
    r = api_client.get("/api/v1/enterprises/999999", headers=owner_headers)
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
