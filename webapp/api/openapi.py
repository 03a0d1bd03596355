"""The OpenAPI 3 document of /api/v1 (CONTRACT.md section 3), in one place.

It describes the whole section, including the routes other packages serve (check-ins, counts,
realtime tokens, stats, the reservation's .ics); tests/api/test_openapi.py checks that every
/api/v1 route of the app is described and that our responses match the schemas.
Request bodies and query parameters are generated from the models the API validates with
(webapp/schemas/), when the document is asked for; the answers' schemas are written here.
"""
from __future__ import annotations

from webapp.checkins.avatars import avatar_ids
from webapp.schemas.checkins import CheckinRequest
from webapp.schemas.document import components, query_parameters
from webapp.schemas.reservations import ReservationRequest
from webapp.schemas.sessions import SessionCreate, SessionPatch, SessionRange
from webapp.schemas.stats import StatsQuery
from webapp.sessions.models import FORMATS, STATUSES

OPENAPI_VERSION = "3.0.3"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


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

TIME = {"type": "string", "format": "date-time", "example": "2026-12-15T13:30:00+09:00",
        "description": "ISO 8601 with offset, in Asia/Tokyo (+09:00)."}
DATE = {"type": "string", "format": "date", "example": "2026-12-15"}
CODE = {"type": "string", "pattern": "^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$",
        "example": "KX7P3-MQ9HT-4WZ2R",
        "description": "15 symbols without 0/O/1/I/L (about 74 random bits); any case, dashes and spaces "
                       "are accepted on input."}
FORMAT = {"type": "string", "enum": list(FORMATS)}
FIGURES = {"type": "object", "required": ["sessions", "visits", "consultations"], "properties": {
    "sessions": {"type": "integer"}, "visits": {"type": "integer"}, "consultations": {"type": "integer"}}}


#: The answers' shapes (requests come from the models).
RESPONSE_SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "pattern": "^[a-z0-9_]+$", "example": "slot_full"},
            "message": {"type": "string", "example": "This time is fully booked. Please choose another time."},
        }}},
    },
    "Promoter": {"type": "object", "required": ["login", "display_name"], "properties": {
        "login": {"type": "string", "example": "sato"},
        "display_name": {"type": "string", "example": "主任推進員 さとう"}}},
    "Slot": {"type": "object", "required": ["id", "starts_at", "ends_at", "capacity", "remaining"], "properties": {
        "id": {"type": "integer"}, "starts_at": TIME, "ends_at": TIME,
        "capacity": {"type": "integer", "minimum": 1},
        "remaining": {"type": "integer", "minimum": 0, "description": "Seats still free."}}},
    "Session": {
        "type": "object",
        "required": ["id", "date", "starts_at", "ends_at", "format", "status", "holiday", "location", "join_url",
                     "promoters", "slots"],
        "properties": {
            "id": {"type": "integer"}, "date": DATE, "starts_at": TIME, "ends_at": TIME, "format": FORMAT,
            "status": {"type": "string", "enum": list(STATUSES)},
            "holiday": {"type": "boolean", "description": "The date is a national holiday (flagged, never moved)."},
            "holiday_name": {"type": "string", "example": "勤労感謝の日"},
            "location": {"type": "string", "example": "生駒市役所"},
            "join_url": {"type": "string", "description": "Online meeting or metaverse room; may be empty."},
            "note": {"type": "string", "description": "A note for residents, e.g. why it was cancelled."},
            "promoters": {"type": "array", "items": _ref("Promoter")},
            "slots": {"type": "array", "items": _ref("Slot"), "description": "Ordered by starts_at."},
        },
    },
    "Reservation": {
        "type": "object",
        "required": ["code", "slot_id", "session_id", "starts_at", "ends_at", "status", "ics_url"],
        "properties": {
            "code": CODE, "slot_id": {"type": "integer"}, "session_id": {"type": "integer"},
            "starts_at": TIME, "ends_at": TIME,
            "status": {"type": "string", "enum": ["active", "cancelled"]},
            "ics_url": {"type": "string", "format": "uri", "description": "Absolute URL of the calendar entry."},
            "nickname": {"type": "string"}, "topic": {"type": "string"},
            "created_at": TIME, "cancelled_at": {**TIME, "nullable": True},
            "session": {"type": "object", "properties": {
                "id": {"type": "integer"}, "date": DATE, "format": FORMAT,
                "status": {"type": "string", "enum": list(STATUSES)}, "location": {"type": "string"}}},
        },
    },
    "Avatar": {"type": "object", "required": ["id", "label_ja", "label_en", "image_url"], "properties": {
        "id": {"type": "string", "enum": list(avatar_ids())},
        "label_ja": {"type": "string", "example": "ねこ"}, "label_en": {"type": "string", "example": "Cat"},
        "image_url": {"type": "string", "format": "uri"}}},
    "CheckinCreated": {"type": "object", "required": ["checkin_id", "token", "ws_url", "position"], "properties": {
        "checkin_id": {"type": "integer"}, "session_id": {"type": "integer"},
        "estimated_wait_s": {"type": "integer", "nullable": True},
        "token": {"type": "string", "description": "For the relay: connect to ws_url?token=..."},
        "ws_url": {"type": "string", "example": "ws://127.0.0.1:8765/ws"},
        "position": {"type": "integer", "minimum": 0, "description": "Place in the queue."}}},
    "StaffCheckinCreated": {"type": "object", "required": ["checkin_id"], "properties": {
        "checkin_id": {"type": "integer"}, "session_id": {"type": "integer"},
        "source": {"type": "string", "enum": ["staff"]},
        "status": {"type": "string", "enum": ["in_consultation", "closed"]},
        "counts": _ref("Counts")}},
    "Counts": {"type": "object", "required": ["visits", "consultations", "waiting", "in_consultation"], "properties": {
        "visits": {"type": "integer", "description": "Check-ins (来場)."},
        "consultations": {"type": "integer", "description": "Check-ins closed as a consultation (相談)."},
        "waiting": {"type": "integer"}, "in_consultation": {"type": "integer"}}},
    "RealtimeToken": {"type": "object", "required": ["token", "ws_url"], "properties": {
        "token": {"type": "string"}, "ws_url": {"type": "string"}}},
    "Stats": {
        "type": "object", "required": ["fiscal_year", "label", "by_format", "by_month", "topics", "results"],
        "properties": {
            "fiscal_year": {"type": "integer", "example": 2024},
            "label": {"type": "string", "example": "令和6年度"},
            "by_format": {"type": "object", "required": list(FORMATS),
                          "properties": {fmt: FIGURES for fmt in FORMATS}},
            "by_month": {"type": "array", "description": "One entry per month, April first.",
                         "items": {"type": "object", "additionalProperties": True}},
            "topics": {"type": "object", "additionalProperties": True,
                       "description": "Consultations per topic (相談内容)."},
            "results": {"type": "object", "additionalProperties": True,
                        "description": "Consultations per result (相談結果)."},
        },
    },
}


