"""`flask evaluate FILE` speaks the same contract as the HTTP endpoint (JSON or YAML, `-` = stdin)."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "T-18_jiyuan_coking.yaml"


def _document() -> dict:
    case = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))[0]
    return case["input"]


def test_evaluate_reads_yaml_from_a_file(app, tmp_path):
    path = tmp_path / "coking.yaml"
    path.write_text(yaml.safe_dump(_document(), allow_unicode=True), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["lines"][0]["measure"] == "extend_coking"


def test_evaluate_reads_json_from_stdin_and_matches_the_http_answer(app):
    document = _document()
    result = app.test_cli_runner().invoke(args=["evaluate", "-"], input=json.dumps(document, default=str))
    assert result.exit_code == 0, result.output
    http = app.test_client().post("/api/v1/evaluate", data=json.dumps(document, default=str), content_type="application/json")
    assert http.status_code == 200
    assert json.loads(result.output) == http.get_json()


def test_evaluate_bad_input_exits_2_with_allowed_values(app):
    document = _document() | {"pack": "atlantis-2020"}
    result = app.test_cli_runner().invoke(args=["evaluate", "-", "--lang", "en"], input=json.dumps(document, default=str))
    assert result.exit_code == 2
    assert "jiyuan-2018-19" in result.output
