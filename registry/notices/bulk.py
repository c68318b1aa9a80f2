"""A whole list's notices written to a file from the command line, with progress (a city has hundreds):
`.pdf` → one PDF, one notice a page; `.zip` → one PDF per enterprise. Used by `flask schedule notices` and
`flask emergency notices`."""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any

from flask import current_app

from registry.notices.page import render_html
from registry.notices.pdf import render_pdf, render_pdf_pages, safe_filename

CHUNK = 20  # notices laid out together in the one-PDF file


def write_notices(template: str, notices: list[dict[str, Any]], path: str,
                  progress: Callable[[int, int], None] | None = None, **context: Any) -> int:
    """Write `notices` (rendered with `template`) to `path` (.pdf or .zip); returns how many were written."""
    report = progress or (lambda done, total: None)
    total = len(notices)
    base = "http://localhost/"
    with current_app.test_request_context("/"):
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for i, item in enumerate(notices):
                    name = f"{i + 1:04d}-{safe_filename(item['addressee']['name'])}.pdf"
                    archive.writestr(name, render_pdf(render_html(template, [item], pdf=True, **context), base))
                    report(i + 1, total)
            return total
        chunks = [notices[i:i + CHUNK] for i in range(0, total, CHUNK)]
        htmls = (render_html(template, chunk, pdf=True, **context) for chunk in chunks)
        data = render_pdf_pages(htmls, base, lambda n: report(min(n * CHUNK, total), total))
    with open(path, "wb") as fh:
        fh.write(data)
    return total
