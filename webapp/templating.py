"""Jinja helpers: formats, dates in Japanese and English, the current language.

Japanese pages stay as they always were. On English pages, text people typed in Japanese (places,
names, notes) is marked `lang="ja"` (WCAG 2.1 SC 3.1.2 Language of Parts), and ranges, lists and
parentheses use English punctuation: each rule lives in one helper here.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from babel.lists import format_list
from flask import Flask, request
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2 import BytecodeCache
from markupsafe import Markup, escape

from webapp import timeutil
from webapp.timeutil import era_label_en, reiwa_label

FORMAT_ICONS = {"in_person": "🏢", "online": "💻", "metaverse": "🌐"}
#: Japanese script: CJK punctuation, hiragana, katakana, kanji, full-width forms (（）、〜 and the like).
JAPANESE = re.compile("[\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def format_label(fmt: str) -> str:
    """The word for a session format in the current language."""
    labels = {"in_person": _("対面"), "online": _("オンライン"), "metaverse": _("メタバース")}
    return labels.get(fmt, fmt)


def lang() -> str:
    return str(get_locale() or "ja")


def long_date(day: dt.date) -> str:
    """2026年12月15日（火） / Tue 15 December 2026."""
    return timeutil.long_date(day, lang())


def clock(moment: dt.datetime) -> str:
    """13:30 on a Tokyo clock."""
    return timeutil.clock(moment, lang())


def range_text(first: str, last: str) -> str:
    """13:30〜16:30 / 13:30–16:30; an English range of several words gets spaces around its dash."""
    if lang() == "ja":
        return f"{first}〜{last}"
    return f"{first} – {last}" if " " in first + last else f"{first}–{last}"


def time_range(start: dt.datetime, end: dt.datetime) -> str:
    """From `start` to `end` on a Tokyo clock: 13:30〜16:30 / 13:30–16:30."""
    return range_text(clock(start), clock(end))


def has_japanese(text: str) -> bool:
    return bool(JAPANESE.search(text))


def _needs_mark(text) -> bool:
    """True for Japanese text on a page in another language."""
    return bool(text) and lang() != "ja" and has_japanese(str(text))


def ja(text) -> Markup:
    """Text people entered in Japanese (a place, a display name, a nickname, a holiday, a note).

    On pages in another language it is wrapped in `<span lang="ja">` when it holds Japanese, so
    screen readers read it with a Japanese voice. Japanese pages get the plain escaped text.
    """
    text = "" if text is None else text
    return Markup('<span lang="ja">%s</span>') % text if _needs_mark(text) else escape(text)


def with_data(sentence: str, **values) -> Markup:
    """A sentence from our own catalog (trusted markup) with people's data put in: each value is
    escaped, and marked by `ja` on pages in another language, e.g. a Japanese holiday or term name."""
    return Markup(sentence) % {name: ja(value) for name, value in values.items()}


def ja_lang(text) -> Markup:
    """` lang="ja"` for an element whose whole text is `text`, where no span may go (an <option>)."""
    return Markup(' lang="ja"') if _needs_mark(text) else Markup("")


def ja_attrs(value) -> dict:
    """{"lang": "ja"} for a form control whose value is Japanese on a page in another language."""
    return {"lang": "ja"} if isinstance(value, str) and _needs_mark(value) else {}


def dot() -> str:
    """The separator between short facts on one line: 対面・13:30〜16:30 / In person · 13:30–16:30."""
    return "・" if lang() == "ja" else " · "


def list_join(items: Iterable) -> Markup:
    """Names in a row, by Babel: 「さとう、たなか」 / "Sato and Tanaka" (items escaped unless already markup).

    The joining words come from CLDR, never from people, so the result is safe markup.
    """
    return Markup(format_list([str(escape(item)) for item in items], locale=lang()))


def paren(text) -> Markup:
    """An aside after a word: 「対面（市役所）」 / "In person (City Hall)"."""
    return (Markup("（%s）") if lang() == "ja" else Markup(" (%s)")) % text


def fiscal_label(year: int, western: bool = False) -> str:
    """A fiscal year: 令和8年度, or 令和8年度（2026年度） with `western`; FY2026 (Reiwa 8) in English."""
    if lang() != "ja":
        return f"FY{year} ({era_label_en(year)})"
    return f"{reiwa_label(year)}（{year}年度）" if western else reiwa_label(year)


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory and shared by every app this process makes.

    A server makes one app, and compiles each template once anyway; tests and the CLI make an app per
    test or command, and compiling the templates again each time was a third of a page test's time.
    Jinja keys each entry by template and checks the source's checksum, so an edited template is
    compiled anew."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def init_app(app: Flask) -> None:
    """Expose the helpers to every template; compiled templates are shared by the process's apps."""
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.jinja_env.globals.update(
        format_label=format_label,
        format_icon=FORMAT_ICONS.get,
        long_date=long_date,
        clock=clock,
        time_range=time_range,
        ja=ja,
        ja_lang=ja_lang,
        ja_attrs=ja_attrs,
        paren=paren,
        dot=dot,
        fiscal_label=fiscal_label,
        lang=lang,
    )
    app.jinja_env.filters.update(ja=ja, list_join=list_join)

    @app.context_processor
    def _page_context():
        return {"current_path": request.full_path.rstrip("?")}
