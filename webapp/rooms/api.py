"""JSON API of the metaverse room (CONTRACT §9): the map, and 見学 (practice) visits outside session hours."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from realtime.tokens import issue_practice_token
from webapp.extensions import csrf
from webapp.rooms import operations
from webapp.sessions.queries import is_open

bp = Blueprint("rooms_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # anonymous residents carry no CSRF token


def _room_body(session) -> dict:
    room_map = current_app.config["ROOM_MAP"]
    return {"session_id": session.id, "map": room_map.public(), "emotes": list(room_map.emotes),
            "occupants": operations.occupants(session.id),
            "open": is_open(session), "practice": session.status == "scheduled" and not is_open(session)}


@bp.get("/sessions/<int:session_id>/room")
def room(session_id: int):
    """The room's map, its stamps and how many are in it now; 404 for a session of another format."""
    return jsonify(_room_body(operations.room_session(session_id)))


@bp.post("/sessions/<int:session_id>/room/practice")
def practice(session_id: int):
    """A 見学 visit: a room of one outside the session's hours (409 session_open while it runs)."""
    visit = operations.begin_practice(session_id)
    body = {"session_id": session_id, "practice": True,
            "token": issue_practice_token(current_app.config["SECRET_KEY"], visit),
            "ws_url": current_app.config["RELAY_PUBLIC_URL"]}
    return jsonify(body), 201
