"""Time rules of the service: Asia/Tokyo for people, UTC in the database, 年度 from April.

Dates and times in words are Babel's (CLDR), for the locale the caller passes in: no Flask here.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_day_names, get_month_names

TOKYO = ZoneInfo("Asia/Tokyo")
#: Babel patterns of the long date: Japanese keeps its full-width parentheses (Babel's own ja
#: pattern has ASCII ones), English keeps the day before the month.
LONG_DATE = {"ja": "y年M月d日（E）", "en": "EEE d MMMM y"}


def local(moment: dt.datetime) -> dt.datetime:
    """`moment` seen on a clock in Tokyo (Asia/Tokyo)."""
    return moment.astimezone(TOKYO)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the +09:00 offset, as the contract puts times on the wire."""
    return local(moment).isoformat() if moment else None


def at_tokyo(day: dt.date, clock: dt.time) -> dt.datetime:
    """The aware datetime of `clock` on `day` in Tokyo."""
    return dt.datetime.combine(day, clock, tzinfo=TOKYO)


def long_date(day: dt.date, locale: str) -> str:
    """2026年12月15日（火） / Tue 15 December 2026."""
    return format_date(day, LONG_DATE.get(locale, LONG_DATE["ja"]), locale=locale)


def clock(moment: dt.datetime, locale: str) -> str:
    """13:30 on a Tokyo clock, a 24-hour clock in every language."""
    return format_time(local(moment), "HH:mm", locale=locale)


def weekday_short(day: dt.date, locale: str) -> str:
    """火 / Tue."""
    return get_day_names("abbreviated", locale=locale)[day.weekday()]


def month_short(month: int, locale: str) -> str:
    """12月 / Dec."""
    return get_month_names("abbreviated", locale=locale)[month]


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year (年度) `day` belongs to: April..March, named by its starting year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year `year`."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def reiwa_label(year: int) -> str:
    """令和 label of a fiscal year: 2024 -> 令和6年度 (令和元年度 for 2019)."""
    n = year - 2018
    if n < 1:
        return f"平成{year - 1988}年度"
    return "令和元年度" if n == 1 else f"令和{n}年度"


def era_label_en(year: int) -> str:
    """The same era year in English words: 2024 -> Reiwa 6, 2019 -> Reiwa 1, 2018 -> Heisei 30."""
    n = year - 2018
    return f"Heisei {year - 1988}" if n < 1 else f"Reiwa {n}"


WEEKDAY_NUMBERS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def nth_weekday(year: int, month: int, week: int, weekday: str) -> dt.date:
    """The `week`-th `weekday` ("mon".."sun") of a month; week -1 is the last one (a profile's schedule rule)."""
    number = WEEKDAY_NUMBERS[weekday]
    if week == -1:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - number) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(number - first.weekday()) % 7 + 7 * (week - 1))


def third_tuesday(year: int, month: int) -> dt.date:
    """The third Tuesday of a month (Ikoma's rule; the tests' fixed dates)."""
    return nth_weekday(year, month, 3, "tue")
