"""The parts of the OpenAPI document written by hand, once: the answers' schemas, the error
responses and the path parameters. Request bodies and query parameters are generated from
webapp/schemas/ (see webapp/api/openapi.py).
"""
from __future__ import annotations

from webapp.checkins.avatars import avatar_ids
from webapp.sessions.models import FORMATS, STATUSES
from webapp.sessions.queries import STATES as SESSION_STATES


def ref(name: str) -> dict:
    """A reference to a schema of components.schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


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
            "field": {"type": "string", "example": "referred_to",
                      "description": "invalid_outcome only: the part of the outcome to fix."},
            "problem": {"type": "string", "example": "agency_needed",
                        "description": "invalid_outcome only: what does not add up (docs/realtime.md)."},
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
            "state": {"type": "string", "enum": list(SESSION_STATES), "description":
                      "Follows time: upcoming (開催予定), open (開催中), ended (終了), cancelled (中止)."},
            "reception_open": {"type": "boolean", "description":
                               "Residents can check in now: open, and reception not ended early by staff."},
            "holiday": {"type": "boolean", "description": "The date is a national holiday (flagged, never moved)."},
            "holiday_name": {"type": "string", "example": "勤労感謝の日"},
            "location": {"type": "string", "example": "市役所 2階 相談室"},
            "join_url": {"type": "string", "description": "Online meeting or metaverse room; may be empty."},
            "note": {"type": "string", "description": "A note for residents, e.g. why it was cancelled."},
            "promoters": {"type": "array", "items": ref("Promoter")},
            "slots": {"type": "array", "items": ref("Slot"), "description": "Ordered by starts_at."},
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
    "CheckinCreated": {"type": "object", "required": ["checkin_id", "token", "ws_url", "position", "number"],
                       "properties": {
        "checkin_id": {"type": "integer"}, "session_id": {"type": "integer"},
        "number": {"type": "integer", "minimum": 1, "description": "受付番号: 1, 2, 3... in order of arrival."},
        "estimated_wait_s": {"type": "integer", "nullable": True},
        "token": {"type": "string", "description": "For the relay: connect to ws_url?token=..."},
        "ws_url": {"type": "string", "example": "ws://127.0.0.1:8765/ws"},
        "status": {"type": "string", "enum": ["waiting", "visiting"],
                   "description": 'visiting: intent "visit", in the metaverse room and not in line.'},
        "position": {"type": "integer", "minimum": 0, "nullable": True,
                     "description": "Place in the queue (null while visiting)."}}},
    "Room": {"type": "object", "required": ["session_id", "map", "emotes", "occupants"], "properties": {
        "session_id": {"type": "integer"},
        "map": {"type": "object", "required": ["width", "height", "zones"], "properties": {
            "width": {"type": "integer"}, "height": {"type": "integer"},
            "zones": {"type": "array", "items": {"type": "object", "required": ["id", "kind", "x", "y", "w", "h"],
                                                 "properties": {
                "id": {"type": "string"}, "kind": {"type": "string", "enum": ["entrance", "lounge", "booth", "board"]},
                "x": {"type": "integer"}, "y": {"type": "integer"}, "w": {"type": "integer"}, "h": {"type": "integer"},
                "label_ja": {"type": "string"}, "label_en": {"type": "string"}}}}}},
        "emotes": {"type": "array", "items": {"type": "string"}},
        "occupants": {"type": "integer", "minimum": 0, "description": "Residents in the room now."},
        "open": {"type": "boolean", "description": "The session runs now: check in to enter."},
        "practice": {"type": "boolean", "description": "見学 (practice) is possible now."}}},
    "PracticeCreated": {"type": "object", "required": ["session_id", "token", "ws_url"], "properties": {
        "session_id": {"type": "integer"}, "practice": {"type": "boolean"},
        "token": {"type": "string", "description": "For the relay: a room of one, no staff, not a visit."},
        "ws_url": {"type": "string"}}},
    "StaffCheckinCreated": {"type": "object", "required": ["checkin_id"], "properties": {
        "checkin_id": {"type": "integer"}, "session_id": {"type": "integer"}, "number": {"type": "integer"},
        "source": {"type": "string", "enum": ["staff"]},
        "status": {"type": "string", "enum": ["in_consultation", "closed"]},
        "counts": ref("Counts")}},
    "Counts": {"type": "object", "required": ["visits", "consultations", "waiting", "in_consultation"], "properties": {
        "visits": {"type": "integer", "description": "Check-ins (来場)."},
        "consultations": {"type": "integer", "description": "Check-ins closed as a consultation (相談)."},
        "waiting": {"type": "integer"}, "in_consultation": {"type": "integer"}}},
    "AuditEvent": {"type": "object", "required": ["at", "actor", "action", "target"], "properties": {
        "at": TIME,
        "actor": {"type": "string", "example": "sato",
                  "description": 'The login that acted; "(cli)" for a command, "(system)", or "" before sign-in.'},
        "action": {"type": "string", "example": "take", "description": "login, login_failed, take, close, ..."},
        "target": {"type": "string", "example": "checkin:123",
                   "description": "Ids only (checkin:123, session:45, user:sato); never a resident's text."}}},
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
            "room": {"type": "object", "description": "The metaverse room's funnel (exact, for staff): "
                                                      "entered → asked → consultations, and practice (見学) visits, "
                                                      "for the year and per metaverse session.",
                     "properties": {**{k: {"type": "integer"} for k in ("entered", "asked", "consultations",
                                                                          "practice")},
                                    "sessions": {"type": "array",
                                                 "items": {"type": "object", "additionalProperties": True}}}},
        },
    },
}


def _error(description: str, code: str, message: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": ref("Error"), "example": {"error": {"code": code, "message": message}}}}}


RESPONSES = {
    "BadRequest": _error("Bad input: missing or unknown fields, wrong types, bad dates, non-JSON body, text holding "
                         "a control character or a lone surrogate (invalid_text).",
                         "missing_field", "Missing field(s): date."),
    "Unauthorized": _error("No credentials, or an unknown/revoked token.", "unauthorized",
                           "Sign in or send Authorization: Bearer <token>."),
    "Forbidden": _error("Signed in, but this role may not do this (or the CSRF token is missing).", "forbidden",
                        "Your account may not do this."),
    "NotFound": _error("Unknown id or code.", "not_found", "No session with this id."),
    "Conflict": _error("A rule of the service stops it (slot_full, session_cancelled, slot_past, slot_ended, "
                       "reception_ended, session_not_open, slot_reserved, already_checked_in).", "slot_full",
                       "This time is fully booked. Please choose another time."),
    "PayloadTooLarge": _error("The body is larger than 16 KiB.", "request_entity_too_large", "Too large."),
    "TooManyRequests": _error("Rate limited (rate_limited), or one device holds as many reservations in the session "
                              "as it may (too_many_reservations); try again later.", "rate_limited",
                              "Too many requests."),
}

PARAMETERS = {
    "SessionId": {"name": "session_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "SlotId": {"name": "slot_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "Code": {"name": "code", "in": "path", "required": True, "schema": CODE},
}
