"""`flask emergency …`: compile a city list, its totals vs targets, the optimizer, alert-day orders, the Excel export."""
from __future__ import annotations

import json
from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from registry.core import unit_of_work
from registry.core.shell import run_or_exit as _run

emergency = AppGroup("emergency", help="Heavy-pollution emergency reduction lists (应急减排清单).")


def _user(username: str):
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _list(list_id: int):
    from registry.emergency.models import EmergencyList
    from registry.extensions import db

    lst = db.session.get(EmergencyList, list_id)
    if lst is None:
        raise click.ClickException(f"no emergency list {list_id}")
    return lst




@emergency.command("compile")
@click.argument("region_code")
@click.argument("pack_id")
@click.option("--as-user", "username", required=True, help="The official compiling it (their scope applies).")
@unit_of_work.command
def compile_cmd(region_code: str, pack_id: str, username: str) -> None:
    """A new draft version of the region's list from the enterprises' latest filed plans."""
    from registry.emergency import operations as ops

    lst = _run(lambda: ops.compile_list(_user(username), {"region_code": region_code, "pack_id": pack_id}))
    click.echo(f"list {lst.id}: {lst.region_code} {lst.pack_id} version {lst.number}, {len(lst.entries)} entries")


@emergency.command("file")
@click.argument("list_id", type=int)
@click.option("--as-user", "username", required=True, help="The city's official filing it.")
@click.option("--authority", "issuing_authority", default="", help="发文机关 on the notices (default: the region's 生态环境局).")
@click.option("--number", "document_number", default="", help="文号 on the notices, e.g. 廊环字〔2017〕12号.")
@click.option("--issued-on", "issued_on", default="", help="The notices' date, YYYY-MM-DD (default: today, Beijing).")
@unit_of_work.command
def file_cmd(list_id: int, username: str, issuing_authority: str, document_number: str, issued_on: str) -> None:
    """File the list version (immutable from then on); its notices carry the authority, number and date."""
    from registry.emergency import operations as ops

    lst = _run(lambda: ops.file_list(_user(username), list_id, {"issuing_authority": issuing_authority,
                                                                "document_number": document_number, "issued_on": issued_on}))
    click.echo(json.dumps({"id": lst.id, "status": lst.status, "number": lst.number, "issuing_authority": lst.issuing_authority,
                           "document_number": lst.document_number, "issued_on": lst.issued_on.isoformat()},
                          ensure_ascii=False))


@emergency.command("totals")
@click.argument("list_id", type=int)
@click.option("--level", default="", help="One alert level; default every level of the pack.")
def totals_cmd(list_id: int, level: str) -> None:
    """Per level and pollutant: base, reduction, % vs the pack's target and the shortfall (JSON lines)."""
    from registry.emergency.queries import totals
    from registry.policy.emergency import emergency_levels
    from registry.policy.packs import get_pack

    lst = _list(list_id)
    pack = get_pack(lst.pack_id)
    for lvl in [level] if level else emergency_levels(pack):
        t = totals(lst, pack, lvl)
        for p in t.pollutants:
            click.echo(json.dumps({"level": lvl, "pollutant": p.pollutant, "baseline": round(p.baseline, 3),
                                   "reduction": round(p.reduction, 3), "percent": round(p.percent, 3),
                                   "target_percent": p.target_percent, "shortfall": round(p.shortfall, 3),
                                   "met": p.met}, ensure_ascii=False))


@emergency.command("optimize")
@click.argument("list_id", type=int)
@click.option("--level", required=True)
@click.option("--as-user", "username", required=True)
@click.option("--time-limit", default=10.0, show_default=True)
@unit_of_work.command
def optimize_cmd(list_id: int, level: str, username: str, time_limit: float) -> None:
    """Propose the measures closing the level's shortfall with the least capacity lost (stored as proposals)."""
    from registry.emergency import operations as ops

    report = _run(lambda: ops.propose(_user(username), list_id, level, time_limit=time_limit))
    click.echo(json.dumps({"status": report.status, "gap": report.gap, "seconds": round(report.seconds, 3),
                           "capacity_lost": round(report.capacity_lost, 4), "proposals": len(report.proposals),
                           "reaches_targets": report.reaches_targets}, ensure_ascii=False))
    from registry.emergency.explain import dump_explanation, render_explanation

    for p in report.proposals:
        click.echo(f"  {render_explanation(dump_explanation(p.explanation))}")


