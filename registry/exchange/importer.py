"""One import, start to finish: read → validate every row → plan against the registry → write all or nothing (enterprises.operations.import_registrations) → report.

Nothing is written unless every row of every sheet passed; a dry run stops after the plan.
The caller (operations.import_workbook) owns the transaction: it commits after a real import
and rolls back on any exception, so a fault half-way through the writes leaves no trace.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context

from registry.core import dictionary as dd
from registry.core import timeutil
from registry.enterprises import operations as enterprise_operations
from registry.exchange import plan as planner
from registry.exchange.reader import RawBook
from registry.exchange.report import ImportReport, SheetSummary
from registry.exchange.validator import CleanBook, ProblemLog, validate_book


@dataclass
class ImportResult:
    report: ImportReport
    book: RawBook


def max_listed() -> int:
    return int(current_app.config.get("EXCHANGE_MAX_PROBLEMS", 5000)) if has_app_context() else 5000


def run(actor, raw: RawBook, *, dry_run: bool, today: date | None = None) -> ImportReport:
    today = today or timeutil.beijing_today()
    log = ProblemLog()
    for p in raw.problems:
        log.add_one(p)
    book: CleanBook = validate_book(raw, log)
    plan = planner.build_plan(actor, book, log, today)
    report = ImportReport(raw.filename, dry_run, ignored_sheets=list(raw.ignored_sheets), max_listed=max_listed())
    counts = log.counts()
    for s in dd.SHEETS:
        if s.key not in book.sheets:
            continue
        clean = book.sheets[s.key]
        sp = plan.sheets.get(s.key)
        summary = SheetSummary(s.key, clean.raw.title, rows=len(clean.frame),
                               errors=counts.get((s.key, "error"), 0), warnings=counts.get((s.key, "warning"), 0))
        if sp is not None:
            summary.create, summary.update, summary.unchanged = len(sp.create), len(sp.update), sp.unchanged
        report.sheets.append(summary)
    report.problems = log.problems(report.max_listed)
    report.error_total = sum(s.errors for s in report.sheets) + sum(
        n for (k, sev), n in counts.items() if sev == "error" and k not in book.sheets)
    report.warning_total = sum(s.warnings for s in report.sheets)
    if report.error_total or dry_run:
        return report
    if not any(s.create or s.update for s in report.sheets):
        return report  # re-importing the same file changes nothing, not even the audit log
    counts_out = {s.key: {"create": s.create, "update": s.update, "unchanged": s.unchanged} for s in report.sheets}
    enterprise_operations.import_registrations(actor, plan, filename=raw.filename, counts=counts_out)
    report.written = True
    return report

