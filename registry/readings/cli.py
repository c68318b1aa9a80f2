"""`flask readings …`: load a file of readings (the official's or enterprise's scope applies: --as-user), describe
and compact the store, and compute a baseline."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from registry.accounts.shell import actor as _actor
from registry.core import unit_of_work
from registry.core.shell import run_or_exit as _run

readings = AppGroup("readings", help="Readings (issue 19): electricity sub-meters, CEMS, truck gates.")






@readings.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["electricity", "cems", "gate"]), required=True)
@click.option("--as-user", "username", default=None, help="Load in this user's scope (default: the server's shell, all).")
@click.option("--dry-run", is_flag=True, help="Check only, store nothing.")
@unit_of_work.command
def import_(path: Path, kind: str, username: str | None, dry_run: bool):
    """Check and load a CSV, Excel (gate) or HJ 212 (CEMS) file; the report is printed as JSON; exit 1 on problems."""
    from registry.readings import operations as ops

    report = _run(lambda: ops.load_file(_actor(username), kind, path.read_bytes(), path.name, source="cli",
                                        dry_run=dry_run))
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
    if not report.ok:
        from registry.extensions import db

        db.session.rollback()
        sys.exit(1)


@readings.command("store")
def store_info():
    """Partitions, files and days of the readings store."""
    from registry.readings import operations as ops
    from registry.readings.store import current_store

    click.echo(json.dumps({"root": str(current_store().root), **ops.describe_store()}, ensure_ascii=False))


@readings.command("compact")
@click.option("--kind", type=click.Choice(["electricity", "cems", "gate"]), required=True)
@click.option("--min-files", default=8, show_default=True)
def compact(kind: str, min_files: int):
    """Rewrite partitions holding many small files (left by streams) as one file each."""
    from registry.readings.store import current_store

    click.echo(json.dumps({"partitions_rewritten": current_store().compact(kind, min_files=min_files)}))


@readings.command("baseline")
@click.argument("window_start")
@click.option("--city", "cities", multiple=True)
@click.option("--meter", "meters", multiple=True, type=int)
@click.option("--days", type=int, default=None, help="Working days (default READINGS_BASELINE_DAYS).")
def baseline_cmd(window_start: str, cities: tuple[str, ...], meters: tuple[int, ...], days: int | None):
    """Per-meter baselines before WINDOW_START (Beijing time, ISO), as JSON lines."""
    from registry.readings import baseline
    from registry.readings import operations as ops
    from registry.readings.store import current_store

    table = baseline.baseline(current_store(), datetime.fromisoformat(window_start),
                              days=days or ops.setting("READINGS_BASELINE_DAYS"), city_codes=cities or None,
                              meter_ids=meters or None)
    for row in table.to_pylist():
        click.echo(json.dumps(row, ensure_ascii=False))


def _build_demo(_force: bool) -> str:
    from registry.readings.demo import build_readings_demo

    made = build_readings_demo()
    return (f"demo readings: {made['meters']} meters, {made['stacks']} stacks, {made['readings']} readings, "
            f"{made['violations']} planted violations (demo-truth.json beside the store)")


def register(app: Flask) -> None:
    from registry.core.demo_builders import DemoBuilder, register_demo_builder

    register_demo_builder(app, "readings", DemoBuilder(order=40, build=_build_demo))  # after the alerts (their orders)
    app.cli.add_command(readings)
