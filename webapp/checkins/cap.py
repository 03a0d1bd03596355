"""One client cannot fill a session with fake visits: at most N check-ins per client per session, M per session
an hour.

Counted in the rate-limit storage (webapp/caps.py) under the keyed hash of the client address, never
the address. `CHECKINS_PER_CLIENT_PER_SESSION` sets N and `CHECKINS_PER_SESSION_PER_HOUR` sets M (0: no
cap); off with `RATELIMIT_ENABLED=false`. Visitors counted by staff (walk-ins) are not capped. A
refused check-in is a 429 and no visit: nothing reaches the database.
"""
from __future__ import annotations

from flask import current_app

from webapp import caps
from webapp.db import utcnow
from webapp.ratelimit import anonymous_client_key
from webapp.sessions.models import Session

DEFAULT_PER_CLIENT = 10
DEFAULT_PER_SESSION_PER_HOUR = 200
KEEP_AFTER_END_S = 24 * 3600
HOUR_S = 3600


def per_client_limit() -> int:
    return int(current_app.config.get("CHECKINS_PER_CLIENT_PER_SESSION", DEFAULT_PER_CLIENT))


def _caps(session: Session) -> tuple[caps.Cap, caps.Cap]:
    expiry = int(max(60, (session.ends_at - utcnow()).total_seconds() + KEEP_AFTER_END_S))
    per_hour = int(current_app.config.get("CHECKINS_PER_SESSION_PER_HOUR", DEFAULT_PER_SESSION_PER_HOUR))
    return (caps.Cap(caps.key("checkins", session.id, anonymous_client_key()), per_client_limit(), expiry,
                     "too_many_checkins", "This device has checked in to this session too many times; "
                                          "please ask the staff if you need help."),
            caps.Cap(caps.key("checkins", session.id, "hour", caps.window(HOUR_S)), per_hour, HOUR_S + 60,
                     "session_busy", "This session is taking very many check-ins just now; please try again "
                                     "in a while."))


def counted(session: Session):
    """Count one resident check-in of this client in this session around the block; 429 past a cap."""
    return caps.counted(*_caps(session))
