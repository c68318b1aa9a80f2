"""`flask alert report --episode ID | --month YYYY-MM [--region CODE] [-o FILE.xlsx] --as-user NAME`: the episode
report or the monthly report (D-20, 001:121) as JSON on stdout, or as the Excel workbook the pages offer."""
from __future__ import annotations

import json

import click

from registry.core import unit_of_work
from registry.core.shell import run_or_exit as _run


def _user(username: str):
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user




def register(alert_group: click.Group, emergency_group: click.Group) -> None:
    """Called by the application factory: `flask alert report`, `flask emergency remind-plans`."""
    alert_group.add_command(report_cmd)
    emergency_group.add_command(remind_plans_cmd)


@click.command("report")
@click.option("--episode", "episode_id", type=int, default=None, help="The episode's id.")
@click.option("--month", default=None, help="YYYY-MM: the monthly report.")
@click.option("--region", default=None, help="With --month: a region code in the official's scope.")
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False), help="Write Excel (.xlsx) here.")
@click.option("--as-user", "username", required=True, help="The official whose scope applies.")
def report_cmd(episode_id, month, region, output, username) -> None:
    """The report after an episode, or the monthly report, as JSON or Excel."""
    from registry.alerts import operations as ops
    from registry.alerts import report
    from registry.alerts.report_export import episode_xlsx, monthly_xlsx

    if (episode_id is None) == (month is None):
        raise click.UsageError("give exactly one of --episode ID or --month YYYY-MM")
    me = _user(username)
    if episode_id is not None:
        r = report.episode_report(_run(lambda: ops.get_episode(me, episode_id)))
        data, xlsx = report.episode_json(r), (lambda: episode_xlsx(r))
    else:
        try:
            year, mon = report.parse_month(month)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--month") from exc
        m = report.monthly(me, year, mon, region)
        data, xlsx = report.summary_json(m), (lambda: monthly_xlsx(m))
    if output:
        with open(output, "wb") as fh:
            fh.write(xlsx())
        click.echo(output)
    else:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))


@click.command("remind-plans")
@click.argument("region_code")
@click.option("--season", type=int, default=None, help="The season's year; default the latest whose deadline passed.")
@click.option("--pack", "pack_id", default=None, help="Default: the region's pack.")
@click.option("--as-user", "username", required=True, help="The official sending (their scope applies).")
@unit_of_work.command
def remind_plans_cmd(region_code, season, pack_id, username) -> None:
    """Remind every enterprise whose 一厂一策 plan is missing or incomplete (inbox, and e-mail where configured)."""
    from registry.alerts.reminders import remind_plans

    out = _run(lambda: remind_plans(_user(username), region_code, season, pack_id))
    click.echo(json.dumps(out, ensure_ascii=False))
