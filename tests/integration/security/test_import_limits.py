"""Issue 13 High 2 (memory exhaustion through an xlsx import, open to any account) and Medium 10 (quota
part: every failed or dry-run upload kept a day, no limit per account or in total).

Hostile workbooks are generated here — a sheet of tiny highly compressible cells, one cell at
XFD1048576 (a 6 KB file for which calamine asked for 500 GB and aborted the process), repeated cell
references, a shared-strings table of millions of entries — and sent over real HTTP (API with a Bearer
token, pages with session + CSRF) by a self-registered enterprise account. Each is refused while it is
inflated, with a Chinese message naming the bound, before calamine allocates anything; peak RSS of the
test process is checked only loosely. A second concurrent import is answered 429; kept uploads stay
within per-account and total quotas, oldest pruned first.

等保 2.0 三级 资源控制 (a 单个用户/进程的最大资源限额, 并发会话数), 入侵防范; ASVS L2 12.1.1-12.1.3
(file size, decompression, per-user quota), 11.1.4 (anti-automation / resource limits).
"""
from __future__ import annotations

import io
import re
import resource
import zipfile

import pytest

from registry.core import dictionary as dd
from registry.extensions import db
from tests.builders import ANCI, csrf_from, login
from tests.builders.files import enterprise_row, workbook


def _swap_sheet(body: bytes = b"", *, shared: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A real one-sheet (企业) workbook whose sheet data is replaced by `body` (and shared strings by `shared`)."""
    good = workbook({"enterprises": [enterprise_row(1)]})
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml" and body:
                head, _, rest = data.partition(b"<sheetData>")
                data = head + b"<sheetData>" + body + b"</sheetData>" + rest.partition(b"</sheetData>")[2]
            if item.filename == "xl/sharedStrings.xml" and shared is not None:
                data = shared
            z.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _tiny_cells(rows: int, cols: int = 40) -> bytes:
    """`rows` rows × `cols` one-digit cells placed by position (no reference): ~15 bytes a cell, deflating
    ~140× — under the 200× zip-bomb check, like the attack's 195× file."""
    return b"".join(b'<row r="%d">' % r + b"<c><v>1</v></c>" * cols + b"</row>" for r in range(1, rows + 1))


@pytest.fixture()
def enterprise_auth(db_app, make_user):
    """A self-registered-like enterprise account (open sign-up) with an API token."""
    from registry.accounts.operations import create_token

    user = make_user("enterprise")
    _t, secret = create_token(user, {"name": "import"})
    db.session.commit()
    return user, {"Authorization": f"Bearer {secret}", "Accept-Language": "zh"}


@pytest.fixture()
def official_auth(db_app, make_user):
    from registry.accounts.operations import create_token

    user = make_user("county", ANCI)
    _t, secret = create_token(user, {"name": "import"})
    db.session.commit()
    return user, {"Authorization": f"Bearer {secret}", "Accept-Language": "zh"}


def _post(client, headers, data: bytes, **form):
    return client.post("/api/v1/imports", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "register.xlsx"), "dry_run": "true", **form})


def _refusal(r) -> str:
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True)[:300])
    problems = r.get_json()["report"]["problems"]
    assert len(problems) == 1 and problems[0]["row"] == 0  # the file, not a row
    return problems[0]["reason"]


def _zh(msgid: str, **kwargs) -> str:
    from flask_babel import force_locale, gettext

    with force_locale("zh"):
        return gettext(msgid, **kwargs)


# ---------------------------------------------------------------- High 2: bounded reading


def test_compressible_sheet_of_tiny_cells_is_refused_while_inflating(client, enterprise_auth):
    """High 2, the attack: a small file of tiny cells inflating far (the 3 MB / 195× file took the server from
    174 MB to 3.4 GB). An enterprise account reads at most 5,000 data rows: the scan stops at the first row
    beyond, before calamine holds a cell; the process' peak memory barely moves."""
    _user, auth = enterprise_auth
    data = _swap_sheet(_tiny_cells(20_000))
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    sheet = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert 100 < sheet.file_size / sheet.compress_size < 200  # highly compressible, yet under the 200× check
    assert inflated > 10_000_000 and len(data) < 200_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reason = _refusal(_post(client, auth, data))
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert "6,002" in reason and "企业" in reason
    assert reason.startswith(_zh("Sheet “%(sheet)s” has cells down to row %(row)s; at most %(limit)s rows are read "
                                 "(%(rows)s data rows). Delete empty rows below the data, or split the file.",
                                 sheet="企业", row="6,003", limit="6,002", rows="6,000")[:8])
    assert grown_mib < 400, f"peak RSS grew {grown_mib:.0f} MiB"


