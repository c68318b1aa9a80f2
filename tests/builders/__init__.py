"""Shared test builders (imported, not fixtures; the fixtures are in tests/conftest.py and the conftests below it).

- `tests.builders` itself: the request bodies and constants of payloads.py and the HTTP helpers of http.py;
- `tests.builders.grades`: grade applications in any workflow state, a client per person;
- `tests.builders.files`: xlsx/csv files under the data dictionary's headers (the exchange tests);
- `tests.builders.answers`: grade self-assessment answers and a minimal PDF (also used by bench/load/run.py).

The old homes `tests/support.py`, `tests/integration/grades/builders.py` and `tests/integration/exchange/files.py`
re-export these names for tests written against them.
"""
from tests.builders.http import CSRF_RE, csrf_from, login
from tests.builders.payloads import (
    ANCI,
    GUANGYANG,
    JIYUAN,
    JIZHOU,
    PASSWORD,
    ZHENGDING,
    enterprise_payload,
    line_payload,
    permit_payload,
    valid_uscc,
)

__all__ = ["ANCI", "CSRF_RE", "GUANGYANG", "JIYUAN", "JIZHOU", "PASSWORD", "ZHENGDING", "csrf_from", "enterprise_payload",
           "line_payload", "login", "permit_payload", "valid_uscc"]
