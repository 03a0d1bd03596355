"""The profile's look on every page: its colours as CSS custom properties, and its logo.

Served as a stylesheet of our own (the Content-Security-Policy allows no inline style), linked by
the base template after style.css, whose `:root` colours it overrides. The colours were checked
for WCAG AA contrast when the profile was loaded (webapp/profile/model.py `Look`).
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_file

bp = Blueprint("look", __name__)

#: The profile's colour -> the custom property style.css reads.
PROPERTIES = {"text": "--ink", "background": "--bg", "primary": "--accent",
              "primary_dark": "--accent-dark", "primary_soft": "--accent-soft"}
MAX_AGE_S = 3600


def theme_css(look) -> str:
    lines = "".join(f"  {prop}: {getattr(look, key)};\n" for key, prop in PROPERTIES.items())
    return f"/* The deployment profile's colours ([look]). */\n:root {{\n{lines}}}\n"


@bp.get("/theme.css")
def theme():
    response = Response(theme_css(current_app.config["PROFILE"].look), mimetype="text/css")
    response.cache_control.public, response.cache_control.max_age = True, MAX_AGE_S
    return response


@bp.get("/logo")
def logo():
    path = current_app.config["PROFILE"].look.logo
    if not path:
        abort(404)
    response = send_file(Path(path), max_age=MAX_AGE_S)
    response.cache_control.public = True
    return response
