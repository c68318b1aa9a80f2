"""Dashboard panels: each domain says what a signed-in user must do or know today, and the dashboard shows
them all (issue 16), so `core` imports no domain (issue 15 item 3).

A domain registers `panel(user) -> dict | None` from its blueprint's setup (`register_dashboard_panel`).
A panel is a plain dict the dashboard renders the same way for every domain:
  {"title": str, "order": int (smaller first), "items": [{"label": str, "url": str | None,
   "detail": str | None, "due": date | None, "count": int | None, "tone": "urgent" | "normal" | "done"}],
   "empty": str (shown when items is empty), "more_url": str | None}
None means the panel does not concern this user (say, an enterprise panel for an official).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from registry.core.hooks import registered

KIND = "dashboard_panels"
Panel = Callable[[Any], "dict[str, Any] | None"]


def register_dashboard_panel(app: Flask, name: str, panel: Panel) -> None:
    """`panel(user)`: this domain's panel for `user`, or None."""
    registered(KIND, app)[name] = panel


def dashboard_panels(user: Any) -> list[dict[str, Any]]:
    """Every registered panel that concerns `user`, in their declared order."""
    shown = [p for p in (view(user) for view in registered(KIND).values()) if p is not None]
    return sorted(shown, key=lambda p: p.get("order", 100))
