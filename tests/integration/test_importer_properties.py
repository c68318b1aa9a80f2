"""Property tests (hypothesis) for the Excel/CSV importer and the evaluate contract (issue 9 item 4, ASVS V5.1).

Importer (registry/exchange: reader → validator → plan → importer, through exchange.operations as
pages, API and CLI call it): a valid workbook with some cells replaced by arbitrary values —
formula prefixes (= + - @), huge numbers, NaN and infinities, dates of any year, CJK, control
characters and NUL, very long strings, booleans where text is expected and text where numbers
are — must never crash. Either every problem is a clean per-cell message (sheet, row, column,
reason in Chinese), or the row is stored: as text without NUL, and re-exported with every formula
neutralised (a leading ' before = + - @). Runs on SQLite and on PostgreSQL (`make test`'s second pass).

Evaluate contract (grading.contract.evaluate and POST /api/v1/evaluate): any JSON document, and
any valid scenario with one leaf replaced by arbitrary JSON, gives a valid answer or a 422 with
field errors — never a 500, never another exception.
(The batch = per-enterprise property lives in tests/unit/grading/test_batch_property.py.)
"""
from __future__ import annotations

import copy
import io
import math
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.builders.files import csv_bytes, enterprise_row, line_row, permit_row, workbook

SEED = 20261127
CJK = re.compile(r"[\u4e00-\u9fff]")
TRIGGER = re.compile(r"^[=+\-@\t\r]")
# No shrinking in CI (an import per example makes it slow); a failure prints the example as generated.
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, database=None, phases=NO_SHRINK,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])

FORMULAS = st.sampled_from(["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1)", '=HYPERLINK("http://example.invalid","点我")',
                            "=cmd|' /C calc'!A0", "\t=1", "\r=1", "'=already quoted", "''=twice"])
CONTROL = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=5)
CELL = st.one_of(
    st.text(max_size=40),                                   # any Unicode, including NUL and surrogates' neighbours
    FORMULAS,
    FORMULAS.map(lambda f: f + "中文"),
    st.text(alphabet="钢铁焦化水泥有限公司廊坊市安次区路号", min_size=1, max_size=30),
    CONTROL.map(lambda c: "企业" + c + "名称"),
    st.just("长" * 40_000),                                  # longer than any column, longer than an xlsx cell holds
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)),
    st.booleans(),
    st.just(""),
)
TEXT_FIELDS = ("name", "address", "contact_person", "contact_phone", "township")
ENTERPRISE_FIELDS = TEXT_FIELDS + ("region_code", "sector", "in_key_area", "fugitive_control_done_on", "uscc")
LINE_FIELDS = ("name", "kind", "fuel", "capacity", "capacity_unit", "stack_height_m", "has_cems",
               "cems_transmission_rate", "so2_status", "so2_reached_on")


