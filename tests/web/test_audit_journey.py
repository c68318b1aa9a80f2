"""The audit administrator's journey in a real browser (等保 2.0 安全审计): sign in, see only the audit
log in the navigation, search by action, export the result as CSV, verify the hash chain, and find the
export itself in the log."""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.builders import ANCI, PASSWORD
from tests.builders.browser import log_in

pytestmark = pytest.mark.web


def test_the_audit_administrator_searches_exports_and_verifies(new_page, make_account):
    make_account("shenji", "audit_admin", full_name="审计管理员")
    make_account("anci-official", "county", ANCI)
    make_account("qiye-user", "enterprise")
    someone = new_page()  # a sign-in by someone else, so the log holds more than account creations
    log_in(someone, "qiye-user", PASSWORD)

    page = new_page()
    page.goto("/lang/en")
    log_in(page, "shenji", PASSWORD)
    page.wait_for_url(re.compile(r"/audit/$"))
    nav = [a.get_attribute("href") for a in page.locator("nav.mainnav a").all()]
    assert nav == ["/audit/"], nav

    page.select_option("select[name=action]", "user.create")  # a select of labels (issue 16), the code as value
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"/audit/\?.*action=user\.create"))
    cells = page.locator("table.table tbody td.audit-action")
    actions = [c.strip() for c in cells.all_inner_texts()]
    assert actions and set(actions) == {"Account created"}, actions
    assert {cells.nth(i).get_attribute("title") for i in range(cells.count())} == {"user.create"}  # code on hover
    assert len(actions) == 3  # shenji, anci-official, qiye-user
    assert "user.login" not in page.locator("table.table").inner_text()

    with page.expect_download() as info:
        page.click("a[href^='/audit/export.csv']")
    download = info.value
    assert download.suggested_filename == "audit-log.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    column = header.index("action")
    assert len(body) == 3 and {r[column] for r in body} == {"user.create"}, rows

    page.click("a[href='/audit/verify']")
    page.wait_for_url(re.compile(r"/audit/verify$"))
    status = page.locator(".alert-success").inner_text()
    assert "chain is intact" in status, status
    assert page.locator(".alert-error").count() == 0

    page.goto("/audit/?action=audit.export")  # the export is itself in the log, under the auditor's name
    assert page.locator("table.table tbody td.audit-action").all_inner_texts() == ["Audit log exported"]
    assert "shenji" in page.locator("table.table tbody").inner_text()
