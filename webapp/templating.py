"""Jinja helpers: formats, dates in Japanese and English, the current language."""
from __future__ import annotations

import datetime as dt

from flask import Flask, request
from flask_babel import get_locale, gettext as _

from webapp.timeutil import local

FORMAT_ICONS = {"in_person": "🏢", "online": "💻", "metaverse": "🌐"}
WEEKDAYS_JA = "月火水木金土日"


def format_label(fmt: str) -> str:
    """The word for a session format in the current language."""
    labels = {"in_person": _("対面"), "online": _("オンライン"), "metaverse": _("メタバース")}
    return labels.get(fmt, fmt)


def lang() -> str:
    return str(get_locale() or "ja")


def long_date(day: dt.date) -> str:
    """2026年12月15日（火） / Tue 15 December 2026."""
    if lang() == "en":
        return day.strftime("%a %-d %B %Y")
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS_JA[day.weekday()]}）"


def clock(moment: dt.datetime) -> str:
    """13:30 in Ikoma time."""
    return local(moment).strftime("%H:%M")


def init_app(app: Flask) -> None:
    """Expose the helpers to every template."""
    app.jinja_env.globals.update(
        format_label=format_label,
        format_icon=FORMAT_ICONS.get,
        long_date=long_date,
        clock=clock,
        lang=lang,
    )

    @app.context_processor
    def _page_context():
        return {"current_path": request.full_path.rstrip("?")}
