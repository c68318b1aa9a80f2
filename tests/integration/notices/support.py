"""What the notice tests share: the PDF's text, the page's text outside the 依据, the patterns of raw codes."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

RULE_ID = re.compile(r"\bR-[A-Z]+-\d+\b")
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """PDF text without the line breaks and spaces the layout put in."""
    return re.sub(r"\s+", "", text)


def body_without_basis(html: str) -> str:
    """The page's text outside the 依据 sections, the hover titles and the markup."""
    html = re.sub(r'<section class="basis".*?</section>', "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)
