"""Account CLI on the server's shell: create accounts (the only door for security and audit
administrators, 等保 三员分立), change a role, reset an administrator's password, unlock.

Every command goes through the same operations as the pages and is audited (actor: system).
"""
from __future__ import annotations

import click
from flask import Flask

from registry.accounts.models import Role
from registry.core import unit_of_work
from registry.core.errors import DomainError
from registry.extensions import db

ROLE_CHOICES = click.Choice([r.value for r in Role])


def _run(fn, *args):
    try:
        result = fn(*args)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(f"{err.message} {err.errors or ''}".strip()) from err
    return result


def _create(username: str, role: str, region_code: str | None, password: str):
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user

    user = _run(create_user, SYSTEM, {"username": username, "password": password, "role": role, "region_code": region_code})
    click.echo(f"created {user.role} account {user.username}")


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=ROLE_CHOICES, default="admin")
    @click.option("--region", "region_code", default=None, help="6-digit region code for officials")
    @click.password_option()
    @unit_of_work.command
    def create_user_cmd(username: str, role: str, region_code: str | None, password: str):
        """Create an account (same as `flask users create`)."""
        _create(username, role, region_code, password)

    @app.cli.group("users")
    def users_group():
        """Accounts on the server's shell: the only place security and audit administrators are made."""

    @users_group.command("create")
    @click.argument("username")
    @click.option("--role", type=ROLE_CHOICES, required=True)
    @click.option("--region", "region_code", default=None, help="6-digit region code for officials")
    @click.password_option()
    @unit_of_work.command
    def users_create_cmd(username: str, role: str, region_code: str | None, password: str):
        """Create an account of any role, including security_admin and audit_admin."""
        _create(username, role, region_code, password)

    @users_group.command("set-role")
    @click.argument("username")
    @click.argument("role", type=ROLE_CHOICES)
    @click.option("--region", "region_code", default=None, help="6-digit region code for officials")
    @unit_of_work.command
    def users_set_role_cmd(username: str, role: str, region_code: str | None):
        """Change an account's role (audited as user.role_change)."""
        from registry.accounts.auth import SYSTEM
        from registry.accounts.operations import set_role

        user = _run(set_role, SYSTEM, username, role, region_code)
        click.echo(f"{user.username} is now {user.role}")

    @users_group.command("reset-password")
    @click.argument("username")
    @click.password_option()
    @unit_of_work.command
    def users_reset_password_cmd(username: str, password: str):
        """Reset any account's password, administrators' included (audited as user.password_reset)."""
        from sqlalchemy import select

        from registry.accounts.auth import SYSTEM
        from registry.accounts.models import User
        from registry.accounts.operations import reset_password

        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no account {username}")
        _run(reset_password, SYSTEM, user.id, {"password": password})
        click.echo(f"password of {username} reset; any sign-in lock lifted; sessions and API tokens ended; "
                   "a new password must be chosen at the next sign-in")
