"""URL converters: ids in paths are bounded to what the database's integer columns hold.

Werkzeug's `<int:…>` matches any number of digits. An id of 10^37 reached the database and
failed there (SQLite: "Python int too large to convert to SQLite INTEGER"; PostgreSQL: out of
range for type integer) as a 500 — found by schemathesis (tests/api/test_schemathesis.py).
With a maximum, such a path matches no route: 404, like any id that does not exist. The
OpenAPI document carries the bound (`maximum`), so clients and fuzzers see it.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL `integer`, the type of every primary key


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's parameter name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app, api) -> None:
    """Make `<int:…>` bounded for every rule added afterwards, and document it in the OpenAPI spec."""
    from flask_smorest.spec.plugins import integerconverter2paramschema

    app.url_map.converters["int"] = IdConverter
    if not any(conv is IdConverter for conv, _func in api._converters):  # one Api object for every app made
        api.register_converter(IdConverter, integerconverter2paramschema)
