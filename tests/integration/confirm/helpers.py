"""Helpers of the confirmation and kept-input tests (issue 16 item 3): post a page form as a browser would, read the
confirmation page, and post what it re-posts."""
from __future__ import annotations

import html as html_lib
import re

from tests.builders import csrf_from, login

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def english(client, username: str) -> None:
    """Sign in and read the pages in English (the consequences are checked in words)."""
    login(client, username)
    with client.session_transaction() as session:
        session["lang"] = "en"


def token(client, path: str = "/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def confirmation(response) -> tuple[str, list[tuple[str, str]]]:
    """The confirmation page's text and the fields its form re-posts (asserting it is one)."""
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:2000]
    assert 'id="confirm-form"' in body, body[:2000]
    form = body[body.index('id="confirm-form"'):]
    form = form[:form.index("</form>")]
    fields = [(k, html_lib.unescape(v)) for k, v in HIDDEN.findall(form)]
    assert ("confirmed", "1") in fields
    text = re.sub(r"<[^>]+>", " ", body[body.index('id="confirm"'):])
    return html_lib.unescape(re.sub(r"\s+", " ", text)), fields


def confirm(client, response, path: str):
    """Submit the confirmation page's form (the same fields and confirmed=1) to `path`."""
    _text, fields = confirmation(response)
    action = re.search(r'<form method="post" action="([^"]+)" id="confirm-form"', response.get_data(as_text=True)).group(1)
    assert action == path
    from werkzeug.datastructures import MultiDict

    return client.post(path, data=MultiDict(fields))
