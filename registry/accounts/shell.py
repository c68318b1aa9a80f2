"""Who a CLI command acts as: the named user (`--as-user`), or the server's shell (SYSTEM) when none is named.
One place for every domain's cli.py."""
from __future__ import annotations

import click
from sqlalchemy import select

from registry.accounts.auth import SYSTEM
from registry.accounts.models import User
from registry.extensions import db


def actor(username: str | None):
    """The user called `username`, SYSTEM without one; an unknown name stops the command."""
    if not username:
        return SYSTEM
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user
