"""Issue 13 (second security pass): the public evaluate endpoint's limits (High 1), deeply nested JSON
(Low 5), the client's X-Request-ID in the audit log (Low 1) and Cache-Control: no-store (Low 8).

Each test first sends what the independent attack sent, over real HTTP through the app (the Flask
test client; PostgreSQL when TEST_DATABASE_URL is set — Low 1 was PostgreSQL's), and asserts the
refusal or the safe answer. 等保 2.0 三级: 资源控制 (High 1, Low 5), 安全审计 (Low 1), 剩余信息保护 /
数据保密性 (Low 8). ASVS L2: 11.1.4 / 13.2.x (anti-automation, request limits), 5.1.4 (structured
input), 7.1.x (log integrity), 8.2.1 (anti-caching).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from registry.extensions import db, limiter
from tests.builders import PASSWORD, csrf_from, login

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _document(lines: int = 2, vehicles: int = 0) -> dict:
    """A valid evaluate document (T-19, Jiyuan foundry) grown to `lines` lines and `vehicles` vehicles."""
    case = yaml.safe_load((SCENARIOS / "T-19_jiyuan_foundry.yaml").read_text(encoding="utf-8"))
    doc = json.loads(json.dumps(case["input"], default=str))
    kinds = [("cupola", "coke"), ("electric_furnace", "electricity")]
    doc["enterprise"]["lines"] = [{"line_id": f"L{i}", "kind": kinds[i % 2][0], "fuel": kinds[i % 2][1]} for i in range(lines)]
    doc["enterprise"]["vehicles"] = [{"vehicle_id": f"冀A{i:05d}", "standard": "china_5"} for i in range(vehicles)]
    return doc


def _in(lang: str, msgid: str, **kwargs) -> str:
    """What the user's language makes of `msgid` (the zh catalog is merged from pending/ by the integrator)."""
    from flask_babel import force_locale, gettext

    with force_locale(lang):
        return gettext(msgid, **kwargs)


@pytest.fixture()
def fresh_limits(db_app):
    limiter.reset()
    yield db_app
    limiter.reset()


# ---------------------------------------------------------------- High 1: POST /api/v1/evaluate


def test_evaluate_refuses_an_oversized_body_before_reading_it(client, fresh_limits):
    """High 1: a 7.5 MB evaluate body (82 s of CPU in the attack) is answered 413 with the limit, nothing evaluated."""
    doc = _document(lines=2)
    doc["enterprise"]["name"] = "x" * (7_500_000)
    r = client.post("/api/v1/evaluate", data=json.dumps(doc), content_type="application/json",
                    headers={"Accept-Language": "zh"})
    assert r.status_code == 413
    body = r.get_json()
    assert body["code"] == "too_large"
    assert body["message"] == _in("zh", "The request body may be at most %(limit)s KiB.", limit="1,024")
    assert "1,024" in body["message"]


def test_evaluate_caps_lines_and_vehicles_naming_the_field(client, fresh_limits):
    """High 1: more lines or vehicles than the documented caps (500 / 2,000) → 413 naming the field, in zh and en."""
    r = client.post("/api/v1/evaluate", json=_document(lines=501), headers={"Accept-Language": "zh"})
    assert r.status_code == 413, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert set(body["errors"]) == {"enterprise.lines"}
    assert "500" in body["errors"]["enterprise.lines"][0] and "501" in body["errors"]["enterprise.lines"][0]
    assert "enterprise.lines" in body["message"]
    assert body["errors"]["enterprise.lines"][0] == _in("zh", "At most %(limit)s items per request (this one lists %(count)s).",
                                                        limit="500", count="501")

    r = client.post("/api/v1/evaluate", json=_document(lines=2, vehicles=2001), headers={"Accept-Language": "en"})
    assert r.status_code == 413
    assert set(r.get_json()["errors"]) == {"enterprise.vehicles"}
    assert "At most 2,000 items" in r.get_json()["errors"]["enterprise.vehicles"][0]

    doc = _document(lines=2)
    doc["official_decisions"] = [{"flag": "exemption_X-08", "choice": "exempt", "by": "x"}] * 201
    r = client.post("/api/v1/evaluate", json=doc)
    assert r.status_code == 413 and "official_decisions" in r.get_json()["errors"]

    # at the caps the contract answers as before
    r = client.post("/api/v1/evaluate", json=_document(lines=500, vehicles=2000))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert len(r.get_json()["lines"]) == 500


