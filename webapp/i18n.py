"""Language choice (Japanese first, English selectable) and the message catalogs.

Catalogs are compiled at install (`make translations`, Babel's `pybabel compile`), never here:
the app only checks, at start, that every compiled catalog is there and up to date.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request

LANGUAGES = ("ja", "en")
LANG_COOKIE = "lang"
ROOT = Path(__file__).parent
#: Packages whose `translations/` folders are loaded (calendars/ sits beside webapp/).
PACKAGES = (ROOT, ROOT.parent / "calendars")
FIX = "run `make translations` (pybabel compile) in the checkout"

log = logging.getLogger(__name__)


class MissingCatalog(RuntimeError):
    """A messages.po has no compiled .mo: its language would show untranslated pages."""


def select_locale() -> str:
    """?lang= wins (and is remembered by /lang), then the cookie, then Japanese."""
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "ja"


def catalog_dirs() -> list[str]:
    """Every `translations/` folder in the package: each domain keeps its own catalog."""
    return sorted(str(p) for root in PACKAGES for p in root.glob("**/translations") if p.is_dir())


def sources() -> list[Path]:
    """Every messages.po of every package."""
    return sorted(po for root in PACKAGES for po in root.glob("**/translations/*/LC_MESSAGES/messages.po"))


def check_catalogs() -> None:
    """Refuse to start without a compiled catalog; say so (once) when one is older than its .po.

    A missing .mo would turn a whole language back into Japanese, so it stops the start. A stale
    one only lacks the newest strings (and copies can blur mtimes), so it is logged, not fatal.
    """
    missing = [po for po in sources() if not po.with_suffix(".mo").exists()]
    if missing:
        raise MissingCatalog(f"Translation catalog not compiled: {', '.join(map(str, missing))}; {FIX}.")
    stale = [po for po in sources() if po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        log.warning("Translation catalog older than its .po (newest strings untranslated): %s; %s.",
                    ", ".join(map(str, stale)), FIX)


def init_app(app: Flask) -> None:
    """Check the compiled catalogs and wire Flask-Babel."""
    from webapp.extensions import babel

    check_catalogs()
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(catalog_dirs()),
    )
