"""The PDF renderer reads the application's static files and nothing else (docs/security.md §14): a notice's text
is typed by users, so neither a crafted link nor a file:// URL makes the server fetch or embed anything."""
from __future__ import annotations

import pytest

from registry.notices.letterhead import chinese_date
from registry.notices.pdf import render_pdf, static_fetcher
from tests.integration.notices.support import flat, pdf_text


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/static/../../etc/passwd",
                                 "http://169.254.169.254/latest/meta-data/", "ftp://localhost/static/css/notice.css",
                                 "data:text/css,body{}"])
def test_the_fetcher_refuses_everything_but_static_files(app, url):
    fetcher = static_fetcher(app.static_folder, app.static_url_path)
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_the_fetcher_serves_the_notice_stylesheet(app):
    response = static_fetcher(app.static_folder, app.static_url_path).fetch("http://localhost/static/css/notice.css")
    assert b"@page" in response.read() and response.content_type == "text/css"


def test_a_crafted_link_in_the_html_is_not_fetched(app, tmp_path):
    """An image pointing at a local file renders as nothing (WeasyPrint logs the refusal and goes on)."""
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text y="20">SECRET-TEXT</text></svg>')
    html = f'<html><body><p>正文</p><img src="file://{secret}"><object data="file://{secret}"></object></body></html>'
    with app.test_request_context("/"):
        pages, text = pdf_text(render_pdf(html, "http://localhost/"))
    assert pages == 1 and "正文" in flat(text) and "SECRET" not in text


@pytest.mark.parametrize("day, written", [("2017-11-15", "二〇一七年十一月十五日"), ("2018-01-01", "二〇一八年一月一日"),
                                          ("2019-10-20", "二〇一九年十月二十日"), ("2020-12-31", "二〇二〇年十二月三十一日")])
def test_the_date_line_is_written_in_chinese_numerals(day, written):
    """The date line of an official document (GB/T 9704): 二〇一七年十一月十五日."""
    from datetime import date

    assert chinese_date(date.fromisoformat(day)) == written
