"""Exchange CLI: `flask import FILE`, `flask export KIND`, `flask template`, `flask dictionary`."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask

from registry.core import unit_of_work
from registry.extensions import db


def _actor(username: str | None):
    from sqlalchemy import select

    from registry.accounts.auth import SYSTEM
    from registry.accounts.models import User

    if not username:
        return SYSTEM
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    return user


def _with_lang(lang: str):
    """CLI commands run outside a request; force the report's language."""
    from flask_babel import force_locale

    return force_locale(lang)


def register(app: Flask) -> None:
    @app.cli.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
    @click.option("--as", "username", help="Import as this user (default: the system administrator).")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    @click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write the annotated workbook here.")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    @unit_of_work.command
    def import_cmd(path, dry_run, username, lang, report_path, as_json):
        """Import an xlsx or CSV file (enterprises, lines, equipment, permits); all rows or none."""
        from registry.exchange import operations as ops

        with open(path, "rb") as f:
            data = f.read()
        with _with_lang(lang):
            outcome = ops.import_workbook(_actor(username), data, path.rsplit("/", 1)[-1], dry_run=dry_run)
            report = outcome.report
            if not report.written:  # a dry run or a refused file: nothing of it is kept
                db.session.rollback()
            if report_path and outcome.book is not None:
                with open(report_path, "wb") as f:
                    f.write(ops.report_workbook(outcome).data)
            if as_json:
                click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            else:
                _print_report(report)
        if not report.ok:
            sys.exit(1)

    @app.cli.command("export")
    @click.argument("kind", type=click.Choice(["all", "enterprises", "lines", "equipment", "permits"]))
    @click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: a dated name here).")
    @click.option("--as", "username", help="Export what this user may see (default: everything).")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    def export_cmd(kind, fmt, output, username, lang):
        """Export enterprises, lines, equipment or permits (or all, xlsx) with the template's headers."""
        from registry.exchange import operations as ops

        with _with_lang(lang):
            download = ops.export(_actor(username), kind, fmt, lang)
        target = output or download.filename
        with open(target, "wb") as f:
            f.write(download.data)
        click.echo(f"wrote {target} ({len(download.data):,} bytes)")

    @app.cli.command("template")
    @click.option("-o", "--output", type=click.Path(dir_okay=False))
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    def template_cmd(output, lang):
        """Write the import template (xlsx): headers, notes, drop-downs and an example row."""
        from registry.exchange import operations as ops

        with _with_lang(lang):
            download = ops.template(_actor(None), lang)
        target = output or download.filename
        with open(target, "wb") as f:
            f.write(download.data)
        click.echo(f"wrote {target}")

    @app.cli.command("dictionary")
    @click.option("-o", "--output", type=click.Path(dir_okay=False), help="Default: print to stdout.")
    def dictionary_cmd(output):
        """Print (or write) docs/data-dictionary.md from registry/core/dictionary.py."""
        from registry.core.dictionary import markdown

        text = markdown()
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            click.echo(f"wrote {output}")
        else:
            click.echo(text, nl=False)


def _print_report(report) -> None:
    click.echo(report.message())
    click.echo(f"{'sheet':<12}{'rows':>9}{'create':>9}{'update':>9}{'same':>9}{'errors':>9}{'warnings':>9}")
    for s in report.sheets:
        click.echo(f"{s.key:<12}{s.rows:>9}{s.create:>9}{s.update:>9}{s.unchanged:>9}{s.errors:>9}{s.warnings:>9}")
    for p in report.sorted_problems()[:200]:
        kind = "ERROR" if p.severity == "error" else "warn "
        click.echo(f"{kind} {p.title} row {p.row} [{p.column}] {p.value!r}: {p.reason}")
    rest = report.error_count + report.warning_count - min(200, len(report.problems))
    if rest > 0:
        click.echo(f"… and {rest} more (see --report or --json)")
