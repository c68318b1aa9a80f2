"""Every role, every page it can reach, in Chinese: no raw code, no English, no rule id outside the 依据 detail
(issue 16 item 2).

One demo city is built, then headless Chromium signs in as each demo role (and visits as the public), follows
every same-site link from the landing page breadth-first (GET only; two pages per URL shape), and reads what a
person sees: the page's visible text without its 依据 details (`details.basis`, `.basis`), the headings, the
charts' option data (legend, axes, series names) and the Excel exports opened as sheets. A finding names the
role, the page and the offending words; the test fails listing them all, so one run shows the whole picture.

The allowlist is short and each entry says why.
"""
from __future__ import annotations

import io
import os
import re
from collections import deque
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from registry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=3)]

ROLES = ("admin", "anquan", "shenji", "hebei", "langfang", "langfang2", "anci", "shijiazhuang", "jiyuan", "jizhou",
         "qiye", None)  # None: the public, signed out
PER_SHAPE = 2     # pages visited per URL shape (/enterprises/N → one shape)
PER_ROLE = 120    # a bound, so a link explosion shows up as a finding rather than an endless run

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
RULE_ID = re.compile(r"\bR-[A-Z]{1,3}(?:-[A-Z]{1,3})?-\d{2}[a-z]?\b")
SOURCE_REF = re.compile(r"\b00\d:\d{1,4}\b")
ENGLISH = re.compile(r"(?<![A-Za-z0-9@._/-])[A-Za-z]{4,}(?![A-Za-z0-9@_-])")
HASH = re.compile(r"\b[0-9a-f]{10,}\b")

ALLOWED_WORDS = {
    "CEMS",     # 在线监测 is called CEMS in the sources themselves (001:107, 003:55)
    "VOCs",     # the sources write VOCs (003, 004)
    "NOx",      # pollutant symbol as the sources write it
    "Excel",    # the file format officials exchange; the sources' own word
    "Lantian", "Registry",  # the product's name in the header
    "English",  # the language switch offers English in its own language
    "USCC",     # never shown as main text; kept only if a page prints the abbreviation beside 统一社会信用代码
    "TOTP",     # the authenticator standard's name, printed beside 动态口令 on the security page
    "OpenAPI", "ReDoc", "JSON", "YAML", "HTTP", "HTTPS",  # format and protocol names on the API pages
    "Cookie",   # 会话 Cookie: the word Chinese browsers and guides use
    "xlsx",     # the file extension officials see in their file manager
    "Authorization", "Bearer",  # the HTTP header an API client sends, shown on the token page as it must be typed
} | {name for name, *_ in DEMO_ACCOUNTS} | {"qiye"}  # login names are what people type: data, not labels

CODE_COLUMNS = {"规则编号"}  # sheet columns that are code columns by their header (see _sheet_texts)
SKIP_PATHS = ("/logout", "/static/", "/lang/", "/api/", "/healthz")
DOWNLOAD = re.compile(r"\.(xlsx|csv|pdf|zip|json|jsonl|yaml)$|[?&]format=(xlsx|csv|pdf|zip)")
SHEET = re.compile(r"\.xlsx$|[?&]format=xlsx")


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k for k, _ in parse_qsl(parts.query))
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _normal(base: str, href: str) -> str | None:
    url = urljoin(base, href.split("#")[0])
    parts = urlsplit(url)
    if parts.netloc != urlsplit(base).netloc or any(parts.path.startswith(s) for s in SKIP_PATHS):
        return None
    if "lang=en" in parts.query:  # a link the reader follows to switch to English on purpose
        return None
    query = urlencode(sorted(parse_qsl(parts.query)))
    return parts.path + ("?" + query if query else "")


