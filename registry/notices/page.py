"""Render notices as a page or a PDF from one template (a child of templates/notices/base.html)."""
from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from registry.core.codes import is_zh
from registry.notices.pdf import pdf_response, render_pdf


def render_html(template: str, notices: list[dict[str, Any]], *, pdf: bool = False, **context: Any) -> str:
    return render_template(template, notices=notices, pdf=pdf, is_zh=is_zh, **context)


def wants_pdf() -> bool:
    """`?format=pdf` on a notice URL asks for the PDF."""
    return request.args.get("format", "") == "pdf"


def respond(template: str, notices: list[dict[str, Any]], filename: str, *, pdf: bool | None = None,
            **context: Any) -> Response | str:
    """The notices as HTML (with the toolbar), or — `pdf`, default `?format=pdf` — as one PDF, one notice a page."""
    if pdf if pdf is not None else wants_pdf():
        html = render_html(template, notices, pdf=True, **context)
        return pdf_response(render_pdf(html, request.url_root), filename)
    return render_html(template, notices, **context)
