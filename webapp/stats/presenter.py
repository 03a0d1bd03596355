"""What the stats pages show: labels in the reader's language, durations, charts, small-cell masking."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from markupsafe import Markup

from webapp import timeutil
from webapp.checkins import operations as checkin_operations
from webapp.checkins import presenter as checkin_presenter
from webapp.checkins.operations import counting
from webapp.clock import today_tokyo
from webapp.sessions.models import FORMATS
from webapp.stats import charts, queries
from webapp.templating import dot, fiscal_label, format_label, lang, list_join, long_date, range_text
from webapp.timeutil import fiscal_year_bounds, fiscal_year_of, reiwa_label

SECTIONS = ("topics", "results", "referrals")


def current_fiscal_year() -> int:
    return fiscal_year_of(today_tokyo())


def short_label(year: int) -> str:
    """令和6年度 / FY2024, for narrow column heads."""
    return f"FY{year}" if lang() == "en" else reiwa_label(year)


def period_text(stats: dict) -> str:
    """The first and last day of the figures' fiscal year, in words."""
    first, last = fiscal_year_bounds(stats["fiscal_year"])
    return range_text(long_date(first), long_date(last))


def year_choices(latest: int | None = None) -> list[tuple[int, str]]:
    """Fiscal years to pick from, newest first: every year with sessions, and the current one."""
    first, last = queries.known_fiscal_years()
    now = current_fiscal_year()
    newest = max(last or now, now) if latest is None else latest
    oldest = min(first or now, now - 1, newest)
    return [(y, fiscal_label(y, western=True)) for y in range(newest, oldest - 1, -1)]


def month_short(month_key: str) -> str:
    """4月 / Apr, for the month chart's categories."""
    return timeutil.month_short(int(month_key[5:]), lang())


def month_format(entry: dict) -> str:
    """The format(s) of a month's sessions in words."""
    return dot().join(format_label(f) for f in entry["formats"]) or "—"


def duration(seconds: int | None) -> str:
    """A wait in words: 45秒, 12分, 1時間5分 (— when nothing was measured)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return _("%(n)d秒", n=seconds)
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)d分", n=minutes)
    return _("%(h)d時間%(m)d分", h=minutes // 60, m=minutes % 60)


def left_waits(stats: dict) -> str:
    """How long those who left without consulting had waited, per format, in words ('' if none)."""
    parts = [f"{format_label(f)} {duration(e['median_left_wait_s'])}" for f, e in stats["by_format"].items()
             if e["median_left_wait_s"] is not None]
    return list_join(parts)


def term_label(labels: dict, key: str) -> str:
    """A term's label in the reader's language, marked when it has been retired."""
    entry = labels.get(key)
    if entry is None:
        return key
    text = entry["en"] if lang() == "en" and entry["en"] else entry["ja"]
    return _("%(label)s（廃止）", label=text) if entry["retired"] else text


def term_rows(stats: dict, section: str) -> list[dict]:
    """Rows of one outcome section: label, this year, previous year."""
    this, prev = stats[section], stats["previous"][section]
    labels = {**stats["previous"]["labels"][section], **stats["labels"][section]}
    keys = list(this) + [k for k in prev if k not in this]
    return [{"key": k, "label": term_label(labels, k), "count": this.get(k, 0), "previous": prev.get(k, 0)}
            for k in keys]


def _unit(counter: str) -> str:
    """The Japanese counter word after a number; English needs none."""
    return "" if lang() == "en" else counter


def _series(stats: dict) -> tuple[str, str]:
    return tuple(fiscal_label(s["fiscal_year"], western=True) for s in (stats, stats["previous"]))


def format_chart(stats: dict) -> Markup:
    """Visits and consultations per format, this year against the year before."""
    now, before = _series(stats)
    categories, current, previous = [], [], []
    for fmt in FORMATS:
        for key, word in (("visits", _("訪問")), ("consultations", _("相談"))):
            categories.append(f"{format_label(fmt)} {word}")
            current.append(stats["by_format"][fmt][key])
            previous.append(stats["previous"]["by_format"][fmt][key])
    return Markup(charts.bar_chart(
        "chart-format", _("開催形式ごとの訪問者数と相談件数"), categories,
        [charts.Series(now, current), charts.Series(before, previous)], unit=_unit("人"), locale=lang()))


def month_chart(stats: dict) -> Markup:
    """Visits per month, this year against the year before."""
    now, before = _series(stats)
    categories = [month_short(e["month"]) for e in stats["by_month"]]
    return Markup(charts.bar_chart(
        "chart-month", _("月ごとの訪問者数"), categories,
        [charts.Series(now, [e["visits"] for e in stats["by_month"]]),
         charts.Series(before, [e["visits"] for e in stats["previous"]["by_month"]])], unit=_unit("人"), locale=lang()))


def section_chart(stats: dict, section: str, title: str) -> Markup:
    """One outcome section as bars, this year against the year before."""
    now, before = _series(stats)
    rows = term_rows(stats, section)
    return Markup(charts.bar_chart(
        f"chart-{section}", title, [r["label"] for r in rows],
        [charts.Series(now, [r["count"] for r in rows]), charts.Series(before, [r["previous"] for r in rows])],
        unit=_unit("件"), locale=lang()))


def avatar(avatar_id: str) -> dict:
    """The avatar's picture and label, as the check-in pages show it."""
    return checkin_presenter.avatar_view(avatar_id)


def mode_label(mode: str) -> str:
    return checkin_presenter.mode_label(mode)


def status_label(status: str) -> str:
    labels = {"waiting": _("待っている"), "in_consultation": _("相談中"), "closed": _("終了"),
              "left": _("相談せず退出"), "removed": _("職員が削除（数えない）")}
    return labels.get(status, status)


def kind_label(kind: str) -> str:
    return _("相談あり") if kind == "consultation" else _("訪問のみ")


def waited_s(checkin) -> int | None:
    """How long this person waited: until taken, or until they left (None while nothing was measured)."""
    return counting.waited_s(checkin)


def record_counts(session_id: int, checkins) -> dict:
    """Visits and consultations as the session's live counts give them, and who left or was removed."""
    counts = checkin_operations.counts(session_id)
    return {"visits": counts["visits"], "consultations": counts["consultations"],
            "left": sum(1 for c in checkins if c.status == "left"),
            "removed": sum(1 for c in checkins if c.status == "removed")}


def mask(value: int, threshold: int) -> str:
    """A count for the public: 1..threshold-1 shown as "<threshold" so no one can be singled out.

    Zero stays 0: it points at nobody.
    """
    if 0 < value < threshold:
        return f"<{threshold}"
    return f"{value:,}"


def room_rows(room: dict) -> list[dict]:
    """The room funnel's rows for the page, each with its session's date as a date (the JSON has it as text)."""
    return [{**row, "day": dt.date.fromisoformat(row["date"])} for row in room["sessions"]]
