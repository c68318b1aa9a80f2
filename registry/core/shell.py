"""What every domain's CLI does with a domain error: roll back, print the error as JSON on stderr, exit 2 (the
command's unit of work commits only on success). One place instead of a copy in each cli.py."""
from __future__ import annotations

import json
import sys
from typing import Callable, TypeVar

import click

T = TypeVar("T")


def run_or_exit(fn: Callable[[], T]) -> T:
    """fn()'s result; on a DomainError its message and field errors on stderr and exit status 2."""
    from registry.core.errors import DomainError
    from registry.extensions import db

    try:
        return fn()
    except DomainError as err:
        db.session.rollback()
        click.echo(json.dumps(err.as_dict(), ensure_ascii=False), err=True)
        sys.exit(2)
