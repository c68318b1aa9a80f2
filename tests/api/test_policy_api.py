"""Smoke tests of `GET /api/v1/packs` and `POST /api/v1/evaluate` (the engine's contract over HTTP).

Skipped cleanly while grading/contract.py does not exist (it is written alongside)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

contract = pytest.importorskip("grading.contract", reason="grading/contract.py is not there yet")

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _first_scenario_input() -> dict:
    import yaml

    path = sorted(SCENARIOS.glob("T-*.yaml"))[0]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))["input"]
    return json.loads(json.dumps(document, default=str))  # YAML dates → ISO strings, as a client sends


def test_packs_are_listed_publicly(api_client):
    r = api_client.get("/api/v1/packs")
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert items and all(p["id"] and p["period"] for p in items)


def test_evaluate_answers_per_line_decisions_without_login(api_client):
    document = _first_scenario_input()
    r = api_client.post("/api/v1/evaluate", json=document)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    body = r.get_json()
    assert "lines" in body


def test_evaluate_refuses_a_bad_document_with_422(api_client):
    r = api_client.post("/api/v1/evaluate", json={"pack": "no-such-pack"})
    assert r.status_code == 422
    r = api_client.post("/api/v1/evaluate", data=b"[]", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
