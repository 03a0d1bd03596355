"""Models to the JSON shapes of CONTRACT.md section 3 (times as ISO 8601 with +09:00)."""
from __future__ import annotations

from flask import request

from webapp.reservations.models import Reservation
from webapp.sessions import queries
from webapp.sessions.models import Session, Slot
from webapp.timeutil import iso


def slot(item: Slot) -> dict:
    """{id, starts_at, ends_at, capacity, remaining}."""
    return {
        "id": item.id,
        "starts_at": iso(item.starts_at),
        "ends_at": iso(item.ends_at),
        "capacity": item.capacity,
        "remaining": item.remaining,
    }


def session(item: Session) -> dict:
    """The contract's `session`, plus the holiday's name and the note for residents."""
    return {
        "id": item.id,
        "date": item.date.isoformat(),
        "starts_at": iso(item.starts_at),
        "ends_at": iso(item.ends_at),
        "format": item.format,
        "status": item.status,
        "state": queries.state(item),
        "reception_open": queries.is_open(item),
        "holiday": item.holiday,
        "holiday_name": item.holiday_name,
        "location": item.location,
        "join_url": item.join_url,
        "note": item.note,
        "promoters": [{"login": user.login, "display_name": user.display_name} for user in item.promoters],
        "slots": [slot(s) for s in item.slots],
    }


def ics_url(code: str) -> str:
    """Absolute URL of the reservation's calendar entry (served by calendars/)."""
    return f"{request.url_root.rstrip('/')}/api/v1/reservations/{code}.ics"


def reservation(item: Reservation) -> dict:
    """The contract's reservation, plus what the resident wrote and where the session is."""
    held, where = item.slot, item.slot.session
    return {
        "code": item.code,
        "slot_id": held.id,
        "session_id": where.id,
        "starts_at": iso(held.starts_at),
        "ends_at": iso(held.ends_at),
        "status": item.status,
        "ics_url": ics_url(item.code),
        "nickname": item.nickname,
        "topic": item.topic,
        "created_at": iso(item.created_at),
        "cancelled_at": iso(item.cancelled_at),
        "session": {
            "id": where.id,
            "date": where.date.isoformat(),
            "format": where.format,
            "status": where.status,
            "location": where.location,
        },
    }
