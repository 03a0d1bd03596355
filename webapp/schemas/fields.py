"""Field types the schemas share; each reads its limit from webapp.limits when it checks a value.

Errors a caller can cause are PydanticCustomErrors whose type is the contract's error code
(`too_long`, `invalid_date`, ...); webapp/schemas/errors.py turns them into answers.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

from webapp import limits

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
#: An absolute http(s) URL: a host, and no whitespace or control character anywhere (it becomes a link and a header).
_HTTP_URL = re.compile(r"https?://[^\s/?#@\x00-\x1f\x7f]+(?:[/?#][^\s\x00-\x1f\x7f]*)?", re.IGNORECASE)
#: A link residents follow to a place to turn to (a crisis contact, an agency): a web page or a phone number.
_CONTACT_LINK = re.compile(r"https?://[^\s/]+\S*|tel:\+?[0-9-]{2,20}")
#: What no text field holds: control characters other than tab and newline (a browser's CRLF counts as a
#: newline), and lone surrogates (not text; no database stores them).
_NOT_TEXT = re.compile(f"[{limits.CONTROL_CHARACTERS}]|\r(?!\n)|[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None: the one check of API bodies, forms and relay frames."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    return f"must not hold control characters or broken characters (found U+{ord(found.group()[0]):04X})."


def json_is_text(raw: str) -> bool:
    """True when no string decoded from the JSON document `raw` can fail `text_problem`, judged from `raw`
    itself: without a backslash nothing in it is escaped, so every string it holds is a piece of `raw`
    written out as it is (one search of the document instead of a walk of what it decodes to)."""
    return "\\" not in raw and _NOT_TEXT.search(raw) is None


def refuse_bad_text(value: Any) -> None:
    """Raise `invalid_text` for the first string in `value` (keys, nested lists and objects too) that is not text.

    Walked with a stack, not recursion: however deep the input, this answers instead of failing.
    """
    pending = [("", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise fail("invalid_text", f"{where or 'text'} {problem}")
        elif isinstance(item, dict):
            pending.extend((where, key) for key in item)
            pending.extend((str(key), inner) for key, inner in item.items())
        elif isinstance(item, (list, tuple)):
            pending.extend((where, inner) for inner in item)


def limit(name: str) -> int:
    """The current value of `webapp.limits.<name>`."""
    return getattr(limits, name)


def fail(code: str, message: str) -> PydanticCustomError:
    """An error whose type is the contract's code; the message follows the field's name."""
    return PydanticCustomError(code, message)


class MaxChars:
    """Text of at most `limits.<name>` characters once trimmed: longer is `too_long`, never cut."""

    def __init__(self, name: str):
        self.name = name

    def __get_pydantic_core_schema__(self, source, handler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler) -> dict:
        json_schema = handler(schema)
        json_schema["maxLength"] = limit(self.name)
        return json_schema

    def _check(self, value: str) -> str:
        most = limit(self.name)
        if len(value.strip()) > most:
            raise fail("too_long", f"must be at most {most} characters.")
        return value


class Between:
    """An integer within `limits.<low>` .. `limits.<high>`, else the error `code`."""

    def __init__(self, low: str, high: str, code: str):
        self.low, self.high, self.code = low, high, code

    def __get_pydantic_core_schema__(self, source, handler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler) -> dict:
        return {**handler(schema), "minimum": limit(self.low), "maximum": limit(self.high)}

    def _check(self, value: int) -> int:
        if not limit(self.low) <= value <= limit(self.high):
            raise fail(self.code, f"must be between {limit(self.low)} and {limit(self.high)}.")
        return value


def _in_years(year: int, code: str) -> None:
    if not limits.YEAR_MIN <= year <= limits.YEAR_MAX:
        raise fail(code, f"must be between {limits.YEAR_MIN} and {limits.YEAR_MAX}.")


def _day(value: Any) -> dt.date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise fail("invalid_date", "must be a date written YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise fail("invalid_date", f"is not a real date: {value}.") from None
    _in_years(day.year, "invalid_date")
    return day


_MOMENT_HINT = "must be an ISO 8601 time with offset (2026-12-15T13:30:00+09:00) or a time HH:MM."


def _moment(value: Any) -> dt.time | dt.datetime:
    if not isinstance(value, str):
        raise fail("invalid_type", _MOMENT_HINT)
    if _CLOCK.fullmatch(value):
        return dt.time.fromisoformat(value)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise fail("invalid_datetime", _MOMENT_HINT) from None
    if parsed.tzinfo is None:
        raise fail("invalid_datetime", "needs an offset such as +09:00 (or send a time HH:MM).")
    _in_years(parsed.year, "invalid_datetime")
    return parsed


def http_url_problem(value: str) -> str | None:
    """Why `value` is not an empty or absolute http(s) URL, or None (the API and the forms ask this)."""
    link = value.strip()
    if link and not _HTTP_URL.fullmatch(link):
        return "must be an absolute http:// or https:// address without spaces or control characters."
    return None


def contact_link_problem(value: str) -> str | None:
    """Why `value` is not an empty link to a place to turn to (https://… or tel: and digits), or None."""
    if value and not _CONTACT_LINK.fullmatch(value):
        return "must be https://… or tel:… (digits)."
    return None


def _http_url(value: str) -> str:
    problem = http_url_problem(value)
    if problem:
        raise fail("invalid_url", problem)
    return value.strip()


def _login(value: str) -> str:
    login = value.strip().lower()
    if not login or len(login) > limits.LOGIN_MAX:
        raise fail("invalid_type", f"must hold logins of 1 to {limits.LOGIN_MAX} characters.")
    return login


def _fiscal_year(value: Any) -> int:
    """A query string's year: four ASCII digits (not ２０２４, not 2024.0)."""
    raw = value.strip() if isinstance(value, str) else ""
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise fail("invalid_fiscal_year", f"must be a year between {limits.YEAR_MIN} and {limits.YEAR_MAX}, e.g. 2024.")
    return int(raw)


#: A date written YYYY-MM-DD, within the years we deal in.
Day = Annotated[dt.date, BeforeValidator(_day)]
#: An ISO 8601 datetime with offset, or "HH:MM" (a dt.time) meaning that time on the session's date in Asia/Tokyo.
Moment = Annotated[Any, PlainValidator(_moment), WithJsonSchema({
    "type": "string", "example": "13:30",
    "description": 'ISO 8601 with offset ("2026-12-15T13:30:00+09:00") or "HH:MM", read as that time '
                   "on the session's date in Asia/Tokyo."})]
Nickname = Annotated[str, MaxChars("NICKNAME_MAX")]
Topic = Annotated[str, MaxChars("TOPIC_MAX")]
Location = Annotated[str, MaxChars("LOCATION_MAX")]
Note = Annotated[str, MaxChars("NOTE_MAX")]
#: Empty, or an http(s) URL: it is shown to residents as a link. Comes back trimmed.
JoinUrl = Annotated[str, MaxChars("JOIN_URL_MAX"), AfterValidator(_http_url)]
#: A staff login, trimmed and lower-cased.
Login = Annotated[str, AfterValidator(_login)]
#: A row id: a JSON integer (not true, not 1.0, not "1").
Id = int
#: `?fiscal_year=YYYY` (年度, named by the year it starts in).
FiscalYear = Annotated[int, BeforeValidator(_fiscal_year), Between("YEAR_MIN", "YEAR_MAX", "invalid_fiscal_year")]

