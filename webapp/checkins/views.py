"""Check-in, the waiting room and the staff console."""
from flask import Blueprint

bp = Blueprint("checkins", __name__, template_folder="templates")
