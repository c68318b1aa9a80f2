"""Notices as PDF with WeasyPrint (issue 16 item 4): one document, or a ZIP of one PDF per notice, streamed.

WeasyPrint lays the HTML out with Pango, so the CJK glyphs come from the system's fonts (fonts-noto-cjk,
installed by `make system-deps`). It never goes to the network: stylesheets and images are read from the
application's static folder only (`StaticFetcher`), anything else is refused — a notice's text is data typed
by users and must not make the server fetch a URL.
"""
from __future__ import annotations

import io
import mimetypes
import zipfile
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote, urlsplit

from flask import Response, current_app
from werkzeug.utils import safe_join

PDF_MIMETYPE = "application/pdf"
ZIP_MIMETYPE = "application/zip"


def _weasyprint():
    """Imported on first use: the application starts (and serves HTML notices) without Pango installed."""
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    return weasyprint, URLFetcher, URLFetcherResponse


def static_fetcher(static_folder: str, static_url_path: str):
    """A WeasyPrint URL fetcher that serves `<static_url_path>/…` from `static_folder` and refuses the rest."""
    _wp, URLFetcher, URLFetcherResponse = _weasyprint()
    prefix = static_url_path.rstrip("/") + "/"

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.path.startswith(prefix):
                raise ValueError(f"notices read static files only, not {url!r}")
            path = safe_join(static_folder, parts.path[len(prefix):])
            if path is None:
                raise ValueError(f"outside the static folder: {url!r}")
            with open(path, "rb") as fh:
                body = fh.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return StaticFetcher()


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF of an HTML page (a notice template's output). `base_url` resolves its relative links (the
    request's url_root); linked stylesheets are read from the app's static folder."""
    weasyprint, _f, _r = _weasyprint()
    fetcher = static_fetcher(current_app.static_folder or "", current_app.static_url_path or "/static")
    return weasyprint.HTML(string=html, base_url=base_url or "http://localhost/", url_fetcher=fetcher).write_pdf()


def render_pdf_pages(htmls: Iterable[str], base_url: str | None = None,
                     progress: Callable[[int], None] | None = None) -> bytes:
    """One PDF of several HTML documents, laid out one after the other (WeasyPrint's documented way to join
    documents: their pages copied into the first one). `progress(n)` after each: a long list reports as it goes."""
    weasyprint, _f, _r = _weasyprint()
    fetcher = static_fetcher(current_app.static_folder or "", current_app.static_url_path or "/static")
    documents = []
    for html in htmls:
        documents.append(weasyprint.HTML(string=html, base_url=base_url or "http://localhost/", url_fetcher=fetcher).render())
        if progress:
            progress(len(documents))
    if not documents:
        return render_pdf("<html><body></body></html>", base_url)
    return documents[0].copy([page for doc in documents for page in doc.pages]).write_pdf()


def _disposition(filename: str, inline: bool) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266), for Chinese file names."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> Response:
    return Response(pdf, mimetype=PDF_MIMETYPE, headers={"Content-Disposition": _disposition(filename, inline)})


class _Sink(io.RawIOBase):
    """A write-only, unseekable file for zipfile: what is written is taken out by `drain()` and sent."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        data = bytes(b)
        self._chunks.append(data)
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def drain(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def zip_stream(items: Iterable[tuple[str, Callable[[], bytes]]]) -> Iterator[bytes]:
    """A ZIP of (file name, make the bytes) items, yielded as each member is made: the download starts with the
    first notice and its size grows as the city's notices are rendered, instead of a long silent wait."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, make in items:
            archive.writestr(name, make())
            yield sink.drain()
    yield sink.drain()


def zip_response(stream: Iterator[bytes], filename: str) -> Response:
    return Response(stream, mimetype=ZIP_MIMETYPE, headers={"Content-Disposition": _disposition(filename, False)})


def safe_filename(text: str) -> str:
    """A file name part from an enterprise's name: no path separators or control characters."""
    cleaned = "".join(c for c in str(text) if c.isprintable() and c not in '/\\:*?"<>|').strip()
    return cleaned[:80] or "notice"
