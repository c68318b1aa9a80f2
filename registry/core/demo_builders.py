"""The demo builders `flask demo-data` and `flask seed` run (core/cli.py), registered by the domains that build
them (registry/demo.py: the demo city; schedules/cli.py: the schedules), so `core` imports none of them
(issue 15 item 3)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from registry.core.hooks import registered

KIND = "demo_builders"


@dataclass(frozen=True)
class DemoBuilder:
    """`build(force)` builds its part of the demo and returns the line to print, or None when it built nothing
    (the data was there): the builders after it, which build on it, are then skipped. `logins(echo)`, if
    given, prints the demo accounts at the end."""
    order: int
    build: Callable[[bool], str | None]
    logins: Callable[[Callable[[str], None]], None] | None = None


def register_demo_builder(app: Flask, name: str, builder: DemoBuilder) -> None:
    registered(KIND, app)[name] = builder


def builders(app: Flask) -> list[DemoBuilder]:
    return sorted(registered(KIND, app).values(), key=lambda b: b.order)