def _error(description: str, code: str, message: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": _ref("Error"), "example": {"error": {"code": code, "message": message}}}}}


RESPONSES = {
    "BadRequest": _error("Bad input: missing or unknown fields, wrong types, bad dates, non-JSON body.",
                         "missing_field", "Missing field(s): date."),
    "Unauthorized": _error("No credentials, or an unknown/revoked token.", "unauthorized",
                           "Sign in or send Authorization: Bearer <token>."),
    "Forbidden": _error("Signed in, but this role may not do this (or the CSRF token is missing).", "forbidden",
                        "Your account may not do this."),
    "NotFound": _error("Unknown id or code.", "not_found", "No session with this id."),
    "Conflict": _error("A rule of the service stops it (slot_full, session_cancelled, slot_past, "
                       "session_not_open, has_reservations).", "slot_full",
                       "This time is fully booked. Please choose another time."),
    "PayloadTooLarge": _error("The body is larger than 16 KiB.", "request_entity_too_large", "Too large."),
    "TooManyRequests": _error("Rate limited; try again later.", "rate_limited", "Too many requests."),
}

PARAMETERS = {
    "SessionId": {"name": "session_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "SlotId": {"name": "slot_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "Code": {"name": "code", "in": "path", "required": True, "schema": CODE},
}


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
                "responses": {"200": _json({"type": "array", "items": _ref("Session")}, "Ordered by starts_at."),
                              **_errors(400)},
            },
            "post": {
                "operationId": "createSession", "tags": ["sessions"], "summary": "Create a session (admin)",
                "security": STAFF,
                "requestBody": _body(_ref("SessionCreate"), example={
                    "date": "2026-12-15", "starts_at": "13:30", "ends_at": "16:30", "format": "metaverse",
                    "location": "メタバース空間「いこまる相談会 inメタバース」", "slot_minutes": 30, "capacity": 2,
                    "promoters": ["sato", "tanaka"]}),
                "responses": {"201": _json(_ref("Session"), "Created, with its slots cut from slot_minutes."),
                              **_errors(400, 401, 403, 413)},
            },
        },
        "/sessions/{session_id}": {
            "parameters": [_param("SessionId")],
            "get": {"operationId": "getSession", "tags": ["sessions"], "summary": "One session",
                    "responses": {"200": _json(_ref("Session"), "The session."), **_errors(404)}},
            "patch": {
                "operationId": "updateSession", "tags": ["sessions"], "summary": "Change or cancel a session (admin)",
                "security": STAFF,
                "requestBody": _body(_ref("SessionPatch"),
                                     example={"status": "cancelled", "note": "台風のため中止します"}),
                "responses": {"200": _json(_ref("Session"), "The changed session."),
                              **_errors(400, 401, 403, 404, 409, 413)},
            },
        },
        "/slots/{slot_id}/reservations": {
            "parameters": [_param("SlotId")],
            "post": {
                "operationId": "reserve", "tags": ["reservations"], "summary": "Reserve a seat (anonymous)",
                "requestBody": _body(_ref("ReservationRequest"), required=False, example={"nickname": "さくら"}),
                "responses": {"201": _json(_ref("Reservation"), "Reserved; keep the code, it is the only key."),
                              **_errors(400, 404, 409, 413, 429)},
            },
        },
        "/reservations/{code}": {
            "parameters": [_param("Code")],
            "get": {"operationId": "getReservation", "tags": ["reservations"], "summary": "A reservation, by its code",
                    "responses": {"200": _json(_ref("Reservation"), "The reservation."), **_errors(404, 429)}},
            "delete": {"operationId": "cancelReservation", "tags": ["reservations"],
                       "summary": "Cancel a reservation",
                       "description": "The seat is free again at once. Cancelling a cancelled reservation is a 204 "
                                      "too.",
                       "responses": {"204": {"description": "Cancelled."}, **_errors(404, 429)}},
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
                    "responses": {"200": _json({"type": "array", "items": _ref("Avatar")}, "Every avatar.")}},
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
                "requestBody": _body(_ref("CheckinRequest"), example={"avatar": "cat", "nickname": "さくら"}),
                "responses": {"201": _json({"anyOf": [_ref("CheckinCreated"), _ref("StaffCheckinCreated")]},
                                           "Checked in (residents get a relay token and their place in line)."),
                              **_errors(400, 401, 403, 404, 409, 429)},
            },
        },
        "/sessions/{session_id}/counts": {
            "parameters": [_param("SessionId")],
            "get": {"operationId": "getCounts", "tags": ["checkins"], "summary": "Live counts of a session",
                    "responses": {"200": _json(_ref("Counts"), "The counts."), **_errors(404)}},
        },
        "/realtime/token": {
            "get": {"operationId": "getRealtimeToken", "tags": ["checkins"], "summary": "A relay token for staff",
                    "security": STAFF,
                    "responses": {"200": _json(_ref("RealtimeToken"), "Connect to ws_url?token=..."),
                                  **_errors(401, 403)}},
        },
        "/stats": {
            "get": {"operationId": "getStats", "tags": ["stats"], "summary": "Fiscal-year figures",
                    "security": STAFF, "parameters": query_parameters(StatsQuery),
                    "responses": {"200": _json(_ref("Stats"), "The figures."), **_errors(400, 401, 403)}},
        },
        "/stats.csv": {
            "get": {"operationId": "getStatsCsv", "tags": ["stats"], "summary": "Fiscal-year figures as CSV",
                    "security": STAFF, "parameters": query_parameters(StatsQuery),
                    "responses": {"200": {"description": "UTF-8 with BOM, opens in Excel.",
                                          "content": {"text/csv": {"schema": {"type": "string"}}}},
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
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "いこまる相談会 scheduler API",
            "version": "1.0.0",
            "description": (
                "生駒市「いこまる相談会」の予約・受付 API。Residents call anonymously; staff send "
                "`Authorization: Bearer <token>` (from `flask --app wsgi users token LOGIN`) or the logged-in "
                "session cookie plus the `X-CSRFToken` header. Times are ISO 8601 with +09:00 (Asia/Tokyo). "
                'Every error is {"error": {"code", "message"}}. See docs/api.md.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name} for name in ("sessions", "reservations", "checkins", "stats", "meta")],
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
