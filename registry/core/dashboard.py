"""Dashboard panels: each domain says what a signed-in user must do or know today, and the dashboard shows
them all (issue 16), so `core` imports no domain (issue 15 item 3).

A domain registers `panel(user) -> dict | None` from its blueprint's setup (`register_dashboard_panel`).
A panel is a plain dict the dashboard renders the same way for every domain:
  {"title": str, "order": int (smaller first), "items": [{"label": str, "url": str | None,
   "detail": str | None, "due": date | None, "count": int | None, "tone": "urgent" | "normal" | "done"}],
   "empty": str (shown when items is empty), "more_url": str | None}
None means the panel does not concern this user (say, an enterprise panel for an official).
Optional keys the dashboard also renders (registry/dashboard, templates/dashboard/index.html):
  "key": str (the panel's id in the page), "count": int (the panel's headline number),
  "stats": [{"label", "value"}], "deadlines": [item, …] (items with a `due` date),
  "table": {"columns": [str], "rows": [{"cells": [...], "url": str | None}], "numeric": bool},
  "chart": an ECharts option (every shown name a label, never a code), "chart_title": str,
  "levels": [{"label", "value", "tone"}], "subpanels": [{"title", "items"}], "wide": bool (full width).

The queue (issue 16): after an official decides an item, `onward` says what was done and returns where to go next —
the next item of the queue the domain found, or the dashboard, told the queue is cleared.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, flash, url_for
from flask_babel import gettext as _

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


def onward(done: str, next_url: str | None, next_name: str = "") -> str:
    """Flash `done` and where the official goes now: `next_url` (the next item, named), else the dashboard."""
    flash(done, "success")
    if next_url is None:  # the dashboard says the queue is cleared
        return url_for("dashboard.index", cleared=1)
    flash(_("Next in your queue: %(name)s", name=next_name), "info")
    return next_url


def within(column, prefix: str | None) -> list:
    """Conditions keeping `column` (a region code) under `prefix` as a range — '1310' → ≥ '1310' and < '1311' — which
    SQLite and PostgreSQL answer from the column's ordinary index, where `LIKE '1310%'` reads every row. Added beside
    a domain's own scope condition (never instead of it), so the dashboard's counts stay fast at province scale
    (issue 16: 60,000 enterprises). No condition for None (unrestricted), a prefix that is not a region code, or a
    province's two digits: a province covers most rows, and reading them in order is faster than through the index."""
    if not prefix or not prefix.isdigit() or len(prefix) < 4:
        return []
    return [column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1)]
