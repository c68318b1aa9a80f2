"""Account pages: log in/out, sign up, API tokens, user administration (filled in by the pages work)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
