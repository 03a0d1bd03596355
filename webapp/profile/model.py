"""The shape of a deployment profile (CONTRACT §8): what one city sets, checked before anything runs."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from webapp.profile.contrast import AA_TEXT, HEX, ratio
from webapp.rooms.map import RoomMap

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FORMATS = ("in_person", "online", "metaverse")
#: Months in fiscal-year order (April..March), the order the admin plans in.
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


class _Part(BaseModel):
    # Keys a profile adds beyond these are fine (CONTRACT §8: "more are fine").
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Municipality(_Part):
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=80)
    url: str = ""


class Programme(_Part):
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=80)
    #: ASCII short name: download file names (<slug>-stats-2026.csv), the API's auth realm.
    slug: str = Field(default="soudankai", pattern=r"^[a-z][a-z0-9-]{0,31}$")
    umbrella: str = ""
    umbrella_en: str = ""
    #: The umbrella's short name, after the city's in every page title (default: umbrella).
    umbrella_short: str = ""
    umbrella_short_en: str = ""
    promoter_title: str = "主任推進員"
    promoter_title_en: str = "chief promoter"
    windows_name: str = ""
    windows_name_en: str = ""
    windows_url: str = ""
    #: What the city's consultation windows are, for the help page (left out when empty).
    windows_about: str = ""
    windows_about_en: str = ""
    #: Who listens, as residents are told (default: promoter_title).
    listeners: str = ""
    listeners_en: str = ""


class Schedule(_Part):
    #: The n-th weekday of the month: 1..4, or -1 for the last one.
    week: int
    weekday: str
    start: dt.time
    end: dt.time
    slot_minutes: int = Field(ge=5, le=240)
    capacity: int = Field(ge=1, le=50)

    @field_validator("week")
    @classmethod
    def _week(cls, value: int) -> int:
        if value not in (1, 2, 3, 4, -1):
            raise ValueError("must be 1, 2, 3, 4 or -1 (the last)")
        return value

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"must be one of {', '.join(WEEKDAYS)}")
        return value.lower()

    @model_validator(mode="after")
    def _hours(self) -> Schedule:
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self


class Agency(_Part):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = ""
    field: str = ""
    phone: str = ""
    url: str = ""
    hours: str = ""


class Contact(_Part):
    name: str = Field(min_length=1, max_length=100)
    name_en: str = ""
    detail: str = ""
    detail_en: str = ""
    url: str = Field(pattern=r"^(https?://|tel:)\S+$")


class Feeds(_Part):
    #: Right-hand side of every calendar UID: set once at launch, never changed (subscribers would see doubles).
    uid_domain: str = Field(default="", pattern=r"^([a-z0-9-]+(\.[a-z0-9-]+)*)?$")
    prodid: str = Field(default="", max_length=120)


class Figures(_Part):
    public: bool = True
    threshold: int = Field(default=3, ge=1, le=20)


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` of `other` mixed in (sRGB, per channel)."""
    a, b = ([int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in (colour, other))
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


class Look(_Part):
    #: An image file next to the profile (or an absolute path); empty: the text mark.
    logo: str = Field(default="", pattern=r"^([^\s]+\.(svg|png|webp|jpg|jpeg))?$")
    primary: str = "#0b6e4f"
    text: str = "#1f2933"
    background: str = "#ffffff"
    #: Links and hovered buttons (default: primary darkened), and soft panels (default: primary, pale).
    primary_dark: str = ""
    primary_soft: str = ""

    @field_validator("primary", "text", "background", "primary_dark", "primary_soft")
    @classmethod
    def _colour(cls, value: str, info) -> str:
        if not value and info.field_name in ("primary_dark", "primary_soft"):
            return value
        if not HEX.match(value):
            raise ValueError("must be a colour like #0b6e4f")
        return value.lower()

    @model_validator(mode="after")
    def _contrast(self) -> Look:
        self.primary_dark = self.primary_dark or _mix(self.primary, "#000000", 0.25)
        self.primary_soft = self.primary_soft or _mix(self.primary, "#ffffff", 0.88)
        # Every pair style.css puts text on: page text, links (on the page and on white cards),
        # white on buttons (plain and hovered), text and labels on the soft panels.
        for what, fg, bg in (("text on background", self.text, self.background),
                             ("primary on background", self.primary, self.background),
                             ("white on primary", "#ffffff", self.primary),
                             ("primary_dark on background", self.primary_dark, self.background),
                             ("primary_dark on white", self.primary_dark, "#ffffff"),
                             ("white on primary_dark", "#ffffff", self.primary_dark),
                             ("text on primary_soft", self.text, self.primary_soft),
                             ("primary_dark on primary_soft", self.primary_dark, self.primary_soft)):
            if ratio(fg, bg) < AA_TEXT:
                raise ValueError(f"{what} has contrast {ratio(fg, bg):.2f}:1, below WCAG AA {AA_TEXT}:1")
        return self


class Room(_Part):
    #: The room map of metaverse sessions, relative to the profile's folder; empty: the shipped default.
    map: str = ""


class Profile(_Part):
    municipality: Municipality
    programme: Programme
    schedule: Schedule
    formats: dict[int, Literal["in_person", "online", "metaverse"]]
    locations: dict[Literal["in_person", "online", "metaverse"], str]
    agencies: list[Agency] = Field(min_length=1)
    crisis_contacts: list[Contact] = Field(min_length=1)
    feeds: Feeds = Feeds()
    figures: Figures = Figures()
    look: Look = Look()
    room: Room = Room()
    #: The checked room map (webapp.profile.load reads the file `room.map` names).
    _room_map: RoomMap | None = PrivateAttr(None)

    @property
    def room_map(self) -> RoomMap | None:
        return self._room_map

    @field_validator("formats")
    @classmethod
    def _every_month(cls, value: dict[int, str]) -> dict[int, str]:
        missing = [m for m in MONTHS if m not in value]
        if missing or set(value) - set(MONTHS):
            raise ValueError(f"needs all twelve months 1..12 (missing: {', '.join(map(str, missing)) or 'none'})")
        return value

    @field_validator("locations")
    @classmethod
    def _every_format(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [f for f in FORMATS if not value.get(f)]
        if missing:
            raise ValueError(f"needs a place for {', '.join(missing)}")
        return value

    @field_validator("agencies")
    @classmethod
    def _unique_ids(cls, value: list[Agency]) -> list[Agency]:
        ids = [a.id for a in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"agency ids must be unique (twice: {', '.join(twice)})")
        return value
