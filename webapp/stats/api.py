"""JSON and CSV fiscal-year figures (CONTRACT.md section 3, /stats)."""
from flask import Blueprint

bp = Blueprint("stats_api", __name__, url_prefix="/api/v1")