def test_one_far_away_cell_is_refused_before_calamine_allocates(client, enterprise_auth, official_auth):
    """High 2: a 6 KB workbook with a cell at XFD1048576 made calamine ask for a rows × columns block of
    500 GB (the process aborted). The furthest column and row are bounded by the template and the row limit."""
    for _user, auth in (enterprise_auth, official_auth):
        far_column = _swap_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                                 b'<c r="XFD1" t="inlineStr"><is><t>y</t></is></c></row>')
        assert len(far_column) < 10_000
        reason = _refusal(_post(client, auth, far_column))
        assert "XFD" in reason
        far_row = _swap_sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'
                              b'<row r="1048576"><c r="B1048576"><v>2</v></c></row>')
        assert "1,048,576" in _refusal(_post(client, auth, far_row))
        # lower-case references, and cells without a reference (placed right of the previous one), the same
        lower = _swap_sheet(b'<row r="1"><c r="A1"><v>1</v></c><c r="xfd1"><v>2</v></c></row>')
        assert "XFD" in _refusal(_post(client, auth, lower))
        no_refs = _swap_sheet(b"<row>" + b"<c><v>1</v></c>" * 200 + b"</row>")
        # the first column past what is read: the template's own columns + EXCHANGE_EXTRA_COLUMNS (16)
        from xlsxwriter.utility import xl_col_to_name

        from registry.core import dictionary
        first_refused = xl_col_to_name(len(dictionary.sheet("enterprises").fields) + 16)  # 0-based index
        assert first_refused in _refusal(_post(client, auth, no_refs))


def test_repeated_cells_and_a_huge_shared_strings_table_are_refused(client, db_app, official_auth, enterprise_auth):
    """High 2: the number of cells (repeated references pile up inside calamine without widening the sheet)
    and the shared strings (held whole) are bounded by what the row limit can need."""
    _user, auth = official_auth
    db_app.config["EXCHANGE_MAX_ROWS"] = 100
    try:
        repeated = _swap_sheet(b'<row r="2">' + b'<c r="A2"><v>1</v></c>' * 200_000 + b"</row>")
        reason = _refusal(_post(client, auth, repeated))
        assert reason == _zh("Sheet “%(sheet)s” holds more than %(limit)s cells; split the file.", sheet="企业",
                             limit=f"{(100 + 2 + 1000) * (len(dd.sheet('enterprises').fields) + 16):,}")
    finally:
        db_app.config.pop("EXCHANGE_MAX_ROWS")
    _user, auth = enterprise_auth
    shared = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              + b"<si><t>x</t></si>" * 3_000_000 + b"</sst>")
    data = _swap_sheet(shared=shared)
    assert len(data) < 1_000_000
    reason = _refusal(_post(client, auth, data))
    assert "MiB" in reason


def test_ordinary_files_still_import_within_the_bounds(client, enterprise_auth, official_auth):
    """The bounds refuse nothing a real template file holds (the exchange tests cover the rest)."""
    _user, auth = official_auth
    r = _post(client, auth, workbook({"enterprises": [enterprise_row(i) for i in range(1, 30)]}))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.get_json()["sheets"][0]["create"] == 29
    # an extra sheet that is not a template sheet is ignored, and never read by calamine
    data = _swap_sheet(extra={})
    assert _post(client, auth, data).status_code == 200


def test_enterprise_accounts_get_the_self_service_limits(client, enterprise_auth, db_app):
    """High 2: anyone can sign up, so an enterprise account's import is bounded by EXCHANGE_SELF_SERVICE_*
    (8 MiB, 5,000 rows per sheet), not by the officials' 64 MiB and 500,000 rows."""
    _user, auth = enterprise_auth
    assert db_app.config["EXCHANGE_SELF_SERVICE_MAX_ROWS"] == 5_000
    assert db_app.config["EXCHANGE_SELF_SERVICE_MAX_BYTES"] == 8 * 1024 * 1024
    big = b"PK\x03\x04" + b"\0" * (8 * 1024 * 1024)
    assert "MiB" in _refusal(_post(client, auth, big))
    db_app.config["EXCHANGE_SELF_SERVICE_MAX_ROWS"] = 3
    try:
        reason = _refusal(_post(client, auth, workbook({"enterprises": [enterprise_row(i) for i in range(1, 6)]})))
        assert "3" in reason
    finally:
        db_app.config["EXCHANGE_SELF_SERVICE_MAX_ROWS"] = 5_000


