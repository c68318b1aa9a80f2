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


def test_evaluate_one_line_json_of_any_length_never_traces_back(app, tmp_path):
    """Issue 14 point 11: a single-line JSON document of 256-4,095 bytes was taken for a path ('File name too
    long' traceback). Valid ones evaluate (exit 0); invalid ones exit 2 with the contract's error, no traceback."""
    doc = _document()
    doc["enterprise"] = dict(doc["enterprise"], name="焦化厂" * 40)
    good = json.dumps(doc, default=str, ensure_ascii=False)
    assert "\n" not in good and 256 <= len(good.encode()) < 4096
    path = tmp_path / "one-line.json"
    path.write_text(good, encoding="utf-8")
    ok = app.test_cli_runner().invoke(args=["evaluate", str(path)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["lines"][0]["measure"] == "extend_coking"
    for size in (256, 1000, 4095):
        bad = json.dumps({"pack": "atlantis-2020", "pad": "x" * size})[:size - 1] + "}"
        result = app.test_cli_runner().invoke(args=["evaluate", "-"], input=bad)
        assert result.exit_code == 2, (size, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
    result = app.test_cli_runner().invoke(args=["evaluate", "-"], input=json.dumps(_document() | {"pack": "x" * 300}, default=str))
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_evaluate_non_utf8_file_exits_2(app, tmp_path):
    """Issue 14 point 11: bad input of any kind exits 2 without a traceback."""
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"pack": "\xe9t\xe9"}')
    result = app.test_cli_runner().invoke(args=["evaluate", str(path)])
    assert result.exit_code == 2, result.output
