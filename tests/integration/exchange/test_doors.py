"""The same import and export through the CLI, the JSON API and the pages (issue 8)."""
from __future__ import annotations

import io
import json

import pytest

from tests.builders import ANCI, csrf_from, login
from tests.builders.files import enterprise_row, full_book, workbook
from tests.integration.exchange.conftest import counts

# ---- CLI ----

def test_cli_import_dry_run_then_real_then_export_and_template(db_app, tmp_path, make_user):
    runner = db_app.test_cli_runner()
    path = tmp_path / "县登记.xlsx"
    path.write_bytes(full_book((1, 2)))
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "enterprises" in result.output and counts()["enterprise"] == 0
    result = runner.invoke(args=["import", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert counts()["enterprise"] == 2
    make_user("county", ANCI, username="anci.official")
    result = runner.invoke(args=["import", str(path), "--as", "anci.official", "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["sheets"][0]["unchanged"] == 2
    out = tmp_path / "all.xlsx"
    result = runner.invoke(args=["export", "all", "-o", str(out)])
    assert result.exit_code == 0 and out.stat().st_size > 1000
    csv = tmp_path / "lines.csv"
    assert runner.invoke(args=["export", "lines", "--format", "csv", "-o", str(csv)]).exit_code == 0
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    tpl = tmp_path / "t.xlsx"
    assert runner.invoke(args=["template", "-o", str(tpl), "--lang", "en"]).exit_code == 0 and tpl.exists()


def test_cli_import_with_problems_exits_1_and_writes_the_annotated_report(db_app, tmp_path):
    runner = db_app.test_cli_runner()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook({"enterprises": [enterprise_row(1, sector="炼金术")]}))
    report = tmp_path / "report.xlsx"
    result = runner.invoke(args=["import", str(path), "--report", str(report)])
    assert result.exit_code == 1 and "炼金术" in result.output
    assert report.exists() and counts()["enterprise"] == 0


def test_cli_unknown_user(db_app, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(full_book((1,)))
    result = db_app.test_cli_runner().invoke(args=["import", str(path), "--as", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output


# ---- API ----

@pytest.fixture()
def official_token(db_app, make_user):
    from registry.accounts.operations import create_token
    from registry.extensions import db

    user = make_user("county", ANCI)
    _t, secret = create_token(user, {"name": "import"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _post(client, headers, data: bytes, query: str = "", **form):
    return client.post(f"/api/v1/imports{query}", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "register.xlsx"), **form})


def test_api_import_dry_run_real_and_report_workbook(client, official_token):
    r = _post(client, official_token, full_book((1,)), dry_run="true")
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["dry_run"] and not body["written"] and body["sheets"][0]["create"] == 1
    assert counts()["enterprise"] == 0
    r = _post(client, official_token, full_book((1,)))
    assert r.status_code == 200 and r.get_json()["written"]
    assert counts()["enterprise"] == 1
    bad = workbook({"enterprises": [enterprise_row(2, sector="炼金术")]})
    r = _post(client, official_token, bad)
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "invalid_rows" and body["errors"] and body["report"]["problems"][0]["row"] == 2
    r = _post(client, official_token, bad, query="?format=xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")


def test_api_import_without_a_file_or_with_a_broken_one(client, official_token):
    r = client.post("/api/v1/imports", headers=official_token, json={})
    assert r.status_code == 422 and r.get_json()["errors"]["file"]
    r = _post(client, official_token, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert r.status_code == 422 and r.get_json()["report"]["problems"][0]["reason"]


def test_api_english_messages(client, official_token):
    r = _post(client, {**official_token, "Accept-Language": "en"}, workbook({"enterprises": [enterprise_row(1, region_code="999999")]}))
    assert r.status_code == 422 and "Unknown region code" in json.dumps(r.get_json(), ensure_ascii=False)


def test_api_export(client, official_token, db_app):
    assert _post(client, official_token, full_book((1,))).status_code == 200
    r = client.get("/api/v1/exports/permits?format=csv", headers=official_token)
    assert r.status_code == 200 and r.mimetype == "text/csv" and "许可证编号" in r.get_data().decode("utf-8-sig")
    r = client.get("/api/v1/exports/all", headers=official_token)
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert client.get("/api/v1/exports/all?format=csv", headers=official_token).status_code == 422
    assert client.get("/api/v1/exports/nonsense", headers=official_token).status_code == 422
    from flask import g

    for key in list(vars(g)):  # the test request context shares g (see tests/api/conftest.py)
        delattr(g, key)
    assert client.get("/api/v1/exports/all").status_code == 401


def test_api_upload_over_the_limit_is_413_not_500(client, official_token, db_app):
    db_app.config["EXCHANGE_MAX_BYTES"] = 10
    try:
        r = _post(client, official_token, b"x" * (2 * 1024 * 1024))
    finally:
        db_app.config.pop("EXCHANGE_MAX_BYTES")
    assert r.status_code == 413 and r.get_json()["code"]


# ---- pages ----

def test_pages_upload_dry_run_confirm_and_annotated_report(client, make_user):
    make_user("county", ANCI, username="anci")
    login(client, "anci")
    page = client.get("/exchange/")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    assert client.get("/exchange/template?lang=en").status_code == 200
    r = client.post("/exchange/import", data={"csrf_token": token, "dry_run": "1",
                                               "file": (io.BytesIO(full_book((1, 2))), "县登记.xlsx")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and counts()["enterprise"] == 0
    import re

    confirm = re.search(r'action="(/exchange/import/[0-9a-f]{32})"', html).group(1)
    r = client.post(confirm, data={"csrf_token": token})
    assert r.status_code == 200 and counts()["enterprise"] == 2
    # a file with problems: 422, the problem table and a link to the annotated workbook
    r = client.post("/exchange/import", data={"csrf_token": token,
                                               "file": (io.BytesIO(workbook({"enterprises": [enterprise_row(3, sector="炼金术")]})), "坏.xlsx")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "炼金术" in html
    link = re.search(r'href="(/exchange/import/[0-9a-f]{32}/report.xlsx)"', html).group(1)
    r = client.get(link)
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert client.get("/exchange/export/lines?format=csv").status_code == 200
    assert client.post("/exchange/import", data={"csrf_token": token}).status_code == 422
    assert client.post("/exchange/import/" + "0" * 32, data={"csrf_token": token}).status_code == 404


def test_pages_need_a_login(client):
    r = client.get("/exchange/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_page_upload_larger_than_the_apps_body_limit_is_read(client, make_user, db_app):
    """The app refuses bodies over 8 MiB; the exchange raises that to EXCHANGE_MAX_BYTES before CSRF reads the form."""
    make_user("county", ANCI, username="big")
    login(client, "big")
    token = csrf_from(client.get("/exchange/").get_data(as_text=True))
    junk = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * (9 * 1024 * 1024)
    r = client.post("/exchange/import", data={"csrf_token": token, "file": (io.BytesIO(junk), "big.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "密码" in r.get_data(as_text=True)


def test_english_header_template_leaves_the_pages_in_chinese(client, make_user):
    """Issue 16 (found by the crawl): downloading the English-header template switched every later page and
    export to English — a download's header language is its own choice (`?headers=en`), not the reader's."""
    from python_calamine import CalamineWorkbook

    make_user("county", ANCI, username="anci")
    login(client, "anci")
    english = client.get("/exchange/template?headers=en")
    assert english.status_code == 200
    assert "Enterprises" in CalamineWorkbook.from_filelike(io.BytesIO(english.data)).sheet_names
    assert 'lang="zh-CN"' in client.get("/exchange/").get_data(as_text=True)
    export = client.get("/exchange/export/enterprises?format=xlsx")
    assert "企业" in CalamineWorkbook.from_filelike(io.BytesIO(export.data)).sheet_names
