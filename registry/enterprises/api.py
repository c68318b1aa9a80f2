"""Enterprise API (filled in by the API work)."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("enterprises_api", __name__, url_prefix="/api/v1", description="Enterprises, lines and permits")
