"""JSON API for check-ins, counts and realtime tokens (CONTRACT.md section 3)."""
from flask import Blueprint

bp = Blueprint("checkins_api", __name__, url_prefix="/api/v1")
