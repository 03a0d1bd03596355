"""iCalendar feed routes."""
from flask import Blueprint

bp = Blueprint("calendars", __name__, url_prefix="/calendars")
