"""JSON API for check-ins, counts and realtime tokens (CONTRACT.md section 3)."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from realtime.tokens import issue_resident_token, issue_staff_token
from webapp.checkins import operations
from webapp.db import db_session
from webapp.errors import ApiError
from webapp.extensions import csrf
from webapp.sessions.models import Session
from webapp.staff.auth import api_staff, require_api_staff

bp = Blueprint("checkins_api", __name__, url_prefix="/api/v1")
# Anonymous residents have no CSRF token; staff cookie calls are checked by api_staff() instead.
csrf.exempt(bp)

MAX_BODY_BYTES = 8 * 1024
CHECKIN_FIELDS = {"avatar", "nickname", "reservation_code", "source", "status", "outcome"}


@bp.record_once
def _configure(state) -> None:
    operations.configure(state.app.config)


def _body() -> dict:
    """The request body as a JSON object, or a 400 the caller can act on."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", "The request body is too large.")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object such as {\"avatar\": \"cat\"}.")
    unknown = sorted(set(data) - CHECKIN_FIELDS)
    if unknown:
        raise ApiError(400, "unknown_field", f"Unknown field: {', '.join(unknown)}.")
    return data


def _session_or_404(session_id: int) -> Session:
    session = db_session.get(Session, session_id)
    if session is None:
        raise ApiError(404, "not_found", "No such session.")
    return session


def _walk_in_outcome(data: dict):
    """The outcome a staff member gave with a visitor: `outcome`, or visit_only for status "closed"."""
    status = data.get("status", "in_consultation")
    if status not in ("in_consultation", "closed"):
        raise ApiError(400, "invalid_status", 'status must be "in_consultation" or "closed".')
    if data.get("outcome") is not None:
        return data["outcome"]
    return {"kind": "visit_only", "topics": []} if status == "closed" else None


@bp.post("/sessions/<int:session_id>/checkins")
def create_checkin(session_id: int):
    """A resident checks in (201 with a relay token), or staff record a visitor (source "staff")."""
    data = _body()
    _session_or_404(session_id)
    source = data.get("source", "resident")
    if source not in ("resident", "staff"):
        raise ApiError(400, "invalid_source", 'source must be "resident" or "staff".')
    if source == "staff":
        staff = api_staff()
        if staff is None:
            raise ApiError(401, "unauthorized", "Recording a visitor needs a staff sign-in or token.")
        checkin = operations.check_in(session_id, data.get("avatar"), data.get("nickname"), staff=staff,
                                      outcome=_walk_in_outcome(data))
        body = {"checkin_id": checkin.id, "session_id": session_id, "status": checkin.status, "source": "staff",
                "position": None, "counts": operations.counts(session_id)}
        return jsonify(body), 201
    if "status" in data or "outcome" in data:
        raise ApiError(400, "unknown_field", "status and outcome are for staff-recorded visitors only.")
    checkin = operations.check_in(session_id, data.get("avatar"), data.get("nickname"), data.get("reservation_code"))
    body = {
        "checkin_id": checkin.id,
        "session_id": session_id,
        "token": issue_resident_token(current_app.config["SECRET_KEY"], checkin),
        "ws_url": current_app.config["RELAY_PUBLIC_URL"],
        "position": operations.position(checkin),
        "estimated_wait_s": operations.estimated_wait_s(checkin),
    }
    return jsonify(body), 201


@bp.get("/sessions/<int:session_id>/counts")
def session_counts(session_id: int):
    """Visits, consultations, waiting and in consultation, for anyone."""
    _session_or_404(session_id)
    return jsonify(operations.counts(session_id))


@bp.get("/realtime/token")
@require_api_staff("admin", "promoter")
def realtime_token():
    """A relay token for the staff console."""
    token = issue_staff_token(current_app.config["SECRET_KEY"], api_staff())
    return jsonify({"token": token, "ws_url": current_app.config["RELAY_PUBLIC_URL"]})
