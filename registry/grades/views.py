"""stub"""
from flask import Blueprint
bp = Blueprint("grades", __name__, url_prefix="/grades")
public_bp = Blueprint("public_grades", __name__, url_prefix="/public")
