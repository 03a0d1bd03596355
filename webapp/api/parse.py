"""Strict reading of JSON bodies and query strings: bad input becomes a 400 the caller can act on.

The shape of the input is described once, by the pydantic models in webapp/schemas/; this module
reads the body, validates it with them and answers their errors in the contract's shape. The
rules of the service (times on the session's date, slot length, capacity, known promoters...)
stay in the operations, so the pages and the API agree.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from webapp.db import db_session
from webapp.exceptions import ApiError
from webapp.schemas.errors import first_problem
from webapp.schemas.reservations import ReservationRequest
from webapp.schemas.sessions import SessionCreate, SessionPatch, SessionRange
from webapp.sessions.models import Session
from webapp.sessions.operations import SessionSpec
from webapp.timeutil import at_tokyo

#: Bigger bodies are refused before they are read (no request of this API needs more).
MAX_BODY_BYTES = 16 * 1024

Model = TypeVar("Model", bound=BaseModel)


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
    except RecursionError:  # "[" * 4000
        raise bad("invalid_json", "The request body is nested too deep.") from None
    if not isinstance(data, dict):
        raise bad("invalid_json", "The request body must be a JSON object ({...}), not an array or a single value.")
    return data


def valid(model: type[Model], data: Mapping) -> Model:
    """`data` as `model`, or a 400 naming the first problem with the contract's code."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        raise bad(*first_problem(err, model)) from None


def _moment(value: dt.time | dt.datetime, day: dt.date) -> dt.datetime:
    """A Moment as an aware datetime: "HH:MM" is that time on `day` in Japan (Asia/Tokyo)."""
    return at_tokyo(day, value) if isinstance(value, dt.time) else value


def session_spec(data: Mapping, default_locations: Mapping[str, str]) -> SessionSpec:
    """The body of POST /sessions as a SessionSpec; a missing location is the format's usual place."""
    body = valid(SessionCreate, data)
    return SessionSpec(
        date=body.date,
        starts_at=_moment(body.starts_at, body.date),
        ends_at=_moment(body.ends_at, body.date),
        format=body.format,
        location=default_locations.get(body.format, "") if body.location is None else body.location,
        join_url=body.join_url or "",
        slot_minutes=body.slot_minutes,
        capacity=body.capacity,
        promoters=body.promoters,
    )


def session_changes(data: Mapping, day: dt.date) -> dict:
    """The body of PATCH /sessions/{id} as the changes `update_session` takes."""
    changes = valid(SessionPatch, data).changes()
    for field in ("starts_at", "ends_at"):
        if field in changes:
            changes[field] = _moment(changes[field], day)
    return changes


def reservation_request(data: Mapping) -> dict:
    """The body of POST /slots/{id}/reservations: optional nickname and topic."""
    body = valid(ReservationRequest, data)
    return {"nickname": body.nickname or "", "topic": body.topic or ""}


def date_range(args: Mapping) -> tuple[dt.date | None, dt.date | None]:
    """?from=DATE&to=DATE, each optional; from must not come after to."""
    query = valid(SessionRange, args)
    return query.first, query.last


def session_or_404(session_id: int) -> Session:
    """The session with this id, or the contract's 404."""
    found = db_session.get(Session, session_id)
    if found is None:
        raise ApiError(404, "not_found", "No session with this id.")
    return found
