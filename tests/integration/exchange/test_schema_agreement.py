"""A permit, enterprise or equipment row is accepted by the Excel import exactly when the API's schema accepts it (issue 15 item 5).

One declaration of each field's rules serves pages, API and import: the per-field rules (required, length,
vocabulary, dates, yes/no) and the cross-field rules (registry/enterprises/schemas.CROSS_FIELD_RULES, e.g. the end
of validity before the issue date). Hypothesis draws permit rows mixing valid and invalid values in the shared
representation (codes for vocabularies, ISO dates, booleans; a blank cell is an absent field); the import (a dry
run of one enterprise and one permit, through exchange.operations as pages, API and CLI call it) reports no
error on the permit row exactly when PermitInput loads the same row and the plausibility checks both doors
run (enterprises/plausibility.permit_findings) find nothing blocking. Every refused row still names its row,
its Chinese column header, its value and a reason.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from grading.vocab import PermitKind, PermitManagementClass, PermitStatus
from tests.builders import valid_uscc
from tests.builders.files import enterprise_row, line_row, workbook

NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
SETTINGS = settings(max_examples=80, deadline=None, database=None, phases=NO_SHRINK,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOLDER = valid_uscc(7)
BLANK = st.none()
BAD_TEXT = st.sampled_from(["bogus", "许可", "full permit", "0"])


def _codes(vocab) -> list[str]:
    return [code for code, _label in vocab.choices()]


DATES = st.one_of(BLANK, st.dates(min_value=date(1990, 1, 1), max_value=date(2045, 12, 31)),
                  st.sampled_from(["2024-02-30", "soon", "31/12/2024", "2024-13-01"]))
BOOLS = st.one_of(BLANK, st.booleans(), st.sampled_from(["maybe", "2"]))
TEXT = st.text(alphabet="炼铁钢焦化 abc", max_size=8)

FIELD_VALUES = {
    "number": st.one_of(st.integers(1, 999).map(lambda n: f"{HOLDER}{n:03d}P"),
                        st.text(alphabet="ABCXYZ0123456789", max_size=45), st.integers(35, 45).map(lambda n: "N" * n),
                        st.just("   ")),
    "kind": st.one_of(BLANK, st.sampled_from(_codes(PermitKind)), BAD_TEXT),
    "management_class": st.one_of(BLANK, st.sampled_from(_codes(PermitManagementClass)), BAD_TEXT),
    "status": st.one_of(BLANK, st.sampled_from(_codes(PermitStatus)), BAD_TEXT),
    "industry": st.one_of(BLANK, TEXT, st.integers(115, 125).map(lambda n: "炼" * n)),
    "issued_on": DATES,
    "valid_until": DATES,
    "conditions": st.one_of(BLANK, TEXT, st.integers(3995, 4005).map(lambda n: "条" * n)),
    "staggering_in_permit": BOOLS,
    "discharging_per_permit": BOOLS,
    "execution_reports_published": BOOLS,
}
VALID = {"number": f"{HOLDER}001P", "kind": "full", "status": "issued", "industry": "炼铁",
         "issued_on": date(2017, 6, 30), "valid_until": date(2035, 6, 29)}


@st.composite
def permit_rows(draw) -> dict[str, Any]:
    """A valid permit with one to three fields replaced by any value of theirs, valid or not (so that a single
    disagreement between the doors decides the outcome, instead of hiding behind another refused field)."""
    row = dict(VALID)
    keys = draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)), min_size=1, max_size=3, unique=True))
    for key in keys:
        row[key] = draw(FIELD_VALUES[key])
    return row


def _api_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The same row as the API receives it: ISO dates, a blank cell an absent field."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items() if v is not None}


def _schema_accepts(row: dict[str, Any]) -> bool:
    from marshmallow import ValidationError

    from registry.core import timeutil
    from registry.enterprises import plausibility
    from registry.enterprises.schemas import PermitInput

    try:
        values = PermitInput().load(_api_payload(row))
    except ValidationError:
        return False
    findings = plausibility.permit_findings(values, HOLDER, timeutil.beijing_today())
    return not any(f.blocking for f in findings)


@SETTINGS
@given(row=permit_rows())
def test_import_accepts_a_permit_row_exactly_when_the_api_schema_does(do_import, admin, row):
    from registry.core import dictionary as dd

    cells = {k: v for k, v in row.items() if v is not None}
    data = workbook({"enterprises": [enterprise_row(7)], "permits": [{"uscc": HOLDER, **cells}]})
    report = do_import(admin, data, dry_run=True)
    permit_errors = [p for p in report.problems if p.severity == "error" and p.sheet == "permits"]
    other_errors = [p for p in report.problems if p.severity == "error" and p.sheet != "permits"]
    assert not other_errors, other_errors
    expected = _schema_accepts(row)
    assert (not permit_errors) == expected, (row, [(p.column, p.value, p.reason) for p in permit_errors])
    headers = {f.header("zh") for f in dd.PERMITS.fields}
    for p in permit_errors:  # every problem names its row, its Chinese column, and a reason
        assert p.row == 2 and p.column in headers and p.reason


def test_the_end_of_validity_rule_is_one_rule_for_both_doors(do_import, admin):
    """The cross-field rule both doors apply is the one object in schemas.CROSS_FIELD_RULES."""
    from marshmallow import ValidationError

    from registry.enterprises.schemas import CROSS_FIELD_RULES, PermitInput

    (rule,) = CROSS_FIELD_RULES["permits"]
    row = {"number": f"{HOLDER}001P", "issued_on": date(2020, 1, 2), "valid_until": date(2020, 1, 1)}
    try:
        PermitInput().load(_api_payload(row))
        raise AssertionError("the schema accepted an end of validity before the issue date")
    except ValidationError as err:
        assert err.messages == {"valid_until": [str(rule.message)]}
    report = do_import(admin, workbook({"enterprises": [enterprise_row(7)], "permits": [{"uscc": HOLDER, **row}]}),
                       dry_run=True)
    assert [(p.sheet, p.row, p.column, p.reason) for p in report.problems if p.severity == "error"] == [
        ("permits", 2, "有效期至", str(rule.message))]


ENTERPRISE_VALUES = {
    "name": st.one_of(st.just("  "), TEXT, st.integers(195, 205).map(lambda n: "企" * n)),
    "sector": st.one_of(st.sampled_from(["steel", "coking", "cement"]), BAD_TEXT),
    "rail_share": st.one_of(BLANK, st.integers(-500, 10_500).map(lambda n: n / 100), st.sampled_from(["lots", "NaN"])),
    "capacity_utilisation_2018": st.one_of(BLANK, st.integers(-100, 110_000).map(lambda n: n / 100)),
    "heavy_diesel_vehicles": st.one_of(BLANK, st.integers(-3, 3), st.integers(2**31 - 2, 2**31 + 2), st.just(2.5)),
    "fugitive_control_done_on": DATES,
    "in_key_area": BOOLS,
    "contact_email": st.one_of(BLANK, st.sampled_from(["a@b.cn", "bad", "a@b", "a b@c.cn", "x@y.z.cn"])),
}
ENTERPRISE_VALID = {"uscc": HOLDER, "name": "测试企业有限公司", "region_code": "131002", "sector": "steel"}


@st.composite
def enterprise_rows(draw) -> dict[str, Any]:
    row = dict(ENTERPRISE_VALID)
    for key in draw(st.lists(st.sampled_from(sorted(ENTERPRISE_VALUES)), min_size=1, max_size=3, unique=True)):
        row[key] = draw(ENTERPRISE_VALUES[key])
    return row


@SETTINGS
@given(row=enterprise_rows())
def test_import_accepts_an_enterprise_row_exactly_when_the_api_schema_does(do_import, admin, row):
    """The same property for enterprise rows: numbers and their bounds, integers, dates, yes/no, e-mail, length."""
    from registry.core.errors import ValidationFailed
    from registry.core.validation import load
    from registry.enterprises.schemas import EnterpriseInput

    report = do_import(admin, workbook({"enterprises": [{k: v for k, v in row.items() if v is not None}]}), dry_run=True)
    errors = [(p.column, p.value, p.reason) for p in report.problems if p.severity == "error"]
    try:
        load(EnterpriseInput(), _api_payload(row))  # as the API loads it (numbers beyond the columns refused)
        expected = True
    except ValidationFailed:
        expected = False
    assert (not errors) == expected, (row, errors)


EQUIPMENT_VALUES = {
    "name": st.one_of(st.just("  "), TEXT, st.integers(115, 125).map(lambda n: "设" * n)),
    "kind": st.one_of(st.sampled_from(["blast_furnace", "sinter_machine", "coke_oven"]), BAD_TEXT),
    "fuel": st.one_of(st.sampled_from(["coke", "coal", "natural_gas"]), BAD_TEXT),
    "model": st.one_of(BLANK, TEXT, st.integers(75, 85).map(lambda n: "M" * n)),
    "capacity": st.one_of(BLANK, st.integers(-500, 10**6).map(lambda n: n / 100), st.just("lots")),
    "capacity_unit": st.one_of(BLANK, st.sampled_from(["t/a", "10kt/a", "t/d"]), BAD_TEXT),
    "quantity": st.one_of(BLANK, st.integers(-2, 5), st.just(2.5), st.integers(2**31 - 1, 2**31 + 1)),
}
EQUIPMENT_VALID = {"name": "1#高炉", "kind": "blast_furnace", "fuel": "coke", "capacity": 200, "capacity_unit": "10kt/a",
                   "quantity": 1}


@st.composite
def equipment_rows(draw) -> dict[str, Any]:
    row = dict(EQUIPMENT_VALID)
    for key in draw(st.lists(st.sampled_from(sorted(EQUIPMENT_VALUES)), min_size=1, max_size=3, unique=True)):
        row[key] = draw(EQUIPMENT_VALUES[key])
    return row


@SETTINGS
@given(row=equipment_rows())
def test_import_accepts_an_equipment_row_exactly_when_the_api_schema_does(do_import, admin, row):
    """The same property for equipment rows (EquipmentInput): text lengths, vocabularies, capacity, quantity."""
    from registry.core.errors import ValidationFailed
    from registry.core.validation import load
    from registry.enterprises.schemas import EquipmentInput

    cells = {k: v for k, v in row.items() if v is not None}
    data = workbook({"enterprises": [enterprise_row(7)], "lines": [line_row(7)],
                     "equipment": [{"uscc": HOLDER, "line_code": "L1", **cells}]})
    report = do_import(admin, data, dry_run=True)
    errors = [(p.sheet, p.column, p.value, p.reason) for p in report.problems if p.severity == "error"]
    assert all(sheet == "equipment" for sheet, *_ in errors), errors
    try:
        load(EquipmentInput(), _api_payload(row))
        expected = True
    except ValidationFailed:
        expected = False
    assert (not errors) == expected, (row, errors)
