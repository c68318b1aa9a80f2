"""The Simplified-Chinese catalog is complete, well-formed and compiled.

English is the msgid language; `registry/translations/zh` is the only catalog (Flask-Babel shows
the msgid itself for `en`). A string added to registry/**.py or templates/**.html without a zh
translation fails `test_fresh_extraction_is_in_the_catalog` with its file:line; the fix is
`scripts/i18n.sh extract && scripts/i18n.sh update`, translate, `scripts/i18n.sh compile`.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "registry" / "translations"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"
BABEL_CFG = ROOT / "babel.cfg"
# The same keywords as scripts/i18n.sh: pybabel's defaults plus _l, lazy_gettext and the pgettext pair (context first).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}

BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}")
NAMED = re.compile(r"%\((\w+)\)[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh")


def _messages(catalog):
    return [m for m in catalog if m.id]


def _where(message) -> str:
    return " ".join(f"{path}:{line}" for path, line in message.locations) or "(no location)"


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, (list, tuple)) else message_id


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def test_catalog_exists_and_is_chinese():
    catalog = _catalog()
    assert str(catalog.locale) == "zh"
    assert len(_messages(catalog)) > 0


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = _catalog()
    untranslated = [f"{_key(m.id)!r} ({_where(m)})" for m in _messages(catalog) if not all(s.strip() for s in _strings(m))]
    fuzzy = [f"{_key(m.id)!r} ({_where(m)})" for m in _messages(catalog) if m.fuzzy]
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    assert not untranslated, "zh msgstr missing for:\n  " + "\n  ".join(untranslated)
    assert not fuzzy, "fuzzy zh entries (check the translation, then drop the flag):\n  " + "\n  ".join(fuzzy)


def _mapping_config():
    """babel.cfg as pybabel reads it (parse_mapping_cfg since Babel 2.14, parse_mapping before)."""
    from babel.messages import frontend

    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as f:
        return parse(f, str(BABEL_CFG))


def _extract():
    method_map, options_map = _mapping_config()
    found: dict[tuple[str, str | None], list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = _key(message)
        if msgid:
            found.setdefault((msgid, context), []).append((filename, lineno))
    return found


def test_babel_cfg_covers_python_and_templates_but_not_grading():
    method_map, _options = _mapping_config()
    patterns = dict(method_map)
    assert patterns.get("registry/**.py") == "python"
    assert patterns.get("templates/**.html") == "jinja2"
    assert not any(p.startswith("grading") for p in patterns), "grading/ is not gettext-based"


def test_fresh_extraction_is_in_the_catalog():
    """Every string marked in registry/**.py and templates/**.html has a zh translation."""
    catalog = _catalog()
    extracted = _extract()
    assert extracted, "extraction found no messages: is babel.cfg right?"
    missing = []
    for (msgid, context), places in sorted(extracted.items(), key=lambda kv: kv[1][0]):
        message = catalog.get(msgid, context=context)
        if message is None or not all(s.strip() for s in _strings(message)) or message.fuzzy:
            where = ", ".join(f"{path}:{line}" for path, line in places)
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, (
        f"{len(missing)} marked string(s) have no zh translation — run scripts/i18n.sh extract && "
        "scripts/i18n.sh update, translate them in registry/translations/zh/LC_MESSAGES/messages.po, "
        "then scripts/i18n.sh compile:\n  " + "\n  ".join(missing)
    )


class _Recorder(dict):
    """A mapping that accepts any %(name)s and remembers which names were asked for."""

    def __init__(self):
        super().__init__()
        self.asked: set[str] = set()

    def __missing__(self, key):
        self.asked.add(key)
        return 1  # formats under %s, %d and %f alike


def _percent_format(text: str):
    """The names `text % mapping` uses, or None when it is not a valid %-format string."""
    mapping = _Recorder()
    try:
        text % mapping
    except (ValueError, TypeError, KeyError):
        return None
    return mapping.asked


def test_placeholders_match():
    """%(name)s and {name} placeholders are kept exactly; a translation never breaks %-formatting.

    Flask-Babel's gettext applies `% kwargs` when variables are passed and Jinja's new-style
    gettext applies it to every template string, so any msgid that is a valid %-format string
    needs a msgstr that is one too and asks for the same names (a bare “%” in a msgstr would
    raise at render time).
    """
    problems = []
    for message in _messages(_catalog()):
        msgid = _key(message.id)
        for msgstr in _strings(message):
            if not msgstr:
                continue
            if Counter(NAMED.findall(msgid)) != Counter(NAMED.findall(msgstr)):
                problems.append(f"{msgid!r} → {msgstr!r}: %(name)s placeholders differ ({_where(message)})")
            if Counter(BRACE.findall(msgid)) != Counter(BRACE.findall(msgstr)):
                problems.append(f"{msgid!r} → {msgstr!r}: {{name}} placeholders differ ({_where(message)})")
            wanted = _percent_format(msgid)
            if wanted is not None:
                got = _percent_format(msgstr)
                if got is None:
                    problems.append(f"{msgid!r} → {msgstr!r}: the translation is not a valid %-format string ({_where(message)})")
                elif got != wanted:
                    problems.append(f"{msgid!r} → {msgstr!r}: formats {sorted(got)} instead of {sorted(wanted)} ({_where(message)})")
    assert not problems, "\n".join(problems)


def _compiled_messages(mo_bytes: bytes) -> dict:
    catalog = read_mo(io.BytesIO(mo_bytes))
    return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context): m.string for m in catalog if m.id}


def test_compiled_mo_matches_the_po():
    """The committed .mo holds exactly what compiling the .po gives (run scripts/i18n.sh compile)."""
    assert MO.is_file(), f"{MO.relative_to(ROOT)} is missing: run scripts/i18n.sh compile"
    fresh = io.BytesIO()
    write_mo(fresh, _catalog())
    expected = _compiled_messages(fresh.getvalue())
    committed = _compiled_messages(MO.read_bytes())
    stale = sorted(str(k[0]) for k in expected.keys() | committed.keys() if expected.get(k) != committed.get(k))
    assert not stale, (
        f"{MO.relative_to(ROOT)} is out of date with the .po for {len(stale)} message(s) — run scripts/i18n.sh "
        "compile:\n  " + "\n  ".join(repr(s) for s in stale[:40])
    )


def test_no_catalog_is_needed_for_english():
    """English is the msgid language: Flask-Babel falls back to the msgid for `en`."""
    flask = pytest.importorskip("flask")
    flask_babel = pytest.importorskip("flask_babel")

    app = flask.Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    flask_babel.Babel(app)
    sample = next(m for m in _messages(_catalog()) if not m.python_format and isinstance(m.id, str))
    with app.test_request_context("/"):
        with flask_babel.force_locale("zh"):
            assert flask_babel.gettext(sample.id) == sample.string
        with flask_babel.force_locale("en"):
            assert flask_babel.gettext(sample.id) == sample.id
