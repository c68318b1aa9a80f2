"""`flask schedule generate|publish|diff|export`: the same operations as the pages, from the shell."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask

from registry.core import unit_of_work
from registry.core.demo_builders import DemoBuilder, register_demo_builder


def _actor(username: str):
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.UsageError(f"no account {username!r}")
    return user


def _phase_label(phase: str) -> str:
    """A generation phase in words (the pages' labels, registry/schedules/runner.py PHASES) for the progress lines."""
    from registry.schedules.runner import PHASES

    return str(PHASES.get(phase, phase))


def _fail(err) -> None:
    click.echo(json.dumps(err.as_dict(), ensure_ascii=False), err=True)
    sys.exit(2)


def _build_demo(_force: bool) -> str:
    from registry.schedules.demo import build_schedule_demo  # issue 6: published + draft per demo city

    made = build_schedule_demo()
    return f"demo schedules: {made['schedules']} (published v1, draft v2), {made['applications']} pending applications"


def register(app: Flask) -> None:
    register_demo_builder(app, "schedules", DemoBuilder(order=20, build=_build_demo))  # after the demo city
    group = click.Group("schedule", help="Heating-season staggered production schedules.")

    @group.command("generate")
    @click.option("--as", "username", required=True, help="The city or county official acting.")
    @click.option("--region", required=True)
    @click.option("--pack", "pack_id", required=True)
    @click.option("--season", "season_year", type=int, required=True, help="Year the heating season starts.")
    @unit_of_work.command
    def generate_cmd(username: str, region: str, pack_id: str, season_year: int):
        """Create the schedule if needed and (re)generate its draft version; prints the version."""
        from sqlalchemy import select

        from registry.core.errors import DomainError
        from registry.extensions import db
        from registry.schedules import operations as ops
        from registry.schedules.models import Schedule
        from registry.schedules.queries import version_dict

        actor = _actor(username)
        try:
            schedule = db.session.scalar(select(Schedule).where(Schedule.region_code == region, Schedule.pack_id == pack_id,
                                                               Schedule.season_year == season_year))
            if schedule is None:
                schedule = ops.create_schedule(actor, {"region_code": region, "pack_id": pack_id, "season_year": season_year})
            latest = ops.latest_version(schedule)
            step = (ops.new_version if latest is not None and latest.published else ops.generate)
            version = step(actor, schedule.id, lambda done, total, phase: click.echo(
                f"{_phase_label(phase)} {done}/{total}", err=True))
        except DomainError as err:
            _fail(err)
        click.echo(json.dumps({"schedule_id": schedule.id, **version_dict(version), "entries": len(version.entries)}, ensure_ascii=False))

    @group.command("publish")
    @click.option("--as", "username", required=True)
    @click.argument("schedule_id", type=int)
    @click.option("--filed-on", required=True)
    @click.option("--recipients", required=True)
    @click.option("--reason", "filing_reason", default="")
    @click.option("--authority", "issuing_authority", default="", help="发文机关 on the notices (default: the region's 生态环境局).")
    @click.option("--number", "document_number", default="", help="文号 on the notices, e.g. 廊环字〔2017〕12号.")
    @click.option("--issued-on", "issued_on", default="", help="The notices' date, YYYY-MM-DD (default: today, Beijing).")
    @unit_of_work.command
    def publish_cmd(username: str, schedule_id: int, filed_on: str, recipients: str, filing_reason: str,
                    issuing_authority: str, document_number: str, issued_on: str):
        """Freeze and file the draft version; its notices carry the authority, number and date given."""
        from registry.core.errors import DomainError
        from registry.schedules import operations as ops
        from registry.schedules.queries import version_dict

        try:
            version = ops.publish(_actor(username), schedule_id,
                                  {"filed_on": filed_on, "recipients": recipients, "filing_reason": filing_reason,
                                   "issuing_authority": issuing_authority, "document_number": document_number,
                                   "issued_on": issued_on})
        except DomainError as err:
            _fail(err)
        click.echo(json.dumps(version_dict(version), ensure_ascii=False))

    @group.command("notices")
    @click.option("--as", "username", required=True)
    @click.argument("version_id", type=int)
    @click.option("--out", required=True, type=click.Path(dir_okay=False),
                  help="a .pdf (one file, one notice a page) or a .zip (one PDF per enterprise)")
    def notices_cmd(username: str, version_id: int, out: str):
        """Every enterprise's staggered-production notice of a version, to post at the gates (progress on stderr)."""
        from registry.core.errors import DomainError
        from registry.notices.bulk import write_notices
        from registry.schedules import operations as ops
        from registry.schedules import queries
        from registry.schedules.notices import notices_of

        actor = _actor(username)
        try:
            version = ops.get_version(actor, version_id)
        except DomainError as err:
            _fail(err)
        items = notices_of(version, queries.entry_dicts(queries.entries(actor, version)))
        n = write_notices("schedules/notice.html", items, out, lambda done, total: click.echo(f"{done}/{total}", err=True))
        click.echo(json.dumps({"version_id": version_id, "notices": n, "out": out}, ensure_ascii=False))

    @group.command("diff")
    @click.option("--as", "username", required=True)
    @click.argument("old_version", type=int)
    @click.argument("new_version", type=int)
    def diff_cmd(username: str, old_version: int, new_version: int):
        """Line-by-line changes between two versions, as JSON lines."""
        from dataclasses import asdict

        from registry.core.errors import DomainError
        from registry.schedules import diffing, queries
        from registry.schedules import operations as ops

        actor = _actor(username)
        try:
            a, b = ops.get_version(actor, old_version), ops.get_version(actor, new_version)
        except DomainError as err:
            _fail(err)
        for change in diffing.diff(queries.entry_dicts(queries.entries(actor, a)), queries.entry_dicts(queries.entries(actor, b))):
            click.echo(json.dumps(asdict(change), ensure_ascii=False, default=str))

    @group.command("export")
    @click.option("--as", "username", required=True)
    @click.argument("version_id", type=int)
    @click.argument("out", type=click.Path(dir_okay=False, writable=True))
    def export_cmd(username: str, version_id: int, out: str):
        """Write a version as an .xlsx workbook."""
        from registry.core.errors import DomainError
        from registry.schedules import export, queries
        from registry.schedules import operations as ops

        actor = _actor(username)
        try:
            version = ops.get_version(actor, version_id)
        except DomainError as err:
            _fail(err)
        rows = queries.entry_dicts(queries.entries(actor, version))
        Path(out).write_bytes(export.write_xlsx(rows, f"{version.schedule.title or version.pack_id} v{version.number}",
                                                unfiled=queries.unfiled_for_rows(rows)))
        click.echo(f"{len(rows)} rows → {out}")

    app.cli.add_command(group)
