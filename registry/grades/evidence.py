"""Evidence files: recognise the type by its magic bytes, bound the size, store by SHA-256 outside the web root.

A file named .pdf that is really an executable is refused whatever its extension says; the name's
extension must agree with the content. Files live under instance/evidence/<aa>/<sha256> (or
GRADE_EVIDENCE_DIR), never under static/, and are served only through a scope-checked view.
"""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# extension → MIME type we serve it as
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


class EvidenceRejected(ValueError):
    """The message is a lazy msgid: str(exc) is in the current locale."""


def detect(data: bytes) -> set[str]:
    """Extensions the content is compatible with, from its magic bytes (empty: unknown type)."""
    if data.startswith(b"%PDF-"):
        return {"pdf"}
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"png"}
    if data.startswith(b"\xff\xd8\xff"):
        return {"jpg", "jpeg"}
    if data.startswith(OLE2):
        return {"doc", "xls"}
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return set()
        if "[Content_Types].xml" not in names:
            return set()
        if any(n.startswith("word/") for n in names):
            return {"docx"}
        if any(n.startswith("xl/") for n in names):
            return {"xlsx"}
    return set()


def check(filename: str, data: bytes) -> str:
    """The content type to store, or EvidenceRejected with the reason."""
    limit = int(current_app.config.get("GRADE_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))
    if not data:
        raise EvidenceRejected(_l("The file is empty."))
    if len(data) > limit:
        raise EvidenceRejected(_l("The file is too large."))
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in TYPES:
        raise EvidenceRejected(_l("Only PDF, PNG, JPEG and Office (doc, docx, xls, xlsx) files are accepted."))
    if ext not in detect(data):
        raise EvidenceRejected(_l("The file's content does not match its type."))
    return TYPES[ext]


def root() -> Path:
    return Path(current_app.config.get("GRADE_EVIDENCE_DIR") or os.path.join(current_app.instance_path, "evidence"))


def path_for(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def store(filename: str, data: bytes) -> StoredFile:
    """Check and write the file once per content (content-addressed: the same scan twice is one file)."""
    content_type = check(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError:  # disk full, quota, I/O error: leave no partial file behind
            tmp.unlink(missing_ok=True)
            raise
    return StoredFile(digest, len(data), content_type)
