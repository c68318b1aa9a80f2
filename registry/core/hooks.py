"""Extension points: the domains register what `core` must show or run, so `core` imports none of them
(issue 15 item 3). Each hook lives on the application (`app.extensions`), registered while the app is built
(a blueprint's `record_once`, or a domain's CLI `register(app)`), so every app — and every test's app —
has exactly the hooks of the domains it wires.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app


def registered(kind: str, app: Flask | None = None) -> dict[str, Any]:
    """The hooks of one kind on `app` (default: the current app), by name, in registration order."""
    app = app or current_app._get_current_object()
    return app.extensions.setdefault("registry.hooks", {}).setdefault(kind, {})
