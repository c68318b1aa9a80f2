"""Core CLI: `flask load-regions`, `flask demo-data`, `flask seed` and `flask partitions ensure|list` (the audit
and backup commands: registry/audit/cli.py).

The demo data is built by the domains: each registers its builder (core/demo_builders.py, from its CLI's
`register(app)`), and these commands run them in order, so `core` imports none of them (issue 15 item 3).
"""
from __future__ import annotations

import click
from flask import Flask

from registry.core import partitions, unit_of_work
from registry.core.demo_builders import builders
from registry.core.regions import load_regions
from registry.extensions import db


def _build_demo(app: Flask, force: bool) -> bool:
    """Run the builders in order, each its own unit of work (a later builder — the schedules' generation —
    reads what the earlier ones committed); False when the first built nothing."""
    for i, builder in enumerate(builders(app)):
        with unit_of_work.transaction():
            line = builder.build(force)
        if line is None:
            return i > 0
        click.echo(line)
    return True


def _print_logins(app: Flask) -> None:
    for builder in builders(app):
        if builder.logins is not None:
            builder.logins(click.echo)


def register(app: Flask) -> None:
    @app.cli.command("load-regions")
    @unit_of_work.command
    def load_regions_cmd():
        """Load the national GB/T 2260 region table (idempotent)."""
        n = load_regions()
        click.echo(f"loaded {n} regions" if n else "regions already loaded")

    @app.cli.command("demo-data")
    @click.option("--force", is_flag=True, help="Load even if enterprises already exist.")
    def demo_data_cmd(force: bool):
        """Build a small realistic city in each source jurisdiction, with one account per role."""
        if not app.config.get("ALLOW_DEMO_DATA", False):
            raise click.ClickException("demo data is refused in this configuration: its accounts share a published password")
        with unit_of_work.transaction():
            load_regions()
        if not _build_demo(app, force):
            click.echo("the database already has enterprises; demo data not loaded (use --force)")
        _print_logins(app)

    @app.cli.command("seed")
    def seed_cmd():
        """What `make run` does after migrating: regions, and demo data when there are no enterprises."""
        with unit_of_work.transaction():
            n = load_regions()
        if n:
            click.echo(f"loaded {n} regions")
        if not app.config.get("ALLOW_DEMO_DATA", False):
            click.echo("demo data is not loaded in this configuration (production)")
            return
        _build_demo(app, False)
        _print_logins(app)

    @app.cli.group("partitions")
    def partitions_group():
        """PostgreSQL partitions of the season tables (registry/core/partitions.py, docs/scale.md)."""

    @partitions_group.command("ensure")
    @click.option("--since", type=int, default=None, help="First season year (default: the current season).")
    @click.option("--through", type=int, default=None,
                  help=f"Last season year (default: {partitions.AHEAD} seasons after the current one).")
    def partitions_ensure_cmd(since: int | None, through: int | None):
        """Create the coming seasons' partitions (idempotent); rows waiting in the default partition move in."""
        with db.engine.begin() as conn:
            if conn.dialect.name != "postgresql":
                click.echo("SQLite: no partitions (nothing to do)")
                return
            for table in partitions.SEASON_TABLES:
                created = partitions.ensure(conn, table, since=since, through=through)
                click.echo(f"{table}: " + (", ".join(created) if created else "every partition exists"))

    @partitions_group.command("list")
    def partitions_list_cmd():
        """Each season table's partitions, bounds and rows."""
        with db.engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                click.echo("SQLite: no partitions")
                return
            for table in partitions.SEASON_TABLES:
                for p in partitions.partitions(conn, table):
                    click.echo(f"{p.name}\t{p.bound}\t{p.rows}")
