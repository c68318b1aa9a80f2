"""The generated OpenAPI document is valid and complete, and its docs page works offline."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "registry" / "static" / "vendor"
MAX_VENDOR_BYTES = 2 * 1024 * 1024
OUR_TAGS = {"accounts_api", "enterprises_api", "core_api"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
NOT_IN_SPEC = {"/api/v1/openapi.json", "/api/v1/docs"}  # the documentation serves itself


@pytest.fixture()
def spec(api_client):
    r = api_client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def test_openapi_document_validates(spec):
    from openapi_spec_validator import validate

    validate(spec)


def test_every_operation_documents_a_response_and_ours_their_success_and_errors(spec):
    problems = []
    for path, method, op in _operations(spec):
        codes = set(op.get("responses", {}))
        if not codes:
            problems.append(f"{method.upper()} {path}: no response")
        if OUR_TAGS & set(op.get("tags", [])):
            if not any(re.fullmatch(r"2\d\d", c) for c in codes):
                problems.append(f"{method.upper()} {path}: no success response")
            public = op.get("security") == []
            if not public and "401" not in codes:
                problems.append(f"{method.upper()} {path}: protected but 401 undocumented")
            if method in ("post", "put") and not public and "422" not in codes:
                problems.append(f"{method.upper()} {path}: body not documented (no 422)")
    assert not problems, "\n".join(problems)


def test_security_schemes_and_error_envelope_are_documented(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert {"bearerAuth": []} in spec["security"]
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    assert spec["paths"]["/api/v1/vocabularies"]["get"]["security"] == []
    put = spec["paths"]["/api/v1/enterprises/{enterprise_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("EnterpriseUpdateInput")
    assert {"401", "403", "404", "409", "422"} <= set(put["responses"])


def test_every_api_rule_is_in_the_document(app, spec):
    documented = {re.sub(r"\{[^}]*\}", "{}", p) for p in spec["paths"]}
    missing = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule not in NOT_IN_SPEC:
            shaped = re.sub(r"<[^>]*>", "{}", rule.rule)
            if shaped not in documented:
                missing.add(rule.rule)
    assert not missing, sorted(missing)


def test_docs_page_uses_the_vendored_redoc_and_no_cdn(api_client):
    r = api_client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'src="/static/vendor/redoc/redoc.standalone.js"' in html
    assert not re.search(r"""(src|href)=["']?https?://""", html), "the docs page must not load anything from the internet"
    js = api_client.get("/static/vendor/redoc/redoc.standalone.js")
    assert js.status_code == 200 and len(js.data) > 100_000
    js.close()


@pytest.mark.parametrize(
    "path",
    ["redoc/redoc.standalone.js", "redoc/LICENSE", "echarts/echarts.min.js", "echarts/LICENSE", "echarts/NOTICE"],
)
def test_vendored_files_are_present_licensed_and_small(path):
    f = STATIC / path
    assert f.is_file(), f"missing {f}: run scripts/vendor_assets.sh"
    assert f.stat().st_size < MAX_VENDOR_BYTES


def test_vendored_redoc_fetches_nothing_from_a_cdn():
    """scripts/vendor_assets.sh patches Redocly's footer logo (a CDN image) out of the bundle."""
    assert b"https://cdn." not in (STATIC / "redoc" / "redoc.standalone.js").read_bytes()


def test_vendored_files_match_their_checksums():
    import hashlib

    sums = (STATIC / "SHA256SUMS").read_text().splitlines()
    assert sums
    for line in sums:
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
