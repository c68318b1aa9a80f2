"""Where a `next=` parameter may send a browser: a path on this site and nothing else (ASVS V5.1.5).

Browsers read a Location header leniently (WHATWG URL): they drop tab, CR and LF anywhere, strip
leading and trailing control characters and spaces, and read a backslash as a slash, so
`/\t/evil.example` or `/\\evil.example` arrive as `//evil.example`, another site (issue 13 M6). A
target is therefore accepted only when it is already in the form that needs no such repair: no
control or other non-printable character, no backslash, no surrounding space, one leading slash
and no scheme or host. Anything else is refused (the caller uses its default page), never
"cleaned", so what is checked is byte for byte what is sent.
"""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_path(target: object) -> str | None:
    """`target` if it is a same-origin path (with optional query and fragment), else None."""
    if not isinstance(target, str) or not target or len(target) > 2048:
        return None
    if not target.isprintable() or "\\" in target or target != target.strip():
        return None  # control characters (C0, DEL, C1), line or paragraph separators, backslashes
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target