def _xlsx_safe(value):
    """What a spreadsheet cell can hold: xlsx has no NaN/inf number and 32,767 characters at most."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return float(value)
    if isinstance(value, str):
        return value[:32_767]
    return value


def _check_report(report) -> None:
    message = report.as_dict()["message"]  # the report renders (JSON-able values)
    assert message and CJK.search(message), message
    for p in report.problems:
        assert p.title, p
        assert CJK.search(p.reason), f"not in Chinese: {p.reason!r}"
        if p.row:
            assert p.row >= 2 and p.column, p  # a cell: its row under the header, and its column's header


def _check_stored_and_export(admin) -> None:
    """Whatever was stored holds no NUL, and the export neutralises every formula."""
    import pandas as pd
    from sqlalchemy import select

    from registry.enterprises.models import Enterprise
    from registry.exchange import operations as ops
    from registry.extensions import db

    for ent in db.session.scalars(select(Enterprise)):
        for field in TEXT_FIELDS:
            value = getattr(ent, field, None)
            assert value is None or "\x00" not in value, (field, value)
    data = ops.export(admin, "all", "xlsx", "zh").data
    for title, frame in pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", dtype=object).items():
        for column in frame.columns:
            for cell in frame[column]:
                if isinstance(cell, str):
                    assert not TRIGGER.match(cell), f"{title}/{column}: formula exported live: {cell!r}"
    text = ops.export(admin, "enterprises", "csv", "zh").data.decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not TRIGGER.match(cell.strip('"')), f"CSV formula exported live: {cell!r}"


def _import(do_import, admin, data: bytes, filename: str):
    from registry.core.errors import DomainError

    try:
        return do_import(admin, data, filename=filename)
    except DomainError as err:  # the whole file refused (unreadable, too large…): a message, in Chinese
        assert CJK.search(err.message), err.message
        return None


@seed(SEED)
@PROPERTY_SETTINGS
@given(ent_cells=st.dictionaries(st.sampled_from(ENTERPRISE_FIELDS), CELL, min_size=1, max_size=4),
       line_cells=st.dictionaries(st.sampled_from(LINE_FIELDS), CELL, max_size=3))
def test_xlsx_cells_of_any_value_are_refused_cleanly_or_stored_and_exported_neutralised(do_import, admin, ent_cells, line_cells):
    ent = enterprise_row(1, **{k: _xlsx_safe(v) for k, v in ent_cells.items()})
    line = line_row(1, **{k: _xlsx_safe(v) for k, v in line_cells.items()})
    book = workbook({"enterprises": [ent], "lines": [line], "permits": [permit_row(1)]})
    report = _import(do_import, admin, book, "register.xlsx")
    if report is not None:
        _check_report(report)
    _check_stored_and_export(admin)


@seed(SEED)
@PROPERTY_SETTINGS
@given(ent_cells=st.dictionaries(st.sampled_from(ENTERPRISE_FIELDS), CELL, min_size=1, max_size=4),
       encoding=st.sampled_from(["utf-8", "gbk"]))
def test_csv_cells_of_any_value_are_refused_cleanly_or_stored_and_exported_neutralised(do_import, admin, ent_cells, encoding):
    row = enterprise_row(2, **ent_cells)
    try:
        data = csv_bytes("enterprises", [row], encoding=encoding)
    except UnicodeEncodeError:  # a character GBK has no code for: the file would be UTF-8
        data = csv_bytes("enterprises", [row], encoding="utf-8")
    report = _import(do_import, admin, data, "enterprises.csv")
    if report is not None:
        _check_report(report)
    _check_stored_and_export(admin)


@seed(SEED)
@settings(max_examples=60, deadline=None, database=None, phases=NO_SHRINK, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=2048), name=st.sampled_from(["x.xlsx", "x.csv", "x.xls", "x", "../../x.xlsx"]))
def test_arbitrary_bytes_as_a_file_are_refused_with_a_message(do_import, admin, raw, name):
    report = _import(do_import, admin, raw, name)
    if report is not None:
        _check_report(report)
        assert not report.written or report.ok


# ---- the evaluate contract ----

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("T-*.yaml"))


def _scenario_inputs() -> list[dict]:
    import json

    out = []
    for path in SCENARIOS:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and isinstance(doc.get("input"), dict):
            out.append(json.loads(json.dumps(doc["input"], default=str)))  # dates as ISO strings, as JSON carries them
    return out


INPUTS = _scenario_inputs()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
    | st.sampled_from(["2017-12-10", "2018-02-30", "9999-12-31", "0001-01-01", "red", "steel", "langfang-2017-18", "", "\x00"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def _leaves(doc, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _leaves(v, path + (i,))
    yield path


@st.composite
def mutated_scenarios(draw):
    doc = copy.deepcopy(draw(st.sampled_from(INPUTS)))
    paths = [p for p in _leaves(doc) if p]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = draw(JSON)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation replaced the container
    return doc


DOCUMENTS = st.one_of(JSON, st.dictionaries(st.sampled_from(["pack", "date", "alert_level", "enterprise", "official_decisions",
                                                             "emergency_grades", "x"]), JSON, max_size=5), mutated_scenarios())


@seed(SEED)
@settings(max_examples=150, deadline=None, database=None, phases=NO_SHRINK, suppress_health_check=list(HealthCheck))
@given(document=DOCUMENTS)
def test_evaluate_answers_or_lists_field_errors_for_any_document(document):
    import json

    from grading.contract import evaluate
    from grading.errors import ContractError

    try:
        result = evaluate(document)
    except ContractError as err:
        for lang in ("zh", "en"):
            payload = err.as_dict(lang)
            json.dumps(payload, ensure_ascii=False)
            assert payload["errors"], payload
        assert CJK.search(json.dumps(err.as_dict("zh"), ensure_ascii=False))
        return
    json.dumps(result, ensure_ascii=False)
    assert isinstance(result, dict) and "lines" in result


@seed(SEED)
@settings(max_examples=80, deadline=None, database=None, phases=NO_SHRINK, suppress_health_check=list(HealthCheck))
@given(document=DOCUMENTS)
def test_post_evaluate_is_200_or_422_with_field_errors(client, document):
    import json

    body = json.dumps(document, ensure_ascii=False)
    response = client.post("/api/v1/evaluate", data=body, content_type="application/json")
    assert response.status_code in (200, 422), (response.status_code, response.get_data(as_text=True)[:400])
    payload = response.get_json()
    if response.status_code == 422:
        assert payload["code"] == "invalid_input" and payload["errors"], payload
        assert all(isinstance(v, list) and v for v in payload["errors"].values()), payload
    else:
        assert "lines" in payload


def test_the_property_tests_start_from_real_scenarios():
    assert len(INPUTS) >= 8
    assert all(isinstance(d.get("enterprise"), dict) for d in INPUTS)


@pytest.mark.parametrize(("field", "value"), [("stack_height_m", 123456), ("capacity", 10**15),
                                              ("cems_transmission_rate", 10**9), ("stack_height_m", -1e300)])
def test_line_numbers_beyond_their_column_are_cell_problems(do_import, admin, field, value):
    """Numbers a column cannot hold (a stack height is Numeric(6, 2)) are a cell's problem, not a database error."""
    book = workbook({"enterprises": [enterprise_row(3)], "lines": [line_row(3, **{field: value})], "permits": [permit_row(3)]})
    report = _import(do_import, admin, book, "register.xlsx")
    assert report is not None
    _check_report(report)
    _check_stored_and_export(admin)
