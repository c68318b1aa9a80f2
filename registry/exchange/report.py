"""What an import says back: every problem (sheet, row, column, value, reason) and create/update/unchanged counts.

The report is plain data (JSON for the API, a page, an annotated workbook); messages are already
in the requester's language when they are put here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from registry.core.errors import DomainError


class FileRejected(DomainError):
    """The file as a whole cannot be read (limits, format, encryption, damage); nothing is validated."""

    status = 422
    code = "file_rejected"

    def __init__(self, message: str):
        super().__init__(message, {"file": [message]})


@dataclass
class Problem:
    sheet: str            # sheet key
    title: str            # sheet name as in the file
    row: int              # Excel row number (header = 1)
    column: str           # header text as in the file
    value: Any
    reason: str
    severity: str = "error"   # error | warning
    position: int | None = None  # 0-based column position in the file (for highlighting)

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.title, "row": self.row, "column": self.column, "value": jsonable(self.value),
                "reason": self.reason, "severity": self.severity}


def jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10] if isinstance(value, datetime) and value.time() == datetime.min.time() else value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass
class SheetSummary:
    key: str
    title: str
    rows: int = 0
    create: int = 0
    update: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    sheets: list[SheetSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    ignored_sheets: list[str] = field(default_factory=list)
    max_listed: int = 5000
    error_total: int | None = None      # all problems, also those beyond max_listed
    warning_total: int | None = None

    @property
    def error_count(self) -> int:
        if self.error_total is not None:
            return self.error_total
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warning_count(self) -> int:
        if self.warning_total is not None:
            return self.warning_total
        return sum(1 for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def sorted_problems(self) -> list[Problem]:
        order = {"enterprises": 0, "lines": 1, "equipment": 2, "permits": 3}
        return sorted(self.problems, key=lambda p: (order.get(p.sheet, 9), p.row, p.position or 0, p.severity))

    def message(self) -> str:
        if self.error_count:
            return _("%(n)s problem(s) found; nothing was imported. Correct the file and upload it again.", n=self.error_count)
        if self.dry_run:
            return _("No problems found. This was a dry run: nothing was written.")
        return _("Imported: all rows were written in one transaction.")

    def as_dict(self) -> dict[str, Any]:
        problems = self.sorted_problems()[: self.max_listed]
        return {
            "filename": self.filename,
            "dry_run": self.dry_run,
            "written": self.written,
            "ok": self.ok,
            "message": self.message(),
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "sheets": [s.as_dict() for s in self.sheets],
            "ignored_sheets": self.ignored_sheets,
            "problems": [p.as_dict() for p in problems],
            "problems_not_listed": max(0, self.error_count + self.warning_count - len(problems)),
        }
