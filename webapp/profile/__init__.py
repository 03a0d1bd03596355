"""The deployment profile: one TOML file (PROFILE) holds what belongs to one city (CONTRACT §8).

Read with the standard library's tomllib and checked by webapp/profile/model.py before the app
starts; a bad file stops with one line that names the key. No Flask here: the relay reads it too.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import ValidationError

from webapp.profile.model import Profile
from webapp.rooms.map import DEFAULT_MAP, MapError, load_map

#: The shipped profiles; unset PROFILE means Ikoma's.
PROFILES = Path(__file__).resolve().parents[2] / "profiles"
DEFAULT = PROFILES / "ikoma.toml"


class ProfileError(ValueError):
    """A profile that cannot be used; the message is one line naming the file and the key."""


def _key(loc: tuple) -> str:
    parts = [str(p) for p in loc if not str(p).startswith(("function-", "literal["))]
    return ".".join(parts) or "(top level)"


def _problem(err: ValidationError) -> str:
    first = err.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is missing"
    return f"{_key(first['loc'])}: {message}"


def active_path() -> Path:
    """The profile this deployment uses: PROFILE, else the shipped Ikoma one."""
    return Path(os.environ.get("PROFILE") or DEFAULT)


def load(path: Path | str | None = None) -> Profile:
    """The checked profile at `path` (default: active_path()); ProfileError when it cannot be used."""
    path = Path(path) if path else active_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ProfileError(f"{path}: cannot be read ({err.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{path}: not valid TOML ({err})") from None
    # TOML keys are strings; the months of [formats] are numbers in the model.
    formats = raw.get("formats")
    if isinstance(formats, dict):
        try:
            raw["formats"] = {int(month): fmt for month, fmt in formats.items()}
        except ValueError:
            raise ProfileError(f"{path}: formats: months are the numbers 1..12") from None
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as err:
        raise ProfileError(f"{path}: {_problem(err)}") from None
    try:
        profile._room_map = load_map(path.parent / profile.room.map if profile.room.map else DEFAULT_MAP)
    except MapError as err:
        raise ProfileError(f"{path}: room.map: {err}") from None
    if profile.look.logo:
        # The logo sits next to the profile, so a city's folder carries its own look.
        logo = (path.parent / profile.look.logo).resolve()
        if not logo.is_file():
            raise ProfileError(f"{path}: look.logo: no such file {logo}")
        profile.look.logo = str(logo)
    return profile


def contact_entries(profile: Profile) -> list[dict]:
    """Crisis contacts in the shape pages and relay frames use (name_ja/name_en, detail_ja/detail_en, url)."""
    return [{"name_ja": c.name, "name_en": c.name_en or c.name, "detail_ja": c.detail,
             "detail_en": c.detail_en or c.detail, "url": c.url} for c in profile.crisis_contacts]


def config_of(profile: Profile) -> dict:
    """The app settings a profile decides (webapp/config.py applies them; the environment may override hours)."""
    return {
        "PROFILE": profile,
        "MUNICIPALITY_NAME": profile.municipality.name,
        "PROGRAMME_NAME": profile.programme.name,
        "FORMAT_PLAN": dict(profile.formats),
        "DEFAULT_LOCATIONS": dict(profile.locations),
        "SCHEDULE_WEEK": profile.schedule.week,
        "SCHEDULE_WEEKDAY": profile.schedule.weekday,
        "SESSION_START": profile.schedule.start.strftime("%H:%M"),
        "SESSION_END": profile.schedule.end.strftime("%H:%M"),
        "SLOT_MINUTES": profile.schedule.slot_minutes,
        "SLOT_CAPACITY": profile.schedule.capacity,
        "CRISIS_CONTACTS": contact_entries(profile),
        "ROOM_MAP": profile.room_map,
        "STATS_PUBLIC_ENABLED": profile.figures.public,
        "STATS_PUBLIC_THRESHOLD": profile.figures.threshold,
        "CITY_MADOGUCHI_URL": profile.programme.windows_url or profile.municipality.url,
        # The name authenticator apps show beside a staff account (TOTP).
        "TOTP_ISSUER": profile.programme.name,
    }
