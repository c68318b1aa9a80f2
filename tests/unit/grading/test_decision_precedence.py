"""An official's choice for one line outranks an enterprise-wide choice on the same flag."""
from __future__ import annotations

import json

from grading.batch import evaluate_documents
from grading.contract import evaluate

BASE = {
    "pack": "langfang-2017-18",
    "date": "2017-10-20",
    "alert_level": "blue",
    "enterprise": {
        "enterprise_id": "E1",
        "sector": "steel",
        "stably_compliant": False,
        "lines": [
            {"line_id": "L0", "kind": "blast_furnace", "fuel": "coal", "emission_status": "non_compliant", "percent_of_limit": {"pm": 10}},
            # every line within 30 % of the limit: X-02 (000:143) names enterprises, decided on all lines (issue 14)
            {"line_id": "L1", "kind": "boiler", "fuel": "coal", "emission_status": "non_compliant", "percent_of_limit": {"pm": 20}},
        ],
    },
}
LINE_CHOICE = {"flag": "emergency_exemption", "choice": "exempt", "by": "official", "line": "L0"}
ENTERPRISE_CHOICE = {"flag": "emergency_exemption", "choice": "strictest_curtailment", "by": "official"}


def _applied(result: dict, line_id: str) -> list[str]:
    line = next(l for l in result["lines"] if l["line_id"] == line_id)
    return [d["choice"] for d in line.get("applied_decisions", []) if d["flag"] == "emergency_exemption"]


def test_line_choice_wins_in_either_order_and_in_both_paths():
    """Found by the batch-vs-per-enterprise property test: the order in the document must not matter."""
    answers = []
    for decisions in ([LINE_CHOICE, ENTERPRISE_CHOICE], [ENTERPRISE_CHOICE, LINE_CHOICE]):
        doc = json.loads(json.dumps(BASE)) | {"official_decisions": decisions}
        single = evaluate(doc)
        assert evaluate_documents([doc]) == [single]
        answers.append(single)
    assert answers[0]["lines"] == answers[1]["lines"]
    assert _applied(answers[0], "L0") == ["exempt"]
