"""The numbers behind the check-in rules, copied from the app config at start."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from webapp.config import DEFAULT_CRISIS_WORDS
from webapp.limits import MESSAGE_MAX


@dataclasses.dataclass
class Settings:
    """The numbers behind the rules; `configure` copies them from the app config."""

    crisis_words: tuple[str, ...] = tuple(DEFAULT_CRISIS_WORDS)
    average_consultation_minutes: int = 20
    checkin_timeout_minutes: int = 15
    message_max_chars: int = MESSAGE_MAX


#: One shared instance: `configure` changes it in place, so every module sees the same numbers.
settings = Settings()


def configure(config: Mapping) -> None:
    """Take the settings from a config mapping (the web app and the relay call this at start)."""
    settings.crisis_words = tuple(config.get("CRISIS_WORDS") or DEFAULT_CRISIS_WORDS)
    settings.average_consultation_minutes = int(config.get("AVERAGE_CONSULTATION_MINUTES", 20))
    settings.checkin_timeout_minutes = int(config.get("CHECKIN_TIMEOUT_MINUTES", 15))
    settings.message_max_chars = int(config.get("MESSAGE_MAX_CHARS", MESSAGE_MAX))
