"""`flask grades …`: check the criteria packs, list the public grades, make due grades effective, record a finding."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from registry.core import unit_of_work

grades = AppGroup("grades", help="Performance grading (绩效分级): criteria packs, public list, findings.")


@grades.command("criteria")
@click.option("--industry", default="", help="One industry code; default all 15.")
def criteria_cmd(industry: str) -> None:
    """Load every criteria pack strictly and print id, version, hash and the count of local settings."""
    from registry.policy.grades import load_all_criteria

    for c in load_all_criteria().values():
        if industry and c.id != industry:
            continue
        local = sum(t.local_setting for i in c.indicators for t in (i.a, i.b))
        click.echo(f"{c.id}\t{c.version}\t{c.sha256[:16]}\t{len(c.indicators)} indicators\t{local} local settings")


@grades.command("public")
@click.option("--grade", default="")
@click.option("--region", default="")
@click.option("--industry", default="")
@click.option("--xlsx", type=click.Path(dir_okay=False), default=None, help="Write the list as Excel to this file.")
def public_cmd(grade: str, region: str, industry: str, xlsx: str | None) -> None:
    """The public list of graded enterprises (JSON lines, or Excel with --xlsx)."""
    from registry.grades import export, queries

    rows = queries.public_grades(grade=grade, region=region, industry=industry)
    if xlsx:
        with open(xlsx, "wb") as fh:
            fh.write(export.to_xlsx("public", rows))
        click.echo(f"{len(rows)} rows written to {xlsx}")
        return
    for r in rows:
        click.echo(json.dumps(r, ensure_ascii=False, default=str))


@grades.command("finding")
@click.argument("enterprise_id", type=int)
@click.option("--kind", type=click.Choice(["fraud", "violation"]), required=True)
@click.option("--reason", required=True)
@click.option("--as-user", "username", required=True, help="The official recording it (their scope applies).")
@unit_of_work.command
def finding_cmd(enterprise_id: int, kind: str, reason: str, username: str) -> None:
    """Record a violation or fraud finding (fraud → C at once, R-G-09) as a named official."""
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.core.errors import DomainError
    from registry.extensions import db
    from registry.grades import operations as ops
    from registry.grades.unit import word_conflicts

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    word_conflicts()
    try:
        out = unit_of_work.run(ops.record_finding, user, enterprise_id, {"kind": kind, "reason": reason})
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} {exc.errors or ''}") from None
    for d in out:
        click.echo(f"decision {d.id}: {d.industry} {d.proposed_grade or '-'} → {d.grade} (supersedes {d.supersedes_id})")


def register(app: Flask) -> None:
    app.cli.add_command(grades)
