"""The enterprises blueprint, on which views.py and conflict_views.py (issue 13 M7) both put their pages: each
imports it from here, so neither imports the other's module to reach it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")
