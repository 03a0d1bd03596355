"""The room map: a 2D top-down plan with zones (CONTRACT §9), read from the deployment and checked once.

No Flask here: the relay clamps moves and places people in booths with the same map.
Coordinates are integer map points, 0..width and 0..height; a zone is a rectangle x, y, w, h.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ZONE_KINDS = ("entrance", "lounge", "booth", "board")
#: The map every deployment gets unless its profile names another (`[room] map = "..."`).
DEFAULT_MAP = Path(__file__).resolve().parents[2] / "profiles" / "rooms" / "default.toml"


class MapError(ValueError):
    """A map that cannot be used; the message is one line naming the key."""


class Zone(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    kind: Literal["entrance", "lounge", "booth", "board"]
    x: int = Field(ge=0)
    y: int = Field(ge=0)
    w: int = Field(ge=20)
    h: int = Field(ge=20)
    label_ja: str = Field(min_length=1, max_length=40)
    label_en: str = Field(min_length=1, max_length=60)

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h

    def centre(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h // 2

    def public(self) -> dict:
        return self.model_dump()


class RoomMap(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    width: int = Field(ge=200, le=4000)
    height: int = Field(ge=200, le=4000)
    emotes: tuple[str, ...] = Field(min_length=1, max_length=20)
    zones: tuple[Zone, ...] = Field(min_length=4, max_length=60)

    @model_validator(mode="after")
    def _fits(self) -> RoomMap:
        ids = [z.id for z in self.zones]
        if len(set(ids)) != len(ids):
            raise ValueError("zone ids must be unique")
        if len(set(self.emotes)) != len(self.emotes) or not all(_is_word(e) for e in self.emotes):
            raise ValueError("emotes must be unique lower-case words (a-z, 0-9, -)")
        for zone in self.zones:
            if zone.x + zone.w > self.width or zone.y + zone.h > self.height:
                raise ValueError(f"zone {zone.id} reaches outside the map")
        kinds = [z.kind for z in self.zones]
        if kinds.count("entrance") != 1:
            raise ValueError("needs exactly one entrance zone")
        missing = [k for k in ZONE_KINDS if k not in kinds]
        if missing:
            raise ValueError(f"needs at least one {', '.join(missing)} zone")
        return self

    def public(self) -> dict:
        """The map as GET /sessions/{id}/room shows it."""
        return {"width": self.width, "height": self.height, "zones": [z.public() for z in self.zones]}

    @property
    def booths(self) -> tuple[Zone, ...]:
        return tuple(z for z in self.zones if z.kind == "booth")

    @property
    def entrance(self) -> Zone:
        return next(z for z in self.zones if z.kind == "entrance")

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def clamp(self, x: int, y: int) -> tuple[int, int]:
        """The nearest point inside the map."""
        return min(max(x, 0), self.width), min(max(y, 0), self.height)


def _is_word(text: str) -> bool:
    return 0 < len(text) <= 32 and all(c.islower() or c.isdigit() or c == "-" for c in text)


def load_map(path: Path | str) -> RoomMap:
    """The checked map at `path`; MapError (one line naming the key) when it cannot be used."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MapError(f"{path}: no such room map") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise MapError(f"{path}: cannot be read ({err})") from None
    try:
        return RoomMap.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise MapError(f"{path}: {where}: {first['msg'].removeprefix('Value error, ')}") from None
