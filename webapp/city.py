"""The deployment profile's names and rule in the page's language: what one city calls its things.

Templates, feeds and exports take every city-specific word from here (CONTRACT §8), never from
a message catalog; the catalogs hold only sentences with placeholders such as %(programme)s.
"""
from __future__ import annotations

from itertools import groupby

from babel.dates import get_day_names, get_month_names
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from webapp.profile.model import MONTHS, WEEKDAYS, Profile
from webapp.templating import format_label, lang, list_join, range_text


def profile() -> Profile:
    return current_app.config["PROFILE"]


def _pick(ja: str, en: str) -> str:
    """The Japanese value, or its English one on pages in another language (when the profile has it)."""
    return en if lang() != "ja" and en else ja


def name() -> str:
    """The municipality: 生駒市 / Ikoma City."""
    city = profile().municipality
    return _pick(city.name, city.name_en)


def programme() -> str:
    """The session series: いこまる相談会 / Ikomaru consultation sessions."""
    series = profile().programme
    return _pick(series.name, series.name_en)


def umbrella() -> str:
    """The city's multi-layered support programme, or the series' name when the profile has none."""
    series = profile().programme
    return _pick(series.umbrella, series.umbrella_en) or programme()


def umbrella_short() -> str:
    series = profile().programme
    return _pick(series.umbrella_short, series.umbrella_short_en) or umbrella()


def windows() -> str:
    """The city's list of consultation windows (いこまる相談窓口), or a plain word for it."""
    series = profile().programme
    return _pick(series.windows_name, series.windows_name_en) or _("相談窓口")


def windows_about() -> str:
    series = profile().programme
    return _pick(series.windows_about, series.windows_about_en)


def listeners() -> str:
    """Who listens, as residents are told: いこまる主任推進員."""
    series = profile().programme
    return (_pick(series.listeners, series.listeners_en)
            or _pick(series.promoter_title, series.promoter_title_en))


def session_day() -> str:
    """The schedule rule's day: 第3火曜日 / third Tuesday."""
    rule = profile().schedule
    nth = {1: _("第1"), 2: _("第2"), 3: _("第3"), 4: _("第4"), -1: _("最終")}[rule.week]
    weekday = get_day_names("wide", locale=lang())[WEEKDAYS.index(rule.weekday)]
    return _("%(nth)s%(weekday)s", nth=nth, weekday=weekday)


def monthly() -> str:
    """The rule as a phrase: 毎月第3火曜日 / the third Tuesday of every month."""
    return _("毎月%(day)s", day=session_day())


def format_plan() -> Markup:
    """The month-by-month formats in fiscal order, runs joined: 4月: 対面、5月: オンライン、…、11月〜3月: メタバース."""
    plan, names = profile().formats, get_month_names("wide", locale=lang())
    runs = [list(months) for _fmt, months in groupby(MONTHS, key=plan.get)]
    if len(runs) == 1:
        return _("毎月%(format)s", format=format_label(plan[4]))
    parts = [_("%(months)s: %(format)s", format=format_label(plan[run[0]]),
               months=names[run[0]] if len(run) == 1 else range_text(names[run[0]], names[run[-1]]))
             for run in runs]
    return list_join(parts)


def uid_domain() -> str:
    """Right-hand side of every calendar UID (the profile's; it must never change)."""
    return profile().feeds.uid_domain or f"{profile().programme.slug}.calendar"


def prodid() -> str:
    """The calendars' PRODID: who made them."""
    p = profile()
    return p.feeds.prodid or (f"-//{p.municipality.name_en or p.municipality.name}"
                              f"//{p.programme.name_en or p.programme.name}//JA")


def slug() -> str:
    """ASCII short name for download file names and the API's realm."""
    return profile().programme.slug


def texts() -> dict[str, str]:
    """Every name above, for templates and sentences (`_("…%(programme)s…", **city.texts())`)."""
    return {"city": name(), "programme": programme(), "umbrella": umbrella(),
            "umbrella_short": umbrella_short(), "windows": windows(),
            "listeners": listeners(), "day": session_day(), "monthly": monthly()}


def init_app(app) -> None:
    """`city` in every template: `city.programme`, `city.monthly`, …"""
    app.jinja_env.globals["format_plan"] = format_plan

    @app.context_processor
    def _city():
        return {"city": texts(), "windows_about": windows_about(), "look": profile().look}
