"""`flask alert …`: issue, change, lift an alert and list its orders (the official's scope applies: --as-user)."""
from __future__ import annotations

import json
from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup

from registry.core import unit_of_work
from registry.core.shell import run_or_exit as _run

alert = AppGroup("alert", help="Heavy-pollution alerts (重污染天气预警): episodes, orders, delivery, receipts.")


def _user(username: str):
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user




def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None  # without an offset: Beijing time


def _echo_episode(ep) -> None:
    from registry.alerts import queries

    click.echo(json.dumps({"episode": ep.id, "status": ep.status, "level": ep.level, "areas": ep.area_codes,
                           "pack": ep.pack_id, **queries.counts(ep)}, ensure_ascii=False))


@alert.command("issue")
@click.argument("region_code")
@click.argument("level")
@click.option("--as-user", "username", required=True, help="The issuing official (city; province for --regional).")
@click.option("--county", "counties", multiple=True, help="Listed counties (repeat); default the whole city.")
@click.option("--regional", "cities", multiple=True, help="A province's regional alert: its cities (repeat).")
@click.option("--start", default=None, help="ISO time, Beijing time without an offset; default now.")
@click.option("--expected-end", default=None)
@click.option("--doc-number", default="")
@click.option("--issuing-body", default="")
@click.option("--reason", default="")
@click.option("--pack", "pack_id", default=None)
@unit_of_work.command
def issue_cmd(region_code, level, username, counties, cities, start, expected_end, doc_number, issuing_body, reason,
              pack_id) -> None:
    """Issue an alert and deliver the orders to every covered enterprise."""
    from registry.alerts import operations as ops

    scope = "regional" if cities else ("counties" if counties else "city")
    ep = _run(lambda: ops.issue(_user(username), {
        "scope": scope, "region_code": region_code, "area_codes": list(cities or counties), "level": level,
        "starts_at": _when(start), "expected_end_at": _when(expected_end), "doc_number": doc_number,
        "issuing_body": issuing_body, "reason": reason, "pack_id": pack_id}))
    _echo_episode(ep)


@alert.command("change")
@click.argument("episode_id", type=int)
@click.argument("level")
@click.option("--as-user", "username", required=True)
@click.option("--at", default=None)
@click.option("--doc-number", default="")
@click.option("--note", default="")
@unit_of_work.command
def change_cmd(episode_id, level, username, at, doc_number, note) -> None:
    """Raise or lower the level: the open orders end and new ones replace them."""
    from registry.alerts import operations as ops

    ep = _run(lambda: ops.change_level(_user(username), episode_id, {"level": level, "at": _when(at),
                                                                     "doc_number": doc_number, "note": note}))
    _echo_episode(ep)


@alert.command("lift")
@click.argument("episode_id", type=int)
@click.option("--as-user", "username", required=True)
@click.option("--at", default=None)
@click.option("--clear-hours", type=float, default=None,
              help="Hours of light pollution or better forecast (R-W-02: at least the pack's lifting condition).")
@click.option("--doc-number", default="")
@click.option("--note", default="")
@unit_of_work.command
def lift_cmd(episode_id, username, at, clear_hours, doc_number, note) -> None:
    """Lift the alert: every open order ends."""
    from registry.alerts import operations as ops

    ep = _run(lambda: ops.lift(_user(username), episode_id, {"at": _when(at), "clear_hours": clear_hours,
                                                             "doc_number": doc_number, "note": note}))
    _echo_episode(ep)


@alert.command("orders")
@click.argument("episode_id", type=int)
@click.option("--as-user", "username", required=True)
@click.option("--unacknowledged", is_flag=True, help="Only the enterprises that have not acknowledged.")
def orders_cmd(episode_id, username, unacknowledged) -> None:
    """Per enterprise (JSON lines): its latest order, level, delivered channels, read, acknowledged."""
    from registry.alerts import operations as ops
    from registry.alerts import queries

    ep = _run(lambda: ops.get_episode(_user(username), episode_id))
    for r in queries.status_rows(ep, unacknowledged=unacknowledged):
        click.echo(json.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items() if k != "order"},
                              ensure_ascii=False))


def _build_demo(_force: bool) -> str:
    from registry.alerts.demo import build_alert_demo

    made = build_alert_demo()
    return f"demo alerts: {made['episodes']} episodes (one lifted, one active per jurisdiction), {made['orders']} orders, {made['receipts']} receipts"


def register(app: Flask) -> None:
    from registry.core.demo_builders import DemoBuilder, register_demo_builder

    register_demo_builder(app, "alerts", DemoBuilder(order=30, build=_build_demo))  # after the city and schedules
    app.cli.add_command(alert)
