"""The avatars a resident picks at check-in: friendly animals, plants and things, never a human face.

Residents stay anonymous, so an avatar is how staff tell people in the queue apart.
Each avatar has a hand-drawn SVG in webapp/static/avatars/<id>.svg.
"""
from __future__ import annotations

import dataclasses

from flask import url_for


@dataclasses.dataclass(frozen=True)
class Avatar:
    """One avatar: a stable id (stored on check-ins) and its labels."""

    id: str
    label_ja: str
    label_en: str

    @property
    def static_path(self) -> str:
        """Path under /static, for `url_for("static", filename=...)` in templates."""
        return f"avatars/{self.id}.svg"

    def label(self, lang: str = "ja") -> str:
        """The label in `lang` ("ja" or "en")."""
        return self.label_en if lang == "en" else self.label_ja

    def image_url(self, external: bool = True) -> str:
        """URL of the picture; needs a request or app context."""
        return url_for("static", filename=self.static_path, _external=external)

    def to_dict(self) -> dict:
        """The contract's avatar: {id, label_ja, label_en, image_url}."""
        return {"id": self.id, "label_ja": self.label_ja, "label_en": self.label_en, "image_url": self.image_url()}


#: Every avatar, in the order they are offered. Ids are stored on check-ins: never rename one.
AVATARS: tuple[Avatar, ...] = (
    Avatar("cat", "ねこ", "Cat"),
    Avatar("dog", "いぬ", "Dog"),
    Avatar("rabbit", "うさぎ", "Rabbit"),
    Avatar("bear", "くま", "Bear"),
    Avatar("bird", "とり", "Bird"),
    Avatar("fish", "さかな", "Fish"),
    Avatar("flower", "はな", "Flower"),
    Avatar("tree", "き", "Tree"),
    Avatar("star", "ほし", "Star"),
    Avatar("moon", "つき", "Moon"),
    Avatar("cloud", "くも", "Cloud"),
    Avatar("tea", "おちゃ", "Tea"),
)

_BY_ID = {avatar.id: avatar for avatar in AVATARS}


def avatar_ids() -> tuple[str, ...]:
    """The valid avatar ids, in display order."""
    return tuple(_BY_ID)


def get(avatar_id: str) -> Avatar | None:
    """The avatar with this id, or None."""
    return _BY_ID.get(avatar_id) if isinstance(avatar_id, str) else None
