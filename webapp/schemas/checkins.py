"""Check-ins and outcomes: the body of POST /sessions/{id}/checkins and the outcome staff record."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from webapp.schemas.base import Input, one_of
from webapp.schemas.fields import Nickname

#: Documented shape of an outcome; its vocabulary (topics, results, agencies) is checked by the operation.
OUTCOME_SCHEMA = {
    "type": "object", "description": "{kind, topics, result, referred_to}, as in the relay's close frame.",
    "properties": {"kind": {"type": "string", "enum": ["consultation", "visit_only"]},
                   "topics": {"type": "array", "items": {"type": "string"}},
                   "result": {"type": "string", "nullable": True},
                   "referred_to": {"type": "string", "nullable": True}},
}


def _avatars():
    from webapp.checkins.avatars import avatar_ids

    return avatar_ids()


class CheckinRequest(Input):
    """A resident checks in; staff add "source": "staff" to count a walk-in (needs a promoter or admin)."""

    error_codes = {"avatar": "invalid_avatar", "nickname": "invalid_nickname",
                   "reservation_code": "invalid_reservation", "source": "invalid_source",
                   "status": "invalid_status", "outcome": "invalid_outcome", "intent": "invalid_intent"}

    avatar: str = Field(json_schema_extra=one_of(_avatars))
    nickname: Nickname | None = None
    reservation_code: str | None = Field(None, description="Resident form only; any case, dashes and spaces.")
    source: Literal["resident", "staff"] = Field(
        "resident", description='"staff" for the staff form; leave out (or "resident") otherwise.')
    status: Literal["in_consultation", "closed"] = Field(
        None, description="Staff form only: already talking with the visitor, or done.")
    outcome: dict | None = Field(None, description="Staff form only.", json_schema_extra=OUTCOME_SCHEMA)
    intent: Literal["visit"] | None = Field(
        None, description='Metaverse sessions: "visit" enters the room without joining the line (status '
                          '"visiting"); the relay\'s ask frame joins it later.')

