"""Staff login, logout, the promoter's own sessions and account management."""
from flask import Blueprint, render_template

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")


@bp.get("/")
def home():
    return render_template("error.html", status=404, message=None)


@bp.get("/login")
def login():
    return render_template("error.html", status=404, message=None)