VISIBLE = """() => {
  for (const el of document.querySelectorAll('details.basis, .basis, script, style, code, kbd, pre, [data-crawl-allow]')) el.remove();
  const headings = [...document.querySelectorAll('h1, h2, h3, title')].map(h => h.textContent);
  const charts = [];
  if (window.echarts) {
    for (const el of document.querySelectorAll('[_echarts_instance_]')) {
      const chart = window.echarts.getInstanceByDom(el);
      if (!chart) continue;
      const o = chart.getOption();
      const pick = (xs, f) => (xs || []).forEach(x => f(x || {}));
      pick(o.legend, l => (l.data || []).forEach(d => charts.push(typeof d === 'string' ? d : d.name)));
      pick(o.xAxis, a => { (a.data || []).forEach(d => charts.push(String(d && d.value !== undefined ? d.value : d))); if (a.name) charts.push(a.name); });
      pick(o.yAxis, a => { (a.data || []).forEach(d => charts.push(String(d && d.value !== undefined ? d.value : d))); if (a.name) charts.push(a.name); });
      pick(o.series, s => { if (s.name) charts.push(s.name); (s.data || []).forEach(d => { if (d && d.name) charts.push(d.name); }); });
      pick(o.title, t => { if (t.text) charts.push(t.text); });
    }
  }
  return {text: document.body ? document.body.innerText : '', headings, charts};
}"""


def findings_in(text: str) -> list[str]:
    """The words of `text` a Chinese reader should never meet."""
    found = SNAKE.findall(text) + RULE_ID.findall(text) + SOURCE_REF.findall(text)
    found += [w for w in ENGLISH.findall(text) if w not in ALLOWED_WORDS and not HASH.fullmatch(w)]
    return found


def _sheet_texts(body: bytes) -> list[tuple[str, str]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    out = []
    for meta in book.sheets_metadata:
        if "hidden" in str(meta.visible).lower():  # the drop-downs' list sheet: its labels are read via the cells
            continue
        rows = book.get_sheet_by_name(meta.name).to_python()
        header = next((r for r in rows[:3] if any(isinstance(h, str) and h.strip() in CODE_COLUMNS for h in r)), [])
        # A column headed as a code column keeps the codes for tracing, as the page's 依据 detail does (the
        # schedule export's 规则编号 beside its 依据 in words).
        skip = {i for i, h in enumerate(header) if isinstance(h, str) and h.strip() in CODE_COLUMNS}
        texts = [meta.name] + [c for row in rows for i, c in enumerate(row) if isinstance(c, str) and i not in skip]
        out.append((meta.name, "\n".join(texts)))
    return out


def crawl(page, site: str, who: str) -> list[str]:
    """Visit what `who` can reach from the landing page; the findings as 'who  url  words'."""
    problems: list[str] = []
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(["/"])
    visited = 0
    while queue and visited < PER_ROLE:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        shape = _shape(path)
        if shapes.get(shape, 0) >= PER_SHAPE:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        visited += 1
        if os.environ.get("CRAWL_VERBOSE"):
            print(f"crawl {who} {path}")
        if DOWNLOAD.search(path):
            if SHEET.search(path):
                response = page.request.get(site + path)
                if response.ok and response.body()[:2] == b"PK":
                    for sheet, text in _sheet_texts(response.body()):
                        words = findings_in(text)
                        if words:
                            problems.append(f"{who}  {path} [{sheet}]  {sorted(set(words))[:12]}")
            continue
        try:
            response = page.goto(site + path)
        except PlaywrightError as exc:  # a link that downloads a file rather than showing a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status >= 400:
            if response is not None and response.status >= 500:
                problems.append(f"{who}  {path}  HTTP {response.status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = _normal(site + path, href or "")
            if target and target not in seen:
                queue.append(target)
        seen_now = page.evaluate(VISIBLE)
        words = findings_in(seen_now["text"]) + findings_in("\n".join(seen_now["charts"]))
        words += [h for h in seen_now["headings"] if HASH.search(h)]
        if words:
            problems.append(f"{who}  {path}  {sorted(set(words))[:12]}")
    return problems


@pytest.fixture()
def whole_demo(demo_city):
    """The demo as `make run` loads it: the city (small), then every other domain's demo builder in order —
    schedules published and in draft, emergency lists, alerts… — so the crawl reaches their pages."""
    from registry.core import unit_of_work
    from registry.core.demo_builders import builders

    with demo_city.app_context():
        for builder in builders(demo_city)[1:]:
            with unit_of_work.transaction():
                builder.build(False)
    return demo_city


def test_every_role_reads_only_labels_in_chinese(whole_demo, browser, site):
    problems: list[str] = []
    for who in ROLES:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=site, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            page.goto("/lang/zh")
            if who:
                log_in(page, who, DEMO_PASSWORD)
            problems += crawl(page, site, who or "public")
        finally:
            context.close()
    assert not problems, f"{len(problems)} pages show codes or English:\n" + "\n".join(problems)
