"""The /api/v1 JSON layer over the same operations the pages use."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
