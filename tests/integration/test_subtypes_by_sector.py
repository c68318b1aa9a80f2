"""Issue 16 — 细分类型 is filtered by sector: the forms offer only the chosen sector's sub-types (the server
renders them and hands app.js the sector → sub-types map), and every door refuses a mismatch beside the
细分类型 field: pages, API, Excel import (one rule, enterprises/schemas.py CROSS_FIELD_RULES)."""
from __future__ import annotations

import json
import re

from grading.vocab import SubType
from registry.enterprises import subtypes
from tests.builders import ANCI, csrf_from, enterprise_payload, line_payload, login
from tests.builders.files import line_row, workbook
from tests.integration.exchange.conftest import problems


def _errors_for(html: str, field_name: str) -> list[str]:
    m = re.search(rf'<ul class="field-errors"[^>]*data-field="{re.escape(field_name)}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", m.group(1), re.S) if m else []


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def test_every_sub_type_belongs_to_a_sector():
    """The map covers the whole vocabulary, so no sub-type becomes unreachable."""
    mapped = {s for subs in subtypes.BY_SECTOR.values() for s in subs}
    assert mapped | {"none"} == {m.value for m in SubType}
    assert not subtypes.mismatch("steel", "steel_sinter") and not subtypes.mismatch("foundry", "none")
    assert subtypes.mismatch("steel", "cement_kiln") and subtypes.mismatch("foundry", "pharma_api")


def test_the_forms_offer_only_the_sectors_sub_types_and_carry_the_map(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)  # a steel enterprise with a steel line
    login(client, owner.username)
    html = client.get(f"/enterprises/{ent.id}/edit").get_data(as_text=True)
    assert _options(html, "sub_type") == ["", "none", *subtypes.BY_SECTOR["steel"]]
    data = json.loads(re.search(r'data-options="([^"]*)"', html).group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert data["by_sector"]["cement"] == list(subtypes.BY_SECTOR["cement"]) and data["labels"]["cement_kiln"] == "水泥熟料"
    line_html = client.get(f"/enterprises/{ent.id}/lines/new").get_data(as_text=True)
    assert 'data-depends-on="sector"' in line_html


def test_a_page_refuses_a_mismatch_beside_the_field_and_keeps_it(client, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    login(client, owner.username)
    html = client.get(f"/enterprises/{ent.id}/edit").get_data(as_text=True)
    data = enterprise_payload(1, ANCI, sub_type="cement_kiln")
    data.update(version=str(ent.version), csrf_token=csrf_from(html))
    resp = client.post(f"/enterprises/{ent.id}/edit", data=data, headers={"Accept-Language": "zh"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert _errors_for(body, "sub_type") and "cement_kiln" in _options(body, "sub_type")
    assert re.search(r'<option selected value="cement_kiln"|<option value="cement_kiln" selected', body)

    line_html = client.get(f"/enterprises/{ent.id}/lines/new").get_data(as_text=True)
    form = {"csrf_token": csrf_from(line_html), "code": "L9", "name": "2号窑", "sector": "cement", "sub_type": "steel_sinter",
            "kind": "cement_kiln", "fuel": "coal", "capacity_unit": "t/a", "emissions-0-pollutant": "", "equipment-0-name": ""}
    resp = client.post(f"/enterprises/{ent.id}/lines/new", data=form)
    assert resp.status_code == 422 and _errors_for(resp.get_data(as_text=True), "sub_type")


def test_the_api_refuses_a_mismatch(client, make_user):
    from registry.accounts.operations import create_token
    from registry.extensions import db

    api_client = client
    owner = make_user("enterprise")
    _token, secret = create_token(owner, {"name": "subtypes"})
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(3, ANCI, sub_type="glass_flat"), headers=headers)
    assert r.status_code == 422 and "sub_type" in r.get_json()["errors"]
    r = api_client.post("/api/v1/enterprises", json=enterprise_payload(3, ANCI), headers=headers)
    assert r.status_code == 201
    bad = api_client.post(f"/api/v1/enterprises/{r.get_json()['id']}/lines", json=line_payload("L1", sub_type="pharma_api"),
                          headers=headers)
    assert bad.status_code == 422 and "sub_type" in bad.get_json()["errors"]


def test_the_import_reports_a_mismatch(do_import, admin):
    report = do_import(admin, workbook({"lines": [line_row(1, sub_type="烧结"), line_row(1, code="L2", sub_type="水泥熟料")]}),
                       dry_run=True)
    bad = [p for p in problems(report) if p[2] in ("sub_type", "行业细分")]
    assert [p[1] for p in bad] == [3], problems(report)
