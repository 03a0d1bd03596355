"""JSON API for check-ins, counts and realtime tokens (CONTRACT.md section 3)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from realtime.tokens import issue_resident_token, issue_staff_token
from webapp.api import parse
from webapp.checkins import cap, operations
from webapp.exceptions import ApiError
from webapp.extensions import csrf
from webapp.schemas.checkins import CheckinRequest
from webapp.staff.auth import api_staff, require_api_staff

bp = Blueprint("checkins_api", __name__, url_prefix="/api/v1")
# Anonymous residents have no CSRF token; staff cookie calls are checked by api_staff() instead.
csrf.exempt(bp)

@bp.record_once
def _configure(state) -> None:
    operations.configure(state.app.config)


def _walk_in_outcome(body: CheckinRequest):
    """The outcome a staff member gave with a visitor: `outcome`, or visit_only for status "closed"."""
    if body.outcome is not None:
        return body.outcome
    return {"kind": "visit_only", "topics": []} if body.status == "closed" else None


@bp.post("/sessions/<int:session_id>/checkins")
def create_checkin(session_id: int):
    """A resident checks in (201 with a relay token), or staff record a visitor (source "staff")."""
    data = parse.json_object()
    sent = parse.valid(CheckinRequest, data)
    session = parse.session_or_404(session_id)  # held, so check_in finds it without a second query
    if sent.source == "staff":
        staff = api_staff()
        if staff is None:
            raise ApiError(401, "unauthorized", "Recording a visitor needs a staff sign-in or token.")
        checkin = operations.check_in(session_id, sent.avatar, sent.nickname, staff=staff,
                                      outcome=_walk_in_outcome(sent))
        body = {"checkin_id": checkin.id, "session_id": session_id, "number": checkin.number,
                "status": checkin.status, "source": "staff",
                "position": None, "counts": operations.counts(session_id)}
        return jsonify(body), 201
    if "status" in data or "outcome" in data:
        raise ApiError(400, "unknown_field", "status and outcome are for staff-recorded visitors only.")
    with cap.counted(session):
        checkin = operations.check_in(session.id, sent.avatar, sent.nickname, sent.reservation_code,
                                      intent=sent.intent)
    body = {
        "checkin_id": checkin.id,
        "session_id": session_id,
        "number": checkin.number,
        "status": checkin.status,
        "token": issue_resident_token(current_app.config["SECRET_KEY"], checkin),
        "ws_url": current_app.config["RELAY_PUBLIC_URL"],
        "position": operations.position(checkin),
        "estimated_wait_s": operations.estimated_wait_s(checkin),  # counts only those still there ahead
    }
    return jsonify(body), 201


@bp.get("/sessions/<int:session_id>/counts")
def session_counts(session_id: int):
    """Visits, consultations, waiting and in consultation, for anyone."""
    parse.session_or_404(session_id)
    return jsonify(operations.counts(session_id))


@bp.get("/realtime/token")
@require_api_staff("admin", "promoter")
def realtime_token():
    """A relay token for the staff console."""
    token = issue_staff_token(current_app.config["SECRET_KEY"], api_staff())
    return jsonify({"token": token, "ws_url": current_app.config["RELAY_PUBLIC_URL"]})
