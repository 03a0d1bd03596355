"""Crisis words: a resident who writes one is put first in line."""
from __future__ import annotations

import unicodedata

from webapp.checkins.operations.configuration import settings


def contains_crisis_word(text: str) -> bool:
    """True when `text` holds one of the configured crisis words (シニタイ matches しにたい)."""
    folded = _fold(text)
    return any(_fold(word) and _fold(word) in folded for word in settings.crisis_words)


def _fold(text: str) -> str:
    """Text folded for word matching: NFKC, no spaces, katakana as hiragana, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if not ch.isspace())
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text).lower()
