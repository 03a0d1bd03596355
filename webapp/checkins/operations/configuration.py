"""The numbers behind the check-in rules, copied from the app config at start."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from webapp.checkins.operations import crisis_lemmas
from webapp.config import DEFAULT_CRISIS_CONTACTS, DEFAULT_CRISIS_PHRASES, DEFAULT_CRISIS_WORDS
from webapp.limits import MESSAGE_MAX


@dataclasses.dataclass
class Settings:
    """The numbers behind the rules; `configure` copies them from the app config."""

    crisis_phrases: tuple[str, ...] = tuple(DEFAULT_CRISIS_PHRASES)
    crisis_words: tuple[str, ...] = tuple(DEFAULT_CRISIS_WORDS)
    crisis_contacts: tuple[dict, ...] = tuple(DEFAULT_CRISIS_CONTACTS)
    crisis_refresh_s: float = 3.0
    average_consultation_minutes: int = 20
    checkin_timeout_minutes: int = 15
    message_max_chars: int = MESSAGE_MAX
    #: A relay's word that a resident is connected holds this long (its heartbeat renews it sooner).
    presence_ttl_s: float = 8.0


#: One shared instance: `configure` changes it in place, so every module sees the same numbers.
settings = Settings()


def configure(config: Mapping) -> None:
    """Take the settings from a config mapping (the web app and the relay call this at start)."""
    # The defaults until an admin's phrases and contacts are in the database (crisis_settings.py).
    settings.crisis_phrases = tuple(config.get("CRISIS_PHRASES") or DEFAULT_CRISIS_PHRASES)
    settings.crisis_words = tuple(config.get("CRISIS_WORDS") or DEFAULT_CRISIS_WORDS)
    settings.crisis_contacts = tuple(config.get("CRISIS_CONTACTS") or DEFAULT_CRISIS_CONTACTS)
    settings.crisis_refresh_s = float(config.get("CRISIS_REFRESH_S", 3.0))
    crisis_lemmas.warm_up()  # the analyser loads here, at start, not on a resident's first line
    settings.average_consultation_minutes = int(config.get("AVERAGE_CONSULTATION_MINUTES", 20))
    settings.checkin_timeout_minutes = int(config.get("CHECKIN_TIMEOUT_MINUTES", 15))
    settings.message_max_chars = int(config.get("MESSAGE_MAX_CHARS", MESSAGE_MAX))
    settings.presence_ttl_s = float(config.get("PRESENCE_TTL_S", 8.0))
