"""The OpenAPI 3 document of /api/v1 (CONTRACT.md section 3), in one place.

It describes the whole section, including the routes other packages serve (check-ins, counts,
realtime tokens, stats, the reservation's .ics); tests/api/test_openapi.py checks that every
/api/v1 route of the app is described and that our responses match the schemas.
Request bodies and query parameters are generated from the models the API validates with
(webapp/schemas/), when the document is asked for; the answers' schemas are written here.
"""
from __future__ import annotations

from flask import current_app

from webapp.api.openapi_components import CODE, PARAMETERS, RESPONSE_SCHEMAS, RESPONSES, ref
from webapp.schemas.audit import AuditRange
from webapp.schemas.checkins import CheckinRequest
from webapp.schemas.document import components, query_parameters
from webapp.schemas.reservations import ReservationRequest
from webapp.schemas.sessions import SessionCreate, SessionPatch, SessionRange
from webapp.schemas.stats import StatsQuery

OPENAPI_VERSION = "3.0.3"


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
             413: "PayloadTooLarge", 429: "TooManyRequests"}
    return {str(status): {"$ref": f"#/components/responses/{names[status]}"} for status in statuses}


def _body(schema: dict, required: bool = True, example: dict | None = None) -> dict:
    media = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"required": required, "content": {"application/json": media}}


#: Staff: a personal token, or the logged-in cookie plus its CSRF token (on unsafe methods).
STAFF = [{"bearerAuth": []}, {"cookieAuth": [], "csrfHeader": []}]
#: Anyone; staff credentials unlock extra behaviour.
ANYONE_OR_STAFF = [{}, *STAFF]


