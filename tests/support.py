"""Moved to tests/builders/ (payloads.py, http.py); this name stays for tests that still import it."""
from tests.builders.http import CSRF_RE, csrf_from, login  # noqa: F401
from tests.builders.payloads import (  # noqa: F401
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
