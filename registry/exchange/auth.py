"""Who may use the exchange: any signed-in account; what each row may change is decided per row in plan.py."""
from __future__ import annotations

from registry.accounts.auth import is_authenticated


def can_import(user) -> bool:
    """Officials and administrators import registers; enterprise accounts their own records (rows checked in plan.py)."""
    return is_authenticated(user)


def can_export(user) -> bool:
    """Exports are scoped by visible_enterprises, so every signed-in user gets exactly what they can see."""
    return is_authenticated(user)


def can_download_template(user) -> bool:
    return is_authenticated(user)