def test_evaluate_anonymous_rate_limit_is_strict_and_per_address(client, fresh_limits, make_user):
    """High 1: anonymous callers get the strict production limit (10 a minute per address), then 429 with
    Retry-After; a signed-in user is counted apart, per user, under the wider limit."""
    fresh_limits.config["EVALUATE_RATE_LIMIT_ANONYMOUS"] = "10 per minute"
    fresh_limits.config["EVALUATE_RATE_LIMIT_AUTHENTICATED"] = "20 per minute"
    try:
        doc = _document(lines=1)
        answers = [client.post("/api/v1/evaluate", json=doc).status_code for _ in range(11)]
        assert answers[:10] == [200] * 10
        assert answers[10] == 429
        r = client.post("/api/v1/evaluate", json=doc)
        assert r.status_code == 429 and r.get_json()["code"] == "too_many_requests"
        assert r.headers.get("Retry-After")
        # another address is not affected
        assert client.post("/api/v1/evaluate", json=doc, environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200

        from registry.accounts.operations import create_token

        user = make_user("enterprise")
        _token, secret = create_token(user, {"name": "evaluate"})
        db.session.commit()
        auth = {"Authorization": f"Bearer {secret}"}
        answers = [client.post("/api/v1/evaluate", json=doc, headers=auth).status_code for _ in range(21)]
        assert answers[:20] == [200] * 20 and answers[20] == 429
    finally:
        fresh_limits.config["EVALUATE_RATE_LIMIT_ANONYMOUS"] = "1000 per minute"
        fresh_limits.config["EVALUATE_RATE_LIMIT_AUTHENTICATED"] = "1000 per minute"


def test_evaluate_keeps_its_contract_and_duplicate_checks(client, fresh_limits):
    """The limits change nothing else: duplicates and unknown decision lines are still reported per field."""
    doc = _document(lines=3)
    doc["enterprise"]["lines"][2]["line_id"] = "L0"
    doc["official_decisions"] = [{"flag": "exemption_X-08", "line": "nope", "choice": "exempt", "by": "x"}]
    r = client.post("/api/v1/evaluate", json=doc, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert "enterprise.lines[2].line_id" in errors and "official_decisions[0].line" in errors


def test_evaluate_of_many_lines_applies_each_lines_own_decision():
    """High 1 (linear path): decisions are looked up per line from one index; a line's own choice still wins
    over the enterprise-wide one, exactly as decisions_for orders them."""
    from grading.contract import evaluate
    from grading.engine import decisions_by_line, decisions_for
    from grading.facts import decisions_from_list

    raw = [{"flag": "f1", "choice": "a", "by": "x"}, {"flag": "f1", "line": "L1", "choice": "b", "by": "y"},
           {"flag": "f2", "line": "L1", "choice": "c", "by": "z"}, {"flag": "f3", "line": "L2", "choice": "d", "by": "z"}]
    decisions = decisions_from_list(raw)
    index = decisions_by_line(decisions)
    for line in ("L1", "L2", "L3", None):
        assert index.get(line, index[None]) == decisions_for(decisions, line)
    doc = _document(lines=4000)
    answer = evaluate(doc)
    assert len(answer["lines"]) == 4000


# ---------------------------------------------------------------- Low 5: deeply nested JSON


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/enterprises", "/api/v1/tokens", "/api/v1/imports"])
def test_deeply_nested_json_is_422_not_500_before_authentication(client, fresh_limits, path):
    """Low 5: 100,000 nested arrays made every /api/* route answer 500 (RecursionError) before authentication."""
    for depth in (100_000, 33):
        r = client.post(path, data=b"[" * depth + b"]" * depth, content_type="application/json",
                        headers={"Accept-Language": "en"})
        assert r.status_code == 422, (path, depth, r.status_code)
        body = r.get_json()
        assert body["code"] == "invalid_input" and "nested more than 32 levels" in body["message"]
        assert "_schema" in body["errors"]
    # 32 levels are still JSON the routes read (here: not an object → their own answer, never a 500)
    r = client.post("/api/v1/evaluate", data=b"[" * 32 + b"]" * 32, content_type="application/json")
    assert r.status_code == 422 and "nested" not in r.get_json()["message"]


# ---------------------------------------------------------------- Low 1: X-Request-ID


def test_a_long_or_unsafe_request_id_is_replaced_and_audited_writes_still_work(client, db_app, make_user):
    """Low 1: on PostgreSQL a 41+ character X-Request-ID made every audited write a 500 (failed logins went
    neither counted nor audited). Only a short plain token is kept; anything else is replaced by a generated id."""
    from registry.accounts.models import User
    from registry.core.models import AuditEntry

    make_user("enterprise", username="rid-user")
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    long_id = "A" * 41
    r = client.post("/login", data={"username": "rid-user", "password": "wrong-password-1", "csrf_token": token},
                    headers={"X-Request-ID": long_id})
    assert r.status_code in (200, 401, 422), r.status_code
    assert r.headers["X-Request-ID"] != long_id and len(r.headers["X-Request-ID"]) <= 40
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "rid-user"))
    assert user.failed_logins == 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.login_failed")).all()[-1]
    assert entry.request_id == r.headers["X-Request-ID"]

    for unsafe in ("bad id with spaces", "x\u00e9", "-leading-dash", "a" * 41):
        assert client.get("/api/v1/packs", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"] != unsafe
    assert client.get("/api/v1/packs", headers={"X-Request-ID": "nginx-7f3a9c.01"}).headers["X-Request-ID"] == "nginx-7f3a9c.01"
    uuid36 = "123e4567-e89b-12d3-a456-426614174000"
    assert client.get("/api/v1/packs", headers={"X-Request-ID": uuid36}).headers["X-Request-ID"] == uuid36


# ---------------------------------------------------------------- Low 8: Cache-Control


def test_no_store_on_pages_api_and_the_new_token_secret(client, db_app, make_user):
    """Low 8: no response said Cache-Control: no-store, not even the page that shows a new token's secret once."""
    make_user("enterprise", username="cache-user")
    assert login(client, "cache-user", PASSWORD).status_code == 302
    page = client.get("/account/tokens")
    assert page.headers["Cache-Control"] == "no-store"
    created = client.post("/account/tokens", data={"name": "sync", "expires_in_days": "30",
                                                   "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert created.status_code == 200 and 'id="new-token"' in created.get_data(as_text=True)
    assert created.headers["Cache-Control"] == "no-store"
    for path in ("/", "/login", "/api/v1/packs", "/api/v1/tokens", "/no-such-page"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    static = client.get("/static/vendor/redoc/redoc.standalone.js")
    assert static.status_code == 200 and "no-store" not in (static.headers.get("Cache-Control") or "")
    static.close()