def test_a_second_concurrent_import_is_refused_with_429(client, enterprise_auth, official_auth, make_user):
    """High 2: one import at a time per account and EXCHANGE_MAX_CONCURRENT_IMPORTS (2) in all; the
    next one is answered 429 with a message, not queued in memory."""
    from registry.exchange import operations as ops

    user, auth = enterprise_auth
    data = workbook({"enterprises": [enterprise_row(1)]})
    with ops.import_slot(user):  # this account's first import is still being checked
        r = _post(client, auth, data)
        assert r.status_code == 429
        assert r.get_json()["code"] == "too_many_requests"
        assert r.get_json()["message"] == _zh("An import of yours is still being checked. Wait until it has "
                                              "finished, then try again.")
        other, other_auth = official_auth
        assert _post(client, other_auth, data).status_code in (200, 422)  # another account may import
        with ops.import_slot(other):  # now two imports run: the total is reached
            third = make_user("county", ANCI)
            from registry.accounts.operations import create_token

            _t, secret = create_token(third, {"name": "x"})
            db.session.commit()
            r = _post(client, {"Authorization": f"Bearer {secret}"}, data)
            assert r.status_code == 429
            assert r.get_json()["message"] == _zh("Too many imports are being checked right now. Try again in a few minutes.")
    assert _post(client, auth, data).status_code in (200, 422)  # the slot is free again


# ---------------------------------------------------------------- Medium 10: upload quotas


@pytest.fixture()
def uploads_dir(db_app, tmp_path):
    old = db_app.instance_path
    db_app.instance_path = str(tmp_path)
    yield tmp_path / "exchange-uploads"
    db_app.instance_path = old


def _dry_run_page(client, token: str, data: bytes, name: str = "县登记.xlsx"):
    return client.post("/exchange/import", data={"csrf_token": token, "dry_run": "1", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _kept_token(html: str) -> str | None:
    m = re.search(r'/exchange/import/([0-9a-f]{32})', html)
    return m.group(1) if m else None


def test_kept_uploads_stay_within_the_per_account_quota_oldest_pruned(client, make_user, uploads_dir, db_app):
    """Medium 10: every dry run kept its file (up to 64 MiB) for a day, without limit. Now an account keeps
    at most EXCHANGE_UPLOADS_PER_USER files (5) within EXCHANGE_UPLOADS_PER_USER_BYTES; the oldest go first."""
    make_user("county", ANCI, username="quota")
    login(client, "quota")
    token = csrf_from(client.get("/exchange/").get_data(as_text=True))
    data = workbook({"enterprises": [enterprise_row(1)]})
    kept = []
    for _ in range(7):
        r = _dry_run_page(client, token, data)
        assert r.status_code == 200
        kept.append(_kept_token(r.get_data(as_text=True)))
    assert all(kept) and len(list(uploads_dir.iterdir())) == 5
    assert client.get(f"/exchange/import/{kept[0]}/report.xlsx").status_code == 404  # pruned
    assert client.get(f"/exchange/import/{kept[-1]}/report.xlsx").status_code == 200
    # the byte quota: a file larger than the account may keep is not kept, and the page says so
    quota = db_app.config["EXCHANGE_UPLOADS_PER_USER_BYTES"]
    db_app.config["EXCHANGE_UPLOADS_PER_USER_BYTES"] = len(data) // 2
    try:
        r = _dry_run_page(client, token, data)
        html = r.get_data(as_text=True)
        assert r.status_code == 200 and _kept_token(html) is None
        assert _zh("This file was not kept for a later import: it is larger than the %(limit)s MiB an account may "
                   "keep. Import it directly (without a dry run).", limit="0")[:6] in html
    finally:
        db_app.config["EXCHANGE_UPLOADS_PER_USER_BYTES"] = quota


def test_kept_uploads_stay_within_the_total_quota(client, make_user, uploads_dir, db_app):
    """Medium 10: all accounts together keep at most EXCHANGE_UPLOADS_TOTAL_BYTES; the oldest uploads go first."""
    data = workbook({"enterprises": [enterprise_row(1)]})
    quota = db_app.config["EXCHANGE_UPLOADS_TOTAL_BYTES"]
    db_app.config["EXCHANGE_UPLOADS_TOTAL_BYTES"] = 3 * (len(data) + 200)
    try:
        for name in ("quota1", "quota2"):
            make_user("county", ANCI, username=name)
            login(client, name)
            token = csrf_from(client.get("/exchange/").get_data(as_text=True))
            for _ in range(3):
                assert _dry_run_page(client, token, data).status_code == 200
            client.post("/logout", data={"csrf_token": token})
        files = list(uploads_dir.iterdir())
        assert len(files) == 3 and sum(f.stat().st_size for f in files) <= 3 * (len(data) + 200)
    finally:
        db_app.config["EXCHANGE_UPLOADS_TOTAL_BYTES"] = quota
