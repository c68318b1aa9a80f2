"""marshmallow's own messages reach a zh user in Chinese, parameters kept (“Longer than maximum length 80.” → 最多 80 …).

Every default message of marshmallow's fields, validators and Schema is produced here the way marshmallow
produces it (templates formatted with their parameters), then passed through registry.core.validation.translate
under zh: each must come back Chinese with its parameter values. A marshmallow upgrade that changes a template
fails here rather than showing English to users.
"""
from __future__ import annotations

import inspect
import re
import string
from pathlib import Path

import flask
import flask_babel
import pytest
from marshmallow import Schema, ValidationError, fields, validate

from registry.core.validation import translate

TRANSLATIONS = Path(__file__).resolve().parents[2] / "registry" / "translations"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Messages that never reach a user: fields the registry does not use, or that cannot fail on JSON/form input.
NOT_SHOWN: set[str] = set()


@pytest.fixture(scope="module")
def app():
    app = flask.Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    flask_babel.Babel(app)
    return app


def _fill(template: str, cls: type) -> tuple[str, list[str]]:
    """The template formatted as marshmallow would, with sample values; also the values a user must see."""
    names = [f for _t, f, _s, _c in string.Formatter().parse(template) if f]
    values, shown = {}, []
    for i, name in enumerate(dict.fromkeys(names)):
        if name == "obj_type":
            values[name] = getattr(cls, "OBJ_TYPE", "datetime")
        elif name == "awareness":
            values[name] = getattr(cls, "AWARENESS", "aware")
        else:
            values[name] = f"{7 + i}9"
            shown.append(values[name])
    return template.format(**values), shown


def _marshmallow_messages() -> list[tuple[str, list[str], str]]:
    out = []
    for name, cls in inspect.getmembers(fields, inspect.isclass):
        for key, template in getattr(cls, "default_error_messages", {}).items():
            text, shown = _fill(template, cls)
            out.append((text, shown, f"fields.{name}.{key}"))
    for key, template in Schema._default_error_messages.items():
        out.append((template, [], f"Schema.{key}"))
    for name, cls in inspect.getmembers(validate, inspect.isclass):
        if cls is validate.Range:
            continue
        for key, template in vars(cls).items():
            if isinstance(template, str) and (key.startswith("message") or key == "default_message"):
                text, shown = _fill(template, cls)
                out.append((text, shown, f"validate.{name}.{key}"))
    r = validate.Range
    lows, highs = (r.message_gte, r.message_gt), (r.message_lte, r.message_lt)
    for low in lows:
        out.append(_fill(r.message_min.format(min_op=low), r) + (f"Range min {low}",))
        for high in highs:
            out.append(_fill(r.message_all.format(min_op=low, max_op=high), r) + (f"Range {low}/{high}",))
    for high in highs:
        out.append(_fill(r.message_max.format(max_op=high), r) + (f"Range max {high}",))
    return [m for m in out if m[0] not in NOT_SHOWN]


@pytest.mark.parametrize("text,shown,where", _marshmallow_messages(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_marshmallow_message_is_chinese_with_its_values(app, text, shown, where):
    with app.test_request_context("/"), flask_babel.force_locale("zh"):
        zh = translate(text)
    assert CJK.search(zh), f"{where}: {text!r} shows English to a zh user ({zh!r})"
    for value in shown:
        assert value in zh, f"{where}: {text!r} → {zh!r} lost the value {value}"
    with app.test_request_context("/"), flask_babel.force_locale("en"):
        en = translate(text)
    assert not CJK.search(en), f"{where}: English users get {en!r}"


class _Sample(Schema):
    name = fields.String(validate=validate.Length(max=80))
    code = fields.String(validate=validate.Length(min=2, max=4))
    count = fields.Integer(validate=validate.Range(min=1))
    share = fields.Float(validate=validate.Range(min=0, max=100))
    kind = fields.String(validate=validate.OneOf(["steel", "cement"]))
    when = fields.Date()
    tags = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]+$")))


def test_loaded_errors_are_translated_with_numbers(app):
    from registry.core.validation import flatten_marshmallow

    bad = {"name": "x" * 81, "code": "a", "count": 0, "share": 101, "kind": "glass", "when": "31/12/2026", "tags": ["OK"]}
    with pytest.raises(ValidationError) as err:
        _Sample().load(bad)
    with app.test_request_context("/"), flask_babel.force_locale("zh"):
        zh = flatten_marshmallow(err.value.messages)
    with app.test_request_context("/"), flask_babel.force_locale("en"):
        en = flatten_marshmallow(err.value.messages)
    assert en["name"] == ["Longer than maximum length 80."]
    assert en["count"] == ["Must be greater than or equal to 1."]
    assert en["share"] == ["Must be between 0 and 100."]
    assert set(zh) == {"name", "code", "count", "share", "kind", "when", "tags[0]"}
    for field, messages in zh.items():
        assert CJK.search(messages[0]), f"{field}: {messages[0]!r}"
    assert "80" in zh["name"][0] and "1" in zh["count"][0]
    assert "2" in zh["code"][0] and "4" in zh["code"][0]
    assert "steel" in zh["kind"][0] and "cement" in zh["kind"][0]
