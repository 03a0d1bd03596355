"""Strict reading of JSON bodies and query strings: bad input becomes a 400 the caller can act on.

Only the shape of the input is checked here (types, formats, known fields). The rules of the
service (times on the session's date, slot length, capacity, known promoters...) stay in the
operations, so the pages and the API agree.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping

from flask import request

from webapp.db import db_session
from webapp.exceptions import ApiError
from webapp.sessions.models import Session
from webapp.sessions.operations import SessionSpec
from webapp.timeutil import at_tokyo

#: Bigger bodies are refused before they are read (no request of this API needs more).
MAX_BODY_BYTES = 16 * 1024
#: Years the scheduler deals in; also keeps datetime arithmetic far from its limits.
FIRST_YEAR, LAST_YEAR = 2000, 2100

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
#: Column sizes of the sessions table; longer values are refused instead of cut.
LOCATION_MAX, JOIN_URL_MAX, NOTE_MAX, LOGIN_MAX = 200, 500, 2000, 64

SESSION_FIELDS = ("date", "starts_at", "ends_at", "format", "location", "join_url", "slot_minutes", "capacity",
                  "promoters")
SESSION_REQUIRED = ("date", "starts_at", "ends_at", "format", "slot_minutes", "capacity", "promoters")
PATCH_FIELDS = ("status", "starts_at", "ends_at", "format", "location", "join_url", "promoters", "note")
RESERVATION_FIELDS = ("nickname", "topic")


def bad(code: str, message: str) -> ApiError:
    """A 400 with the contract's error shape."""
    return ApiError(400, code, message)


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def json_object(allow_empty: bool = False) -> dict:
    """The request body as a JSON object; an empty body is `{}` when `allow_empty`."""
    request.max_content_length = MAX_BODY_BYTES  # werkzeug answers 413 past this
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise bad("invalid_json", "Send a JSON object as the request body.")
    mimetype = request.mimetype
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise bad("invalid_json", "Send the body as JSON with the header Content-Type: application/json.")
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except ValueError:  # includes bad UTF-8
        raise bad("invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise bad("invalid_json", "The request body must be a JSON object ({...}), not an array or a single value.")
    return data


def only_known(data: Mapping, allowed: Iterable[str]) -> None:
    """Refuse fields we do not know, so a typo is not silently ignored."""
    allowed = tuple(allowed)
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise bad("unknown_field", f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(allowed)}.")


def required(data: Mapping, fields: Iterable[str]) -> None:
    """Refuse a body that lacks any of `fields`."""
    missing = [field for field in fields if field not in data]
    if missing:
        raise bad("missing_field", f"Missing field(s): {', '.join(missing)}.")


def text(value, field: str, limit: int | None = None, nullable: bool = False) -> str:
    """A string, of at most `limit` characters when given (null reads as '' when `nullable`)."""
    if value is None and nullable:
        return ""
    if not isinstance(value, str):
        raise bad("invalid_type", f"{field} must be a string{' or null' if nullable else ''}.")
    if limit is not None and len(value.strip()) > limit:
        raise bad("too_long", f"{field} must be at most {limit} characters.")
    return value


def integer(value, field: str) -> int:
    """A JSON integer (not a boolean, not 30.0, not "30")."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad("invalid_type", f"{field} must be an integer.")
    return value


def date(value, field: str) -> dt.date:
    """A date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise bad("invalid_date", f"{field} must be a date written YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise bad("invalid_date", f"{field} is not a real date: {value}.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise bad("invalid_date", f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


def moment(value, field: str, day: dt.date) -> dt.datetime:
    """An ISO 8601 datetime with offset, or "HH:MM" meaning that time on `day` in Ikoma."""
    hint = f"{field} must be an ISO 8601 time with offset (2026-12-15T13:30:00+09:00) or a time HH:MM."
    if not isinstance(value, str):
        raise bad("invalid_type", hint)
    if _CLOCK.fullmatch(value):
        return at_tokyo(day, dt.time.fromisoformat(value))
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise bad("invalid_datetime", hint) from None
    if parsed.tzinfo is None:
        raise bad("invalid_datetime", f"{field} needs an offset such as +09:00 (or send a time HH:MM).")
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise bad("invalid_datetime", f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}.")
    return parsed


def choice(value, field: str) -> str:
    """A string naming one of a fixed set; which names are valid is the operation's rule."""
    if not isinstance(value, str):
        raise bad("invalid_type", f"{field} must be a string.")
    return value


def url(value, field: str) -> str:
    """Empty, null, or an http(s) URL: it is shown to residents as a link."""
    link = text(value, field, JOIN_URL_MAX, nullable=True).strip()
    if link and not re.match(r"https?://[^\s/]+", link, re.IGNORECASE):
        raise bad("invalid_url", f"{field} must be an http:// or https:// address.")
    return link


def logins(value, field: str) -> list[str]:
    """A list of staff logins."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad("invalid_type", f"{field} must be a list of staff logins (strings).")
    cleaned = [item.strip().lower() for item in value]
    if any(not item or len(item) > LOGIN_MAX for item in cleaned):
        raise bad("invalid_type", f"{field} must hold logins of 1 to {LOGIN_MAX} characters.")
    return cleaned


def session_spec(data: Mapping, default_locations: Mapping[str, str]) -> SessionSpec:
    """The body of POST /sessions as a SessionSpec; a missing location is the format's usual place."""
    only_known(data, SESSION_FIELDS)
    required(data, SESSION_REQUIRED)
    day = date(data["date"], "date")
    fmt = choice(data["format"], "format")
    location = data.get("location")
    return SessionSpec(
        date=day,
        starts_at=moment(data["starts_at"], "starts_at", day),
        ends_at=moment(data["ends_at"], "ends_at", day),
        format=fmt,
        location=default_locations.get(fmt, "") if location is None else text(location, "location", LOCATION_MAX),
        join_url=url(data.get("join_url"), "join_url"),
        slot_minutes=integer(data["slot_minutes"], "slot_minutes"),
        capacity=integer(data["capacity"], "capacity"),
        promoters=logins(data["promoters"], "promoters"),
    )


def session_changes(data: Mapping, day: dt.date) -> dict:
    """The body of PATCH /sessions/{id} as the changes `update_session` takes."""
    only_known(data, PATCH_FIELDS)
    readers = {
        "status": lambda v, f: choice(v, f),
        "starts_at": lambda v, f: moment(v, f, day),
        "ends_at": lambda v, f: moment(v, f, day),
        "format": lambda v, f: choice(v, f),
        "location": lambda v, f: text(v, f, LOCATION_MAX, nullable=True),
        "join_url": url,
        "promoters": logins,
        "note": lambda v, f: text(v, f, NOTE_MAX, nullable=True),
    }
    return {field: readers[field](value, field) for field, value in data.items()}


def reservation_request(data: Mapping) -> dict:
    """The body of POST /slots/{id}/reservations: optional nickname and topic (their length is a rule)."""
    only_known(data, RESERVATION_FIELDS)
    return {field: text(data.get(field), field, nullable=True) for field in RESERVATION_FIELDS}


def date_range(args: Mapping) -> tuple[dt.date | None, dt.date | None]:
    """?from=DATE&to=DATE, each optional; from must not come after to."""
    first = date(args["from"], "from") if "from" in args else None
    last = date(args["to"], "to") if "to" in args else None
    if first and last and first > last:
        raise bad("invalid_range", "from must not be after to.")
    return first, last


def session_or_404(session_id: int) -> Session:
    """The session with this id, or the contract's 404."""
    found = db_session.get(Session, session_id)
    if found is None:
        raise ApiError(404, "not_found", "No session with this id.")
    return found
