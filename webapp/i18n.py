"""Language choice (Japanese first, English selectable) and the message catalogs."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request

LANGUAGES = ("ja", "en")
LANG_COOKIE = "lang"
ROOT = Path(__file__).parent
#: Packages whose `translations/` folders are loaded (calendars/ sits beside webapp/).
PACKAGES = (ROOT, ROOT.parent / "calendars")


def select_locale() -> str:
    """?lang= wins (and is remembered by /lang), then the cookie, then Japanese."""
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "ja"


def catalog_dirs() -> list[str]:
    """Every `translations/` folder in the package: each domain keeps its own catalog."""
    return sorted(str(p) for root in PACKAGES for p in root.glob("**/translations") if p.is_dir())


def compile_catalogs() -> None:
    """Compile each messages.po to .mo when missing or stale, so a fresh checkout just works."""
    for po in (po for root in PACKAGES for po in root.glob("**/translations/*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src:
            catalog = read_po(src)
        with mo.open("wb") as out:
            write_mo(out, catalog)


def init_app(app: Flask) -> None:
    """Compile catalogs and wire Flask-Babel."""
    from webapp.extensions import babel

    compile_catalogs()
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(catalog_dirs()),
    )
