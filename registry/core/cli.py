"""Core CLI: `flask load-regions`, `flask demo-data`, `flask seed` (regions + demo when empty)."""
from __future__ import annotations

import click
from flask import Flask

from registry.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("load-regions")
    def load_regions_cmd():
        """Load the national GB/T 2260 region table (idempotent)."""
        from registry.core.regions import load_regions

        n = load_regions()
        db.session.commit()
        click.echo(f"loaded {n} regions" if n else "regions already loaded")

    @app.cli.command("demo-data")
    @click.option("--force", is_flag=True, help="Load even if enterprises already exist.")
    def demo_data_cmd(force: bool):
        """Build a small realistic city in each source jurisdiction, with one account per role."""
        from registry.core.regions import load_regions
        from registry.demo import build_demo, print_logins

        load_regions()
        created = build_demo(force=force)
        db.session.commit()
        if created:
            click.echo(f"demo data: {created['enterprises']} enterprises, {created['lines']} lines, {created['permits']} permits")
        else:
            click.echo("the database already has enterprises; demo data not loaded (use --force)")
        print_logins(click.echo)

    @app.cli.command("seed")
    def seed_cmd():
        """What `make run` does after migrating: regions, and demo data when there are no enterprises."""
        from registry.core.regions import load_regions
        from registry.demo import build_demo, print_logins

        n = load_regions()
        if n:
            click.echo(f"loaded {n} regions")
        created = build_demo(force=False)
        db.session.commit()
        if created:
            click.echo(f"demo data: {created['enterprises']} enterprises, {created['lines']} lines, {created['permits']} permits")
        print_logins(click.echo)
