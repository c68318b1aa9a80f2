"""The evaluate contract: validated input, schema-conform JSON output, bilingual field errors, document loading."""
from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from grading import schema_gen
from grading.contract import evaluate, list_packs
from grading.document import load_document
from grading.errors import ContractError

SCEN = Path(__file__).resolve().parents[2] / "scenarios"
OUT_SCHEMA = json.loads((Path(schema_gen.SCHEMA_DIR) / "evaluate-output.schema.json").read_text(encoding="utf-8"))


def _scenario_inputs():
    for p in sorted(SCEN.glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else [data]:
            if "error" not in case["expected"]:
                yield case["input"]


def test_committed_schemas_match_the_vocabularies():
    """The JSON Schemas are built from grading/vocab.py; regenerate with `python -m grading.schema_gen`."""
    for name, schema in (("evaluate-input", schema_gen.INPUT), ("evaluate-output", schema_gen.OUTPUT)):
        assert json.loads((schema_gen.SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")) == schema


def test_every_scenario_output_is_json_and_matches_the_output_schema():
    v = jsonschema.Draft202012Validator(OUT_SCHEMA)
    for doc in _scenario_inputs():
        out = evaluate(doc)
        json.dumps(out, ensure_ascii=False)
        errors = list(v.iter_errors(out))
        assert not errors, errors[0].message


def test_list_packs_gives_id_title_jurisdiction_source_period_levels():
    packs = {p["id"]: p for p in list_packs()}
    lf = packs["langfang-2017-18"]
    assert lf["source"].startswith("000_") and lf["jurisdiction"] == "廊坊市"
    assert lf["period"] == {"start": "2017-10-01", "end": "2018-04-01"} and "blue" in lf["alert_levels"]
    assert all(p["heating_season"]["local_setting"] for p in packs.values())
    json.dumps(list_packs(), ensure_ascii=False)


BAD = {"pack": "jjj-2019-20", "date": "2019-12-01", "alert_level": "none",
       "enterprise": {"enterprise_id": "e", "sector": "steel", "lines": [{"line_id": "l", "kind": "blast_furnace", "fuel": "wood"}]}}


def test_unknown_fuel_error_lists_allowed_values_in_chinese_by_default():
    with pytest.raises(ContractError) as info:
        evaluate(BAD)
    d = info.value.as_dict()
    assert d["code"] == "invalid_input" and "1" in d["message"]
    msg = d["errors"]["enterprise.lines[0].fuel"][0]
    assert "取值“wood”无效" in msg and "natural_gas" in msg and "electricity" in msg


def test_errors_render_in_english_on_request():
    with pytest.raises(ContractError) as info:
        evaluate(BAD)
    msg = info.value.as_dict("en")["errors"]["enterprise.lines[0].fuel"][0]
    assert msg.startswith("Value 'wood' is not allowed. Allowed values:") and "coal" in msg


def test_field_error_carries_path_code_value_and_allowed():
    with pytest.raises(ContractError) as info:
        evaluate(BAD)
    e = info.value.errors[0]
    assert (e.path, e.code, e.value) == ("enterprise.lines[0].fuel", "not_allowed", "wood") and "coal" in e.allowed


@pytest.mark.parametrize("document, path, code", [
    ({}, "pack", "required"),
    ({**BAD, "pack": "nowhere"}, "pack", "unknown_pack"),
    ({**BAD, "date": "2021-01-01"}, "date", "date_outside_period"),
    ({**BAD, "alert_level": "purple"}, "alert_level", "not_allowed"),
    ({**BAD, "enterprise": {"enterprise_id": "e", "lines": []}}, "enterprise.sector", "required"),
    ({**BAD, "enterprise": {**BAD["enterprise"], "heavy_diesel_vehicles": "many"}}, "enterprise.heavy_diesel_vehicles", "wrong_type"),
    ({**BAD, "enterprise": {**BAD["enterprise"], "colour": "red"}}, "enterprise.colour", "unknown_field"),
    ({**BAD, "official_decisions": [{"flag": "x", "choice": "y", "by": "z", "line": "nope"}]}, "official_decisions[0].line", "unknown_line"),
])
def test_bad_input_raises_contract_error_never_a_traceback(document, path, code):
    with pytest.raises(ContractError) as info:
        evaluate(document)
    assert code in [e.code for e in info.value.errors if e.path == path], info.value.errors
    for lang in ("zh", "en"):
        json.dumps(info.value.as_dict(lang), ensure_ascii=False)


@pytest.mark.parametrize("garbage", [None, [], "text", 42, {"pack": 1, "date": 2, "alert_level": 3, "enterprise": 4}])
def test_garbage_is_an_invalid_input(garbage):
    with pytest.raises(ContractError):
        evaluate(garbage)


def test_load_document_reads_json_yaml_and_paths(tmp_path, monkeypatch):
    doc = {"pack": "jjj-2019-20", "date": "2019-12-01", "alert_level": "none"}
    assert load_document(json.dumps(doc)) == doc
    assert load_document("pack: jjj-2019-20\ndate: 2019-12-01\nalert_level: none\n") == doc  # YAML dates → ISO strings
    f = tmp_path / "doc.yaml"
    f.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_document(str(f)) == doc and load_document(f) == doc
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(doc)))
    assert load_document("-") == doc


def test_load_document_rejects_non_objects():
    with pytest.raises(ContractError):
        load_document("[1, 2]")
    with pytest.raises(ContractError):
        load_document("{unclosed: [")


def test_load_document_long_single_line_text_is_not_a_path():
    """Issue 14 point 11: one-line JSON of 256-4,095 bytes raised OSError 'File name too long'."""
    for n in (255, 256, 300, 4095):
        doc = {"pack": "jjj-2019-20", "pad": "y" * n}
        assert load_document(json.dumps(doc)) == doc
    assert load_document("a" * 300 + ": 1") == {"a" * 300: 1}  # YAML one-liner too
    with pytest.raises(ContractError):
        load_document("x\x00y")
