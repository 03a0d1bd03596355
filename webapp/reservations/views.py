"""Resident pages for reservations: reserve, see the code, look up, cancel."""
from flask import Blueprint, render_template

bp = Blueprint("reservations", __name__, template_folder="templates")


@bp.get("/reservations")
def lookup():
    return render_template("error.html", status=404, message=None)
