"""Bar charts as SVG strings, drawn on the server: readable without JavaScript, printable.

Pure functions (no Flask, no database). Every chart carries <title> and <desc> (role="img",
aria-labelledby), writes each value as text beside its bar, and tells series apart by a
pattern and the legend's words, never by colour alone. All text is XML-escaped.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from xml.sax.saxutils import escape, quoteattr

from babel.lists import format_list

WIDTH = 720
LABEL_WIDTH = 210
VALUE_ROOM = 70
BAR = 16
BAR_GAP = 3
GROUP_GAP = 14
LEGEND_HEIGHT = 40
FONT = 14
#: Fill of each series: solid dark green, then a diagonal hatch, then dots (dark on white).
STYLES = ("solid", "hatch", "dots")


@dataclasses.dataclass(frozen=True)
class Series:
    """One set of values, drawn as one bar per category."""

    name: str
    values: list[float | int | None]


def text_width(text: str, size: int = FONT) -> float:
    """Rough width of `text`: full-width (Japanese) characters take a whole em, others about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def fit(text: str, room: float, size: int = FONT) -> str:
    """`text` cut with an ellipsis so it fits in `room` pixels."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def describe(categories: list[str], series: list[Series], unit: str = "", locale: str = "ja") -> str:
    """Every value in words, for the chart's <desc> (what a screen reader reads), listed in `locale`."""
    parts = []
    for s in series:
        values = [f"{c} {_number(v)}{unit}" for c, v in zip(categories, s.values, strict=False)]
        parts.append(f"{s.name}: {format_list(values, locale=locale)}")
    return " / ".join(parts)


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"


def _defs(chart_id: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="#1f2933" stroke-width="2.5"/></pattern>'
        f'<pattern id="{chart_id}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" fill="#ffffff"/><circle cx="2.5" cy="2.5" r="1.3" fill="#1f2933"/></pattern>'
        "</defs>"
    )


def _fill(chart_id: str, index: int) -> str:
    style = STYLES[index % len(STYLES)]
    return "#0b6e4f" if style == "solid" else f"url(#{chart_id}-{style})"


def _legend(chart_id: str, series: list[Series]) -> str:
    items, x = [], LABEL_WIDTH
    for i, s in enumerate(series):
        items.append(
            f'<rect x="{x}" y="12" width="22" height="16" fill="{_fill(chart_id, i)}" stroke="#1f2933"/>'
            f'<text x="{x + 28}" y="25" font-size="{FONT}">{escape(s.name)}</text>'
        )
        x += 28 + text_width(s.name) + 28
    return f'<g class="chart-legend">{"".join(items)}</g>'


def bar_chart(chart_id: str, title: str, categories: list[str], series: list[Series],
              unit: str = "", desc: str | None = None, locale: str = "ja") -> str:
    """A horizontal grouped bar chart: one group per category, one bar per series (described in `locale`).

    `chart_id` must be unique on the page (it prefixes the ids the chart refers to).
    """
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    top = max((v or 0) for s in series for v in s.values) if series and categories else 0
    scale = room / top if top else 0
    group_height = len(series) * (BAR + BAR_GAP) - BAR_GAP
    height = LEGEND_HEIGHT + len(categories) * (group_height + GROUP_GAP) + GROUP_GAP
    body = []
    y = LEGEND_HEIGHT + GROUP_GAP
    for c, category in enumerate(categories):
        label_y = y + group_height / 2 + FONT * 0.35
        body.append(f'<text x="{LABEL_WIDTH - 8}" y="{label_y:.1f}" text-anchor="end" font-size="{FONT}">'
                    f"<title>{escape(category)}</title>{escape(fit(category, LABEL_WIDTH - 16))}</text>")
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            length = (value or 0) * scale
            bar_y = y + i * (BAR + BAR_GAP)
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length:.1f}" height="{BAR}" '
                f'fill="{_fill(chart_id, i)}" stroke="#1f2933" stroke-width="1">'
                f"<title>{escape(f'{category} {s.name}: {_number(value)}{unit}')}</title></rect>"
                f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{bar_y + BAR - 3}" font-size="{FONT - 1}">'
                f"{escape(_number(value) + unit)}</text>"
            )
        y += group_height + GROUP_GAP
    axis = f'<line x1="{LABEL_WIDTH}" y1="{LEGEND_HEIGHT}" x2="{LABEL_WIDTH}" y2="{height}" stroke="#1f2933"/>'
    description = desc if desc is not None else describe(categories, series, unit, locale)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="sans-serif" fill="#1f2933" '
        f'aria-labelledby={quoteattr(f"{chart_id}-title {chart_id}-desc")} id={quoteattr(chart_id)}>'
        f'<title id={quoteattr(chart_id + "-title")}>{escape(title)}</title>'
        f'<desc id={quoteattr(chart_id + "-desc")}>{escape(description)}</desc>'
        f"{_defs(chart_id)}{_legend(chart_id, series)}{''.join(body)}{axis}</svg>"
    )
