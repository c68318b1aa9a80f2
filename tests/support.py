"""Moved to tests/builders/ (payloads.py, http.py); this name stays for tests that still import it."""
from tests.builders import *  # noqa: F403
