"""A session's place when its format changes: the new format's usual place, unless someone wrote their own.

The admin form (without JS; webapp/static/js/session-form.js does the same as one types) and the
API's PATCH both ask `place_after_format_change`, so a session switched from online to metaverse
never keeps 「オンライン（ビデオ通話）」.
"""
from __future__ import annotations

from collections.abc import Mapping


def place_after_format_change(place: str | None, old_format: str, new_format: str,
                              defaults: Mapping[str, str]) -> str:
    """`place`, or the new format's default when `place` is empty or still the old format's default."""
    place = (place or "").strip()
    if not place or (new_format != old_format and place == defaults.get(old_format, "")):
        return defaults.get(new_format, place)
    return place
