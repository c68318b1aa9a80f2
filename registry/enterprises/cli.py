"""Enterprise CLI (bulk tools arrive with the exchange domain)."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select


def register(app: Flask) -> None:
    @app.cli.command("registry-stats")
    def stats_cmd():
        """Count enterprises by registration status."""
        from registry.enterprises.models import Enterprise
        from registry.extensions import db

        rows = db.session.execute(select(Enterprise.status, func.count()).group_by(Enterprise.status)).all()
        for status, n in rows:
            click.echo(f"{status}\t{n}")
