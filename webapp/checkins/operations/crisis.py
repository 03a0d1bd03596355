"""Crisis phrases: a resident who writes one is put first in line and shown the crisis contacts.

The phrases, words and contacts live in the database (admins edit them, crisis_settings.py) and
are kept here in memory: the relay asks on every resident line, so a line never queries the
database. At most every CRISIS_REFRESH_S seconds (3) one small query asks whether an admin
changed something, and the new set is loaded; until the tables hold anything, config.py's defaults hold.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time

from webapp.checkins.operations import crisis_lemmas, crisis_settings
from webapp.checkins.operations.configuration import settings
from webapp.db import db_session

log = logging.getLogger(__name__)

@dataclasses.dataclass(frozen=True, eq=False)  # compared by identity: the cache key of a line
class CrisisSet:
    """What marks a crisis and whom to show: phrases by meaning, words as written, contacts."""

    phrases: tuple[crisis_lemmas.Phrase, ...]
    words: tuple[str, ...]
    contacts: tuple[dict, ...]
    version: object = None


def build(phrases, words, contacts, version=None) -> CrisisSet:
    """A set ready for matching: each phrase analysed once, here, not on every line."""
    compiled = tuple(p for p in (crisis_lemmas.compile_phrase(text) for text in phrases) if p)
    folded = tuple(w for w in (crisis_lemmas.fold(word) for word in words) if w)
    return CrisisSet(compiled, folded, tuple(dict(c) for c in contacts), version)


_lock = threading.Lock()
_state: dict = {"set": None, "checked": 0.0, "bind": None}


def _defaults() -> CrisisSet:
    return build(settings.crisis_phrases, settings.crisis_words, settings.crisis_contacts)


def current() -> CrisisSet:
    """The set in force: the database's, looked at again when `crisis_refresh_s` has passed."""
    bind = _bind()

    def due() -> bool:
        return (_state["set"] is None or _state["bind"] is not bind
                or time.monotonic() - _state["checked"] >= settings.crisis_refresh_s)

    if due():
        with _lock:
            if due():
                # A set read from another database (a rebinding, each test's own) is never reused.
                _state["set"] = _reload(_state["set"] if _state["bind"] is bind else None)
                _state["bind"], _state["checked"] = bind, time.monotonic()
    return _state["set"]


def _bind():
    """The engine this process is bound to now, or None before it is bound."""
    try:
        return db_session.get_bind()
    except Exception:  # noqa: BLE001  (not bound yet: the set from config.py serves meanwhile)
        return None


def _reload(previous: CrisisSet | None) -> CrisisSet:
    """The database's set when it changed, else the one in memory; config.py's while tables are empty."""
    try:
        version = crisis_settings.version()
        if previous is not None and previous.version == version:
            return previous
        stored = crisis_settings.stored()
    except Exception:  # noqa: BLE001  (no database bound yet, or not migrated: keep what we have)
        log.debug("crisis settings not readable; keeping the phrases in memory", exc_info=True)
        return previous or _defaults()
    if stored is None:
        return dataclasses.replace(_defaults(), version=version)
    return build(*stored, version=version)


def forget() -> None:
    """Drop the set in memory: the next line reloads it (after an admin's edit, after `configure`)."""
    with _lock:
        _state["set"] = None
        _flagged.cache_clear()


def contains_crisis_word(text: str) -> bool:
    """True when `text` expresses a wish to die or disappear, in any inflection or spelling
    (死にたくなる, ｷｴﾀｲ, い な く な り た い), or holds one of the words matched as written."""
    return _flagged(current(), text or "")


@functools.lru_cache(maxsize=512)
def _flagged(crisis: CrisisSet, text: str) -> bool:
    # A line is asked twice (stored, then sent on): the second time costs nothing.
    folded = crisis_lemmas.fold(text)
    if any(word in folded for word in crisis.words):
        return True
    return crisis_lemmas.any_match(crisis.phrases, text)


def crisis_contacts() -> list[dict]:
    """The contacts shown to a resident in crisis (and on the help pages), in order."""
    return [dict(c) for c in current().contacts]
