"""A policy document's text, line by line (issue 20): what an official uploads to cite in a draft pack.

`extract_lines(filename, data)` reads PDF (pypdf), DOCX (python-docx: paragraphs, then table cells row by row) and
plain text (UTF-8, UTF-8 with BOM, else GB18030 — the encoding Chinese government sites still publish in), and
returns the text as lines, numbered from 1 by their position, as the shipped sources under /work/shared/sources are
cited (`000:129` = document 000, line 129). Lines keep their words; runs of spaces and the PDF's page furniture are
not reinterpreted. A file that is not one of these, is broken or encrypted, or holds no text (a scan) is refused
with a DocumentError whose message says so in the reader's language.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from flask_babel import gettext as _

MAX_BYTES = 20 * 1024 * 1024  # a policy document is text; a scan of hundreds of pages is refused earlier
MAX_LINES = 50_000
MAX_PAGES = 2_000
MAX_UNZIPPED = 200 * 1024 * 1024  # a DOCX is a zip: its parts together, uncompressed (a zip bomb is refused unread)
KINDS = {".pdf": "pdf", ".docx": "docx", ".txt": "text", ".text": "text", ".md": "text"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DocumentError(ValueError):
    """The uploaded document cannot be read; `code` for tests and logs, the message in the reader's language."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def kind_of(filename: str, data: bytes) -> str:
    """pdf | docx | text, from the content first (a renamed file is read for what it is), then the extension."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: the old .doc / .wps format
        raise DocumentError("old_word", _("The old Word format (.doc) cannot be read: save the document as .docx or PDF "
                                         "and upload it again."))
    ext = PurePath(filename or "").suffix.lower()
    if ext in (".pdf", ".docx"):
        return KINDS[ext]  # the content says otherwise: reported as broken by the reader
    if ext in KINDS or not ext:
        return "text"
    raise DocumentError("unsupported", _("Files of type %(ext)s cannot be read: upload a PDF, a DOCX or a text file.",
                                         ext=ext))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DocumentError("encoding", _("The text file is neither UTF-8 nor GB18030: save it as UTF-8 and upload it "
                                          "again.")) from None


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentError("encrypted", _("The PDF is protected by a password: upload an unprotected copy."))
            except DocumentError:
                raise
            except Exception:  # noqa: BLE001 - pypdf raises several kinds for unsupported encryption
                raise DocumentError("encrypted", _("The PDF is protected by a password: upload an unprotected copy.")) from None
        if len(reader.pages) > MAX_PAGES:
            raise DocumentError("too_long", _("The document has more than %(n)s pages.", n=MAX_PAGES))
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise DocumentError("broken", _("The PDF cannot be read (%(reason)s): upload the original file.",
                                        reason=type(exc).__name__)) from None
    return "\n".join(pages)


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise DocumentError("too_large", _("The DOCX unpacks to more than %(mb)s MB.",
                                                   mb=MAX_UNZIPPED // (1024 * 1024)))
        document = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError("broken", _("The DOCX cannot be read (%(reason)s): upload the original file.",
                                        reason=type(exc).__name__)) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # tables (annexes: lists of enterprises, ratios) after the body, row by row
        for row in table.rows:
            cells = []
            for cell in row.cells:
                text = cell.text.strip()
                if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                    cells.append(text)
            if cells:
                lines.append("\t".join(cells))
    return "\n".join(lines)


def extract_lines(filename: str, data: bytes) -> list[str]:
    """The document's text as numbered lines (line n is `lines[n - 1]`), trailing spaces and control characters
    removed; raises DocumentError (in the reader's language) for what cannot be read."""
    if not data:
        raise DocumentError("empty", _("The file is empty."))
    if len(data) > MAX_BYTES:
        raise DocumentError("too_large", _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)))
    kind = kind_of(filename, data)
    text = _pdf_text(data) if kind == "pdf" else _docx_text(data) if kind == "docx" else _decode(data)
    lines = [_CONTROL.sub("", line).rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    if not any(line.strip() for line in lines):
        raise DocumentError("no_text", _("No text was found in the document (a scanned image?): upload a document "
                                         "with text, or its text as a .txt file."))
    if len(lines) > MAX_LINES:
        raise DocumentError("too_long", _("The document has more than %(n)s lines.", n=MAX_LINES))
    return lines
