"""Account CLI: create the first administrator (or any account) from the shell."""
from __future__ import annotations

import click
from flask import Flask

from registry.core.errors import DomainError
from registry.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["enterprise", "county", "city", "province", "admin"]), default="admin")
    @click.option("--region", "region_code", default=None, help="6-digit region code for officials")
    @click.password_option()
    def create_user_cmd(username: str, role: str, region_code: str | None, password: str):
        """Create an account (the CLI acts with administrator rights)."""
        from registry.accounts.auth import SYSTEM
        from registry.accounts.operations import create_user

        try:
            user = create_user(SYSTEM, {"username": username, "password": password, "role": role, "region_code": region_code})
        except DomainError as err:
            db.session.rollback()
            raise click.ClickException(f"{err.message} {err.errors}") from err
        db.session.commit()
        click.echo(f"created {user.role} account {user.username}")