def _param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def paths() -> dict:
    """Each operation: (method, path) with its parameters, request body and answers."""
    return {
        "/sessions": {
            "get": {
                "operationId": "listSessions", "tags": ["sessions"], "summary": "Sessions between two dates",
                "description": "Both dates are optional and inclusive; without them every session is listed.",
                "parameters": query_parameters(SessionRange),
                "responses": {"200": _json({"type": "array", "items": ref("Session")}, "Ordered by starts_at."),
                              **_errors(400)},
            },
            "post": {
                "operationId": "createSession", "tags": ["sessions"], "summary": "Create a session (admin)",
                "security": STAFF,
                "requestBody": _body(ref("SessionCreate"), example={
                    "date": "2026-12-15", "starts_at": "13:30", "ends_at": "16:30", "format": "metaverse",
                    "location": "メタバース空間「相談ひろば」", "slot_minutes": 30, "capacity": 2,
                    "promoters": ["sato", "tanaka"]}),
                "responses": {"201": _json(ref("Session"), "Created, with its slots cut from slot_minutes."),
                              **_errors(400, 401, 403, 413)},
            },
        },
        "/sessions/{session_id}": {
            "parameters": [_param("SessionId")],
            "get": {"operationId": "getSession", "tags": ["sessions"], "summary": "One session",
                    "responses": {"200": _json(ref("Session"), "The session."), **_errors(404)}},
            "patch": {
                "operationId": "updateSession", "tags": ["sessions"], "summary": "Change or cancel a session (admin)",
                "security": STAFF,
                "requestBody": _body(ref("SessionPatch"),
                                     example={"status": "cancelled", "note": "台風のため中止します"}),
                "responses": {"200": _json(ref("Session"), "The changed session."),
                              **_errors(400, 401, 403, 404, 409, 413)},
            },
        },
        "/slots/{slot_id}/reservations": {
            "parameters": [_param("SlotId")],
            "post": {
                "operationId": "reserve", "tags": ["reservations"], "summary": "Reserve a seat (anonymous)",
                "requestBody": _body(ref("ReservationRequest"), required=False, example={"nickname": "さくら"}),
                "responses": {"201": _json(ref("Reservation"), "Reserved; keep the code, it is the only key."),
                              **_errors(400, 404, 409, 413, 429)},
            },
        },
        "/reservations/{code}": {
            "parameters": [_param("Code")],
            "get": {"operationId": "getReservation", "tags": ["reservations"], "summary": "A reservation, by its code",
                    "responses": {"200": _json(ref("Reservation"), "The reservation."), **_errors(404, 429)}},
            "delete": {"operationId": "cancelReservation", "tags": ["reservations"],
                       "summary": "Cancel a reservation",
                       "description": "The seat is free again at once. Cancelling a cancelled reservation is a 204 "
                                      "too.",
                       "responses": {"204": {"description": "Cancelled."}, **_errors(404, 409, 429)}},
        },
        "/reservations/{code}.ics": {
            "parameters": [_param("Code")],
            "get": {"operationId": "getReservationIcs", "tags": ["reservations"],
                    "summary": "The reservation as one VEVENT",
                    "responses": {"200": {"description": "RFC 5545 calendar with one VEVENT.",
                                          "content": {"text/calendar": {"schema": {"type": "string"}}}},
                                  **_errors(404)}},
        },
        "/avatars": {
            "get": {"operationId": "listAvatars", "tags": ["checkins"], "summary": "Avatars to choose at check-in",
                    "responses": {"200": _json({"type": "array", "items": ref("Avatar")}, "Every avatar.")}},
        },
        "/sessions/{session_id}/checkins": {
            "parameters": [_param("SessionId")],
            "post": {
                "operationId": "checkIn", "tags": ["checkins"],
                "summary": "Check in (resident) or count a walk-in (staff)",
                "description": 'Anonymous residents send {avatar, nickname?, reservation_code?}. Promoters and admins '
                               'send {avatar, nickname?, source: "staff"} to count a visitor seen in the venue or the '
                               "metaverse space. 409 session_not_open outside the session's hours or when cancelled.",
                "security": ANYONE_OR_STAFF,
                "requestBody": _body(ref("CheckinRequest"), example={"avatar": "cat", "nickname": "さくら"}),
                "responses": {"201": _json({"anyOf": [ref("CheckinCreated"), ref("StaffCheckinCreated")]},
                                           "Checked in (residents get a relay token and their place in line)."),
                              **_errors(400, 401, 403, 404, 409, 429)},
            },
        },
        "/sessions/{session_id}/counts": {
            "parameters": [_param("SessionId")],
            "get": {"operationId": "getCounts", "tags": ["checkins"], "summary": "Live counts of a session",
                    "responses": {"200": _json(ref("Counts"), "The counts."), **_errors(404)}},
        },
        "/sessions/{session_id}/room": {
            "parameters": [_param("SessionId")],
            "get": {"operationId": "getRoom", "tags": ["rooms"], "summary": "The metaverse room of a session",
                    "description": "The map, the stamps and how many are in the room now; 404 for another format.",
                    "responses": {"200": _json(ref("Room"), "The room."), **_errors(404)}},
        },
        "/sessions/{session_id}/room/practice": {
            "parameters": [_param("SessionId")],
            "post": {"operationId": "practiceRoom", "tags": ["rooms"], "summary": "見学: try the room alone",
                     "description": "Outside the session's hours only (409 session_open while it runs); "
                                    "counted as practice, never as a visit.",
                     "responses": {"201": _json(ref("PracticeCreated"), "Connect to ws_url?token=..."),
                                   **_errors(404, 409, 429)}},
        },
        "/realtime/token": {
            "get": {"operationId": "getRealtimeToken", "tags": ["checkins"], "summary": "A relay token for staff",
                    "security": STAFF,
                    "responses": {"200": _json(ref("RealtimeToken"), "Connect to ws_url?token=..."),
                                  **_errors(401, 403)}},
        },
        "/stats": {
            "get": {"operationId": "getStats", "tags": ["stats"], "summary": "Fiscal-year figures",
                    "security": STAFF, "parameters": query_parameters(StatsQuery),
                    "responses": {"200": _json(ref("Stats"), "The figures."), **_errors(400, 401, 403)}},
        },
        "/stats.csv": {
            "get": {"operationId": "getStatsCsv", "tags": ["stats"], "summary": "Fiscal-year figures as CSV",
                    "security": STAFF, "parameters": query_parameters(StatsQuery),
                    "responses": {"200": {"description": "UTF-8 with BOM, opens in Excel.",
                                          "content": {"text/csv": {"schema": {"type": "string"}}}},
                                  **_errors(400, 401, 403)}},
        },
        "/audit": {
            "get": {"operationId": "getAuditLog", "tags": ["audit"], "summary": "The audit log (admin)",
                    "description": "Sign-ins and staff actions between two Tokyo days (both optional, inclusive), "
                                   "oldest first. Targets are ids; no resident's text is ever in it.",
                    "security": STAFF, "parameters": query_parameters(AuditRange),
                    "responses": {"200": _json({"type": "array", "items": ref("AuditEvent")}, "Oldest first."),
                                  **_errors(400, 401, 403)}},
        },
        "/openapi.json": {
            "get": {"operationId": "getOpenApi", "tags": ["meta"], "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI 3 document.")}},
        },
    }


def document() -> dict:
    """The whole document, built from the models and limits as they are now."""
    schemas = {**RESPONSE_SCHEMAS, **components(SessionCreate, SessionPatch, ReservationRequest, CheckinRequest)}
    schemas["CheckinRequest"]["properties"]["reservation_code"].update(pattern=CODE["pattern"], example=CODE["example"])
    names = current_app.config["PROFILE"]
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{names.programme.name} scheduler API",
            "version": "1.0.0",
            "description": (
                f"{names.municipality.name}「{names.programme.name}」の予約・受付 API。"
                "Residents call anonymously; staff send "
                "`Authorization: Bearer <token>` (from `flask --app wsgi users token LOGIN`) or the logged-in "
                "session cookie plus the `X-CSRFToken` header. Times are ISO 8601 with +09:00 (Asia/Tokyo). "
                'Every error is {"error": {"code", "message"}}. See docs/api.md.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name}
                 for name in ("sessions", "reservations", "checkins", "rooms", "stats", "audit", "meta")],
        "paths": paths(),
        "components": {
            "schemas": schemas,
            "responses": RESPONSES,
            "parameters": PARAMETERS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A personal API token from `flask --app wsgi users token LOGIN`."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "The staff console's login cookie."},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                               "description": "Needed with the cookie on POST, PATCH and DELETE."},
            },
        },
    }
