"""Moved to tests/builders/files.py; this name stays for tests that still import it."""
from tests.builders.files import (  # noqa: F401
    csv_bytes,
    enterprise_row,
    equipment_row,
    full_book,
    line_row,
    permit_row,
    workbook,
)