@emergency.command("orders")
@click.argument("list_id", type=int)
@click.option("--date", "on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--level", required=True)
def orders_cmd(list_id: int, on, level: str) -> None:
    """Every enterprise's alert-day orders (lines that stop or curtail, transport limits) as JSON lines."""
    from registry.emergency.orders import alert_orders

    for order in alert_orders(_list(list_id), on.date() if hasattr(on, "date") else date.fromisoformat(on), level):
        click.echo(json.dumps(order, ensure_ascii=False, default=str))


@emergency.command("plans-missing")
@click.argument("region_code")
@click.option("--season", type=int, default=None, help="The season's year (its heating season starts then); default "
                                                        "the latest whose filing deadline has passed.")
@click.option("--pack", "pack_id", default=None, help="Default: the region's pack.")
@click.option("--as-user", "username", default=None, help="An official (their scope applies); default: no scope check.")
def plans_missing_cmd(region_code: str, season: int | None, pack_id: str | None, username: str | None) -> None:
    """Enterprises whose 一厂一策 plan is missing or incomplete (a line without an entry at a level the pack names),
    with the season's filing deadline (issue 17): one JSON line per enterprise, the deadline on stderr."""
    from registry.emergency.completeness import default_season, filing_deadline, missing_for, plans_missing
    from registry.policy.packs import get_pack, pack_for_region

    if username:
        pack, season, deadline, rows = _run(lambda: missing_for(_user(username), region_code, season, pack_id))
    else:
        pack = get_pack(pack_id or pack_for_region(region_code))
        if pack is None:
            raise click.ClickException(f"no policy pack {pack_id!r}")
        season = season if season is not None else default_season(pack)
        deadline = filing_deadline(pack, season)
        rows = _run(lambda: plans_missing(region_code, season, pack.id))
    click.echo(json.dumps({"pack": pack.id, "season": season, "deadline": deadline, "enterprises": len(rows)},
                          ensure_ascii=False, default=str), err=True)
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False, default=str))
@emergency.command("notices")
@click.argument("list_id", type=int)
@click.option("--date", "on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--level", required=True)
@click.option("--as-user", "username", required=True, help="An official reading the list (their scope applies).")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="a .pdf (one file, one notice a page) or a .zip (one PDF per enterprise)")
def notices_cmd(list_id: int, on, level: str, username: str, out: str) -> None:
    """Every enterprise's emergency notice for the date and level, to post at the gates (progress on stderr)."""
    from registry.emergency import operations as ops
    from registry.emergency.notices import enterprise_notice
    from registry.emergency.orders import alert_orders
    from registry.notices.bulk import write_notices

    day = on.date()
    lst = _run(lambda: ops.get_list(_user(username), list_id))
    items = [enterprise_notice(lst, o, day, level) for o in alert_orders(lst, day, level)]
    n = write_notices("emergency/orders.html", items, out, lambda done, total: click.echo(f"{done}/{total}", err=True),
                      on=day, level=level)
    click.echo(json.dumps({"list_id": list_id, "notices": n, "out": out}, ensure_ascii=False))


@emergency.command("export")
@click.argument("list_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
def export_cmd(list_id: int, out: str) -> None:
    """The list as the Excel workbook filed upward (sheet per level + city summary)."""
    from registry.emergency.export import to_xlsx
    from registry.policy.packs import get_pack

    lst = _list(list_id)
    with open(out, "wb") as fh:
        fh.write(to_xlsx(lst, get_pack(lst.pack_id)))
    click.echo(f"list {lst.id} written to {out}")


def register(app: Flask) -> None:
    app.cli.add_command(emergency)
