"""Notices fit to post at a factory gate (issue 16 item 4): HTML with a print stylesheet, and PDF.

Generic, so every domain's notice looks the same (the staggered-production notice, the emergency notice, the
alert-day order):

- `letterhead.py`: the letterhead — issuing authority (发文机关), document number (文号), date written the
  Chinese way (二〇一七年十一月十五日; ISO in English) — with defaults (`default_authority`).
- `templates/notices/base.html`: the page. It renders `notices`, a list of dicts (the shape below), one
  `<article class="notice">` each, one per printed page (static/css/notice.css: A4, serif CJK, red rule).
  A domain template extends it and may override the scoped blocks `notice_body`, `notice_measures`,
  `notice_extra` (the loop variable is `notice`).
- `pdf.py`: `render_pdf(html, base_url)` → bytes with WeasyPrint; stylesheets and images are read from the
  app's static folder only (no network); `pdf_response`, `zip_stream` (a ZIP of per-notice PDFs streamed as
  they are made, for a city's hundreds of enterprises).

A notice dict::

    {"key": "123",                          # anchor and file name part
     "title": "关于…的通知",
     "letterhead": letterhead(authority, number, issued_on),
     "addressee": {"name": …, "uscc": …, "region": …, "address": …},
     "paragraphs": ["…"],                   # the body, plain text
     "lines": [{"line": "1号烧结机", "measure": "停产", "detail": "…", "window": "2017年11月15日至2018年3月14日"}],
     "sections": [{"heading": "运输管控", "items": ["…"]}],
     "basis": [{"citation": "《…》第129行", "rules": ["R-LF-01"]}],   # rule ids only on hover (basis.basis_of)
     "no_lines_text": "…",                  # optional: printed instead of an empty measures table
     "draft": False,                        # True: a red "not published" mark
     "own_url": "…",                        # optional: a "print this notice" link on a many-notice page
     "contact": "…"}                        # optional closing line

From the shell, `bulk.write_notices(template, notices, "x.pdf" | "x.zip", progress)` writes a whole list.
See docs/notices.md.
"""
