"""stub"""
from flask_smorest import Blueprint
blp = Blueprint("grades_api", __name__, url_prefix="/api/v1", description="x")
