"""Other domains' events in an enterprise's history, shown with translated labels instead of raw codes.

The enterprise history (registry/enterprises/views.py) lists every audit entry rooted at the enterprise; its
own actions (enterprise.*, line.*, permit.*) it labels itself. The other domains register how to show theirs
(`register_history_labels`, from their blueprint's setup: grades → registry/grades/labels.py, emergency plans →
registry/emergency/presenting.py), so `core` imports none of them (issue 15 item 3).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from registry.core.hooks import registered

KIND = "history_labels"
HistoryView = Callable[[dict], "dict[str, Any] | None"]


def register_history_labels(app: Flask, domain: str, view: HistoryView) -> None:
    """`view(entry)`: {action_label, diff} for an entry of `domain`, None for an entry that is not its own."""
    registered(KIND, app)[domain] = view


def history_view(entry: dict) -> dict[str, Any] | None:
    """{action_label, diff} for an entry of another domain; None for the enterprise's own actions."""
    for view in registered(KIND).values():
        shown = view(entry)
        if shown is not None:
            return shown
    return None
