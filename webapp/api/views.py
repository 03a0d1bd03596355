"""The /api/v1 JSON layer over the same operations the pages use: sessions, slots, reservations, avatars."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from webapp import city, limits
from webapp.api import openapi, parse, serialize
from webapp.checkins.avatars import AVATARS
from webapp.db import db_session
from webapp.exceptions import ApiError
from webapp.extensions import csrf
from webapp.microcache import public_cache
from webapp.reservations import cap as reservation_cap
from webapp.reservations import operations as reservations
from webapp.sessions import operations as sessions
from webapp.sessions import queries as session_queries
from webapp.sessions.places import place_after_format_change
from webapp.staff.auth import require_api_staff

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer and anonymous calls carry no CSRF token; cookie calls are checked in staff.auth.api_staff.
csrf.exempt(bp)

#: Database ids are 32-bit; a larger number in a path is simply unknown (and never reaches the database).
ID = f"int(max={limits.ID_MAX})"


@bp.after_request
def _api_headers(response: Response) -> Response:
    """401s say how to authenticate; nothing keyed by a reservation code is cached."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", f'Bearer realm="{city.slug()}"')
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.teardown_request
def _end_transaction(_exc) -> None:
    """End the request's transaction, so no lock or stale row outlives it (SQLite locks on BEGIN)."""
    db_session.rollback()


def _created(body: dict, location: str):
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


@bp.get("/sessions")
def list_sessions():
    """Sessions whose date is within ?from=..&to=.. (both optional), ordered by start.

    The same for everyone, so the encoded body is micro-cached by the parsed range (webapp/microcache.py).
    """
    first, last = parse.date_range(request.args.to_dict())
    body = public_cache().get(
        ("api.sessions", first, last),
        lambda: jsonify([serialize.session(s) for s in session_queries.between(first, last)]).get_data(),
    )
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


@bp.get(f"/sessions/<{ID}:session_id>")
def get_session(session_id: int):
    return jsonify(serialize.session(parse.session_or_404(session_id)))


@bp.post("/sessions")
@require_api_staff("admin")
def create_session():
    spec = parse.session_spec(parse.json_object(), current_app.config["DEFAULT_LOCATIONS"])
    created = sessions.create_session(spec)
    return _created(serialize.session(created), url_for(".get_session", session_id=created.id))


@bp.patch(f"/sessions/<{ID}:session_id>")
@require_api_staff("admin")
def update_session(session_id: int):
    session = parse.session_or_404(session_id)
    changes = parse.session_changes(parse.json_object(), session.date)
    if "format" in changes:  # a new format without a place of its own takes that format's usual place
        changes["location"] = place_after_format_change(changes.get("location", session.location), session.format,
                                                        changes["format"], current_app.config["DEFAULT_LOCATIONS"])
    if changes:  # an empty PATCH changes nothing, not even updated_at
        sessions.update_session(session, changes)
    return jsonify(serialize.session(session))


@bp.post(f"/slots/<{ID}:slot_id>/reservations")
def create_reservation(slot_id: int):
    """Anyone may reserve; the body and both of its fields are optional."""
    fields = parse.reservation_request(parse.json_object(allow_empty=True))
    reservation = reservations.reserve(slot_id, **fields, caps=reservation_cap.counted)
    return _created(serialize.reservation(reservation), url_for(".get_reservation", code=reservation.code))


def _reservation_or_404(code: str):
    """Unknown and malformed codes get the same answer, so nothing hints at which codes exist."""
    found = reservations.find(code)
    if found is None:
        raise ApiError(404, "not_found", "No reservation with this code.")
    return found


@bp.get("/reservations/<code:code>")
def get_reservation(code: str):
    return jsonify(serialize.reservation(_reservation_or_404(code)))


@bp.delete("/reservations/<code:code>")
def cancel_reservation(code: str):
    """Cancel and free the seat; cancelling an already cancelled reservation is a harmless 204 too."""
    reservation = _reservation_or_404(code)
    was_active = reservation.status == "active"
    reservations.cancel(reservation)
    if was_active:
        reservation_cap.released(reservations.session_of(reservation))
    return "", 204


@bp.get("/avatars")
def list_avatars():
    return jsonify([avatar.to_dict() for avatar in AVATARS])


@bp.get("/openapi.json")
def openapi_document():
    response = jsonify(openapi.document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
