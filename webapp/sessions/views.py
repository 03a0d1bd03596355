"""Public pages: upcoming sessions, a session's slots, other places to turn to, language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from webapp.i18n import LANG_COOKIE, LANGUAGES
from webapp.sessions import operations

bp = Blueprint("sessions", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render_template("sessions/index.html", sessions=operations.upcoming())


@bp.get("/help")
def help():
    return render_template("sessions/help.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the language in a cookie and go back where the person was."""
    target = request.args.get("next") or url_for("sessions.index")
    if urlsplit(target).netloc or not target.startswith("/"):
        target = url_for("sessions.index")  # never an open redirect
    response = make_response(redirect(target))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
