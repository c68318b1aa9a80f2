"""Issue 20 item 2: a policy document's text is extracted with maintained libraries (pypdf for PDF, python-docx for
DOCX, UTF-8 / GB18030 text) into numbered lines, tested on documents generated here with Chinese text; what
cannot be read is refused with a Chinese message, never a traceback."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from registry.authoring.documents import DocumentError, extract_lines

CLAUSES = [
    "廊坊市2026-2027年秋冬季错峰生产方案",
    "一、钢铁企业：采暖季限产50%，以高炉生产能力计。",
    "二、铸造企业：黄色及以上预警期间全部停产。",
    "三、执行时间：2026年11月15日至2027年3月15日。",
]


@pytest.fixture(scope="module")
def app():
    from config import Testing
    from registry import create_app

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Config)


@pytest.fixture()
def zh(app):
    with app.test_request_context("/"), force_locale("zh"):
        yield


def _pdf(lines: list[str]) -> bytes:
    import weasyprint

    body = "".join(f"<p>{line}</p>" for line in lines)
    html = ("<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC';"
            f"font-size:11pt}} p{{margin:0 0 4pt 0}}</style></head><body>{body}</body></html>")
    return weasyprint.HTML(string=html).write_pdf()


def _docx(lines: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_pdf_generated_from_chinese_html_reads_back_line_by_line(zh):
    """A WeasyPrint PDF of four Chinese paragraphs gives the four clauses, in order (the percentages and dates are
    what an official cites)."""
    lines = extract_lines("方案.pdf", _pdf(CLAUSES))
    text = [line.replace(" ", "") for line in lines if line.strip()]
    assert text == [c.replace(" ", "") for c in CLAUSES]


def test_docx_paragraphs_then_table_rows(zh):
    """python-docx: paragraphs in order, then each table row as one line of tab-separated cells (an annex)."""
    data = _docx(CLAUSES, [["行业", "限产比例"], ["钢铁", "50%"]])
    lines = extract_lines("方案.docx", data)
    assert lines[:4] == CLAUSES
    assert lines[4:] == ["行业\t限产比例", "钢铁\t50%"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_text_in_utf8_and_gb18030(zh, encoding):
    """Plain text in UTF-8 (with or without BOM) or GB18030, CRLF line ends; blank lines keep their numbers."""
    data = "\r\n".join([CLAUSES[0], "", *CLAUSES[1:]]).encode(encoding)
    lines = extract_lines("方案.txt", data)
    assert lines == [CLAUSES[0], "", *CLAUSES[1:]]
    assert lines[2 - 1] == ""  # line 2 is the blank line: numbers are positions


def test_the_content_decides_not_the_name(zh):
    """A DOCX renamed .pdf is read as the DOCX it is."""
    assert extract_lines("renamed.pdf", _docx(CLAUSES))[:4] == CLAUSES


@pytest.mark.parametrize("filename, data, code, words", [
    ("方案.pdf", b"%PDF-1.7\n garbage", "broken", "PDF"),
    ("方案.docx", b"PK\x03\x04 not really a zip", "broken", "DOCX"),
    ("方案.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_word", ".docx"),
    ("方案.xls", b"whatever", "unsupported", ".xls"),
    ("方案.txt", b"", "empty", ""),
    ("方案.txt", b"   \n\n  ", "no_text", ""),
    ("方案.txt", "方案".encode("utf-16-le")[:3] + b"\xff\xfe\xfd\x80", "encoding", "UTF-8"),
])
def test_unreadable_files_are_refused_in_chinese(zh, filename, data, code, words):
    """Broken, old-format, unsupported, empty and image-only files: a DocumentError with a Chinese message."""
    with pytest.raises(DocumentError) as info:
        extract_lines(filename, data)
    assert info.value.code == code
    assert words in str(info.value)


def test_a_pdf_without_text_is_refused(zh):
    """A PDF whose pages carry no text (a scan) is refused, not stored as an empty document."""
    import weasyprint

    data = weasyprint.HTML(string="<html><body><div style='width:10px;height:10px;background:#000'></div></body></html>").write_pdf()
    with pytest.raises(DocumentError) as info:
        extract_lines("扫描件.pdf", data)
    assert info.value.code == "no_text"


def test_a_docx_that_unpacks_to_hundreds_of_megabytes_is_refused_unread(zh):
    """docs/security.md (policy documents): a zip bomb posing as a DOCX is refused from its directory, before any
    part is decompressed."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (210 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(DocumentError) as info:
        extract_lines("炸弹.docx", data)
    assert info.value.code == "too_large"
